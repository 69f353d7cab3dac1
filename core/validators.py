"""National code checks (GB 11643, GB 32100, GB/T 2260), with messages in
Chinese that name the field and the rule it broke."""
from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


def _reason(exc):
    if isinstance(exc, stdnum_errors.InvalidLength):
        return "长度应为18位"
    if isinstance(exc, stdnum_errors.InvalidFormat):
        return "格式不正确"
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return "校验码不正确"
    if isinstance(exc, stdnum_errors.InvalidComponent):
        return None
    return "无效"


def validate_resident_id(value: str) -> str:
    """A resident ID (公民身份号码) per GB 11643-1999; returns it normalised."""
    number = ric.compact(value or "")
    try:
        ric.validate(number)
    except stdnum_errors.ValidationError as exc:
        reason = _reason(exc)
        if reason is None:
            # Length, format and check digit passed: the date or the place is wrong.
            try:
                ric.get_birth_date(number)
                reason = "地址码不是有效的行政区划代码"
            except stdnum_errors.ValidationError:
                reason = "出生日期不正确"
        raise ValidationError(f"身份证号{reason}（GB 11643）", code="resident_id") from None
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
