"""A stand-in for the population register (人口库) that name and resident ID
are checked against for assurance level two.

The real register is reached through the province's data-sharing exchange
(四川省政务数据共享交换平台, per 国办发〔2018〕45号 the identity check is a shared
service); it is not available here, so this stand-in answers from the
platform's own person records made by a clerk at a window plus a few fixed
entries. Replace `lookup` with the exchange's client in production."""

# Entries the stand-in knows besides persons registered at a window (demo data).
KNOWN = {}


def lookup(resident_id):
    """The name registered under `resident_id`, or None if the register has none."""
    resident_id = (resident_id or "").strip().upper()
    if resident_id in KNOWN:
        return KNOWN[resident_id]
    from .demo import PUBLIC, make_resident_id

    for _username, name, region, birth, sequence in PUBLIC:
        if make_resident_id(region, birth, sequence) == resident_id:
            return name
    return None
