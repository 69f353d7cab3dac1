"""The applicant's personal data on cases: masked for everyone, shown in
full only to a viewer whose role needs it (accounts.policy "personal.reveal":
the window clerk and the reviewer within reach) after they ask for it with
显示完整号码 (cases.views_personal), every full view audited (issue 16).

The columns are encrypted by their fields (core.personal); an event's data
carries two personal values, a handover's address and a consultation's phone,
sealed here the same way (SM4, bound to the key they sit under)."""

from accounts import policy
from core import crypto, masking

FIELDS = (("applicant_code", "证件号码"), ("contact_phone", "联系电话"), ("delivery_address", "邮寄地址"))
EVENT_FIELDS = {"address": masking.ADDRESS, "phone": masking.PHONE}


def shown(user, case, *, full=False):
    """The case's personal fields as the page shows them."""
    values = {name: getattr(case, name) for name, _ in FIELDS}
    masked = {name: masking.mask(value, case._meta.get_field(name).mask) for name, value in values.items()}
    return {
        **(values if full else masked),
        "full": full,
        # Nothing to reveal when nothing is hidden (an organisation's credit code, no phone).
        "can_reveal": policy.can(user, "personal.reveal", case) and masked != values,
    }


def _context(key):
    return f"cases_caseevent.data.{key}"


def seal_event_data(data):
    """`data` with its personal values encrypted, ready to store."""
    return {
        key: crypto.encrypt(value, _context(key))
        if key in EVENT_FIELDS and value and not crypto.is_ciphertext(value)
        else value
        for key, value in data.items()
    }


def event_value(data, key):
    """A personal value of an event's data, decrypted."""
    value = (data or {}).get(key, "")
    return crypto.decrypt(value, _context(key)) if crypto.is_ciphertext(value) else value


def masked_event_data(data):
    """An event's data for the API and pages: personal values masked."""
    return {
        key: masking.mask(event_value(data, key), EVENT_FIELDS[key]) if key in EVENT_FIELDS and value else value
        for key, value in (data or {}).items()
    }
