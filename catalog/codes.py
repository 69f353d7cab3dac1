"""Matter codes after GB/T 39554.1, as this platform forms and checks them.

- catalogue_code (基本编码), 12 digits: matter type code (2), main item (5),
  sub-item (3), version (2).
- implementation_code (实施编码), 31 characters: the implementing body's
  unified social credit code (18), its level (1: 1 province, 2 city,
  3 county), then the catalogue code (12).
- item_code (业务办理项编码), 33 characters: the implementation code and
  a two-digit serial of the situation.
"""

from django.core.exceptions import ValidationError

from core.validators import validate_uscc

LEVEL_DIGITS = {"province": "1", "city": "2", "county": "3"}
MATTER_TYPE_CODES = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}


def validate_catalogue_code(value):
    if not (len(value) == 12 and value.isdigit()):
        raise ValidationError("基本编码应为12位数字（GB/T 39554.1）", code="catalogue_code")
    if value[:2] not in MATTER_TYPE_CODES:
        raise ValidationError(
            f"基本编码前两位“{value[:2]}”不是有效的事项类型代码（GB/T 39554.1）", code="catalogue_code"
        )


def validate_implementation_code(value):
    if len(value) != 31:
        raise ValidationError(
            "实施编码应为31位：实施主体统一社会信用代码18位、层级1位、基本编码12位", code="implementation_code"
        )
    try:
        validate_uscc(value[:18])
    except ValidationError:
        raise ValidationError(
            "实施编码前18位应为实施主体的统一社会信用代码（GB 32100）", code="implementation_code"
        ) from None
    if value[18] not in LEVEL_DIGITS.values():
        raise ValidationError("实施编码第19位应为层级代码（1省级、2市级、3县级）", code="implementation_code")
    validate_catalogue_code(value[19:])


def validate_item_code(value):
    if len(value) != 33 or not value[31:].isdigit():
        raise ValidationError("业务办理项编码应为33位：实施编码31位加2位情形序号", code="item_code")
    validate_implementation_code(value[:31])


def implementation_code(department_uscc, level, catalogue_code):
    return f"{department_uscc}{LEVEL_DIGITS[level]}{catalogue_code}"


def item_code(implementation, serial):
    return f"{implementation}{serial:02d}"
