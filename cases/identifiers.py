"""Case numbers, certificate numbers and e-certificate identifiers."""
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
    return mod_37_36.calc_check_digit(f"{type_code}{uscc}{serial}{version}") == check
