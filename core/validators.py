"""National code checks (GB 11643, GB 32100, GB/T 2260), with messages in
Chinese that name the field and the rule it broke."""

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


def _reason(exc: Exception) -> str | None:
    if isinstance(exc, stdnum_errors.InvalidLength):
        return "长度应为18位"
    if isinstance(exc, stdnum_errors.InvalidFormat):
        return "格式不正确"
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return "校验码不正确"
    if isinstance(exc, stdnum_errors.InvalidComponent):
        return None
    return "无效"


def _place_code_known(number: str) -> bool:
    """Whether the address code is a GB/T 2260 code at any time. The code is
    the one in force when the number was issued, which may be after the
    birth year, so python-stdnum's birth-year check is too strict here."""
    from stdnum import numdb

    info = {k: v for _, props in numdb.get("cn/loc").info(number[:6]) for k, v in props.items()}
    return bool(info.get("county"))


def validate_resident_id(value: str) -> str:
    """A resident ID (公民身份号码) per GB 11643-1999; returns it normalised."""
    number = ric.compact(value or "")
    try:
        ric.validate(number)
    except (stdnum_errors.InvalidComponent, KeyError):
        # KeyError: python-stdnum knows the province but not the county.
        try:
            ric.get_birth_date(number)
        except stdnum_errors.ValidationError:
            raise ValidationError("身份证号出生日期不正确（GB 11643）", code="resident_id") from None
        if not _place_code_known(number):
            raise ValidationError("身份证号地址码不是有效的行政区划代码（GB 11643）", code="resident_id") from None
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(f"身份证号{_reason(exc)}（GB 11643）", code="resident_id") from None
    return number


def validate_uscc(value: str) -> str:
    """A unified social credit code (统一社会信用代码) per GB 32100-2015."""
    number = uscc.compact(value or "")
    try:
        uscc.validate(number)
    except stdnum_errors.ValidationError as exc:
        reason = _reason(exc) or "登记管理部门或机构类别代码不正确"
        raise ValidationError(f"统一社会信用代码{reason}（GB 32100）", code="uscc") from None
    return number


def validate_region_code(value: str) -> str:
    """Shape of a GB/T 2260 code; whether it exists is a lookup in Region."""
    if not (isinstance(value, str) and len(value) == 6 and value.isdigit()):
        raise ValidationError("行政区划代码应为6位数字（GB/T 2260）", code="region_code")
    return value
