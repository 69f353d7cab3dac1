"""How personal data is shown to someone who does not need all of it: the
one masking rule for pages, the API, exports and the audit log.

Kinds follow GB/T 35273-2020 §6.2 (去标识化展示) as practised on 政务服务
pages: an ID number keeps its region code and last four characters, a phone
number its first three and last four digits, an address its first six
characters. Who may see the full value is decided in accounts.policy
("personal.reveal"), and every full view is audited (cases.personal).
"""

ID = "id"
PHONE = "phone"
ADDRESS = "address"
CODE = "code"  # a resident ID number or a credit code, whichever the record holds


def mask_code(code):
    """An 18-character code keeps its first six (the region) and last four;
    a shorter one its first two and last four."""
    if not code:
        return ""
    keep = 6 if len(code) == 18 else 2
    return code[:keep] + "*" * max(0, len(code) - keep - 4) + code[-4:]


def mask_phone(phone):
    phone = phone or ""
    digits = len(phone)
    if digits <= 4:
        return "*" * digits
    head = 3 if digits >= 11 else 0
    return phone[:head] + "*" * (digits - head - 4) + phone[-4:]


def mask_address(address):
    address = address or ""
    if len(address) <= 6:
        return address[:2] + "*" * max(0, len(address) - 2)
    return address[:6] + "*" * 6


MASKS = {ID: mask_code, CODE: mask_code, PHONE: mask_phone, ADDRESS: mask_address}


def mask(value, kind):
    return MASKS[kind](value)
