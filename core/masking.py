"""How personal data is shown to someone who does not need all of it: the
one masking rule for pages, the API, exports and the audit log.

Kinds follow GB/T 35273-2020 §6.2 (去标识化展示) as practised on 政务服务
pages: an ID number keeps its region code and last four characters, a phone
number its first three and last four digits, an address its first six
characters. A unified social credit code (GB 32100) names an organisation
and is public (国家企业信用信息公示系统 shows it to anyone), so it is shown
whole; a natural person's resident ID number (GB 11643) is personal and
masked. Who may see the full value is decided in accounts.policy
("personal.reveal"), and every full view is audited (cases.personal).
"""

from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from .validators import validate_resident_id

ID = "id"
PHONE = "phone"
ADDRESS = "address"
CODE = "code"  # a resident ID number or a credit code, whichever the record holds


def is_credit_code(code):
    """True for an organisation's unified social credit code (GB 32100).
    About one Sichuan ID number in 31 also passes the credit code's check
    character (5 = 民政, 1 = 社会团体), so a value that is a valid resident ID
    number is taken as one: when in doubt, masked."""
    if not code or not uscc.is_valid(code):
        return False
    try:
        validate_resident_id(code)
    except ValidationError:
        return True
    return False


def mask_holder_code(code):
    """A case's applicant or a certificate's holder code: a credit code is
    public and shown whole, a resident ID number masked."""
    return code if is_credit_code(code) else mask_code(code)


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


MASKS = {ID: mask_code, CODE: mask_holder_code, PHONE: mask_phone, ADDRESS: mask_address}


def mask(value, kind):
    return MASKS[kind](value)
