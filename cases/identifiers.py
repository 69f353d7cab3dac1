"""Case numbers, certificate numbers and e-certificate identifiers."""

import base64
import hashlib
import hmac
import re

from django.conf import settings
from stdnum.iso7064 import mod_37_36

# GB/T 36904-2018 identifiers start with this OID arc (China, e-certificates).
E_CERTIFICATE_ROOT = "1.2.156.3005.2"


def case_number(region_code, date, serial):
    return f"{region_code}{date:%Y%m%d}{serial:06d}"


def certificate_number(prefix, date, serial):
    return f"{prefix}{date:%Y}{serial:07d}"


def e_certificate_id(type_code, issuer_uscc, serial, version=1, *, year=None):
    """1.2.156.3005.2.<type>.<issuer credit code>.<serial>.<version>.<check>;
    the check character is ISO 7064 MOD 37,36 over the variable parts.

    Certificate serials restart every year (the counter is per type and
    year), so the serial segment is the year followed by the serial: unique
    for ever by construction. Identifiers issued before carried seven digits
    only, so they cannot meet an eleven-digit one either."""
    if year is None:
        raise ValueError("电子证照标识须含颁发年度")
    segment = f"{year:04d}{serial:07d}"
    body = f"{type_code}{issuer_uscc}{segment}{version:03d}"
    check = mod_37_36.calc_check_digit(body)
    return f"{E_CERTIFICATE_ROOT}.{type_code}.{issuer_uscc}.{segment}.{version:03d}.{check}"


def check_e_certificate_id(value):
    parts = value.split(".")
    if len(parts) != 10 or ".".join(parts[:5]) != E_CERTIFICATE_ROOT:
        return False
    type_code, uscc, serial, version, check = parts[5:]
    try:
        return mod_37_36.calc_check_digit(f"{type_code}{uscc}{serial}{version}") == check
    except ValueError:  # a character outside the code's alphabet
        return False


def _tag(pk, e_certificate_id):
    key = (getattr(settings, "TONGBAN_VERIFY_KEY", "") or settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"{pk}:{e_certificate_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:12]


def verification_code(pk, e_certificate_id):
    """The code printed on a certificate for public verification (issue 16):
    a keyed digest of the certificate (12 characters, which nobody can
    compute without TONGBAN_VERIFY_KEY, SECRET_KEY by default) and its row
    number, so that certificates cannot be looked up by counting through
    their sequential numbers."""
    tag = _tag(pk, e_certificate_id)
    return f"{tag[:4]}-{tag[4:8]}-{tag[8:]}-{pk}"


_CODE = re.compile(r"^([A-Z2-7]{4})-?([A-Z2-7]{4})-?([A-Z2-7]{4})-?(\d{1,12})$")


def parse_code(text):
    """(row number, tag) of a typed code (case and spaces do not matter), or None."""
    match = _CODE.match("".join(text.upper().split()))
    return (int(match[4]), "".join(match.group(1, 2, 3))) if match else None


def code_matches(tag, pk, e_certificate_id):
    return hmac.compare_digest(tag, _tag(pk, e_certificate_id))


def mask_name(name):
    """A holder's name on the public page: the first character (two for an
    organisation) and the last two of a longer name, the rest starred."""
    name = name or ""
    if len(name) <= 3:
        return name[:1] + "*" * (len(name) - 1)
    keep = 2 if len(name) > 6 else 1
    return name[:keep] + "*" * (len(name) - keep - 2) + name[-2:]
