"""Catalogue changes and guided resolution.

Each change validates everything first (GB/T 39554 codes, the department, the
limits) and saves in one transaction, so a refused request changes nothing.
Refusals are `core.errors.ServiceError`s whose messages name the field.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import policy
from core.errors import ServiceError
from core.models import Department, Level

from .codes import LEVEL_DIGITS
from .models import GuideOption, GuideQuestion, Material, Matter, Situation

LEVEL_ORDER = {Level.COUNTY: 0, Level.CITY: 1, Level.PROVINCE: 2}

MATTER_FIELDS = (
    "catalogue_code",
    "implementation_code",
    "name",
    "matter_type",
    "department",
    "levels",
    "legal_limit",
    "promised_limit",
    "has_fee",
    "fee_description",
    "result_name",
    "certificate_type_code",
    "online",
    "visits",
    "review_levels",
    "legal_basis",
    "active",
)
SITUATION_FIELDS = ("item_code", "name", "kind", "criteria")
MATERIAL_FIELDS = (
    "name",
    "required",
    "form",
    "copies",
    "file_format",
    "from_e_certificate",
    "e_certificate_name",
    "tolerable",
    "notes",
    "only_if",
    "position",
)
CODE_FIELDS = {"catalogue_code", "implementation_code", "item_code", "certificate_type_code"}


def label_of(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _named(model, errors):
    """{field: [message]} with every message starting with the field's Chinese name."""
    named = {}
    for name, messages in errors.items():
        label = label_of(model, name)
        for message in messages:
            message = str(message)
            if name != "__all__" and not message.startswith(label):
                message = f"{label}：{message}"
            named.setdefault(name, []).append(message)
    return named


def _add(errors, name, message):
    errors.setdefault(name, []).append(message)


def errors_of(instance, exclude=None):
    """The model's own checks (validators, choices, clean) as named messages."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raw = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _named(type(instance), raw)
    return {}


def refuse(errors, message=None):
    if not message:
        first = [m for messages in errors.values() for m in messages]
        message = first[0] if len(first) == 1 else "提交的数据有误，请按提示修改"
    raise ServiceError(message, errors=errors)


def _text(value):
    return "" if value is None else str(value).strip()


# --- matters -----------------------------------------------------------------


def _assign_matter(matter, data):
    for name in MATTER_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "department":
            matter.department_id = getattr(value, "pk", value) or None
        elif name in CODE_FIELDS:
            setattr(matter, name, _text(value).upper())
        elif name in ("name", "fee_description", "result_name", "legal_basis"):
            setattr(matter, name, _text(value))
        else:
            setattr(matter, name, value)
    return matter


def matter_errors(matter, *, departments=None, taken=None):
    """Everything wrong with a matter, as {field: [named messages]}.
    `departments` ({pk: Department}) and `taken` ({implementation code: pk})
    spare the queries when many matters are checked at once."""
    errors = errors_of(matter, exclude=["department"])
    department = None
    if matter.department_id:
        if departments is not None:
            department = departments.get(matter.department_id)
        else:
            department = Department.objects.filter(pk=matter.department_id).first()
    if department is None:
        _add(errors, "department", "实施部门：请选择实施部门")
    elif department.level != Level.PROVINCE or department.is_centre:
        _add(errors, "department", f"实施部门：“{department.name}”不是省级部门，事项目录目前只收录省级部门的事项")
    code = matter.implementation_code or ""
    if department is not None and "implementation_code" not in errors and len(code) == 31:
        if code[:18] != department.uscc:
            _add(
                errors,
                "implementation_code",
                f"实施编码：前18位应为实施部门“{department.name}”的统一社会信用代码 {department.uscc}",
            )
        elif code[18] != LEVEL_DIGITS.get(department.level):
            _add(errors, "implementation_code", "实施编码：第19位层级代码应与实施部门的层级一致（省级为1）")
    if taken is not None:
        duplicate = code in taken and taken[code] != matter.pk
    else:
        duplicate = bool(code) and Matter.objects.filter(implementation_code=code).exclude(pk=matter.pk).exists()
    if duplicate:
        _add(errors, "implementation_code", f"实施编码：{code} 已被其他事项使用")
    levels = matter.levels if isinstance(matter.levels, list) else []
    reviews = matter.review_levels if isinstance(matter.review_levels, list) else []
    if "review_levels" not in errors and reviews:
        orders = [LEVEL_ORDER.get(level, -1) for level in reviews]
        if orders != sorted(set(orders)):
            _add(errors, "review_levels", "审查决定层级：应自下而上排列且不重复，如 县级→市级→省级")
        elif department is not None and reviews[-1] != department.level:
            _add(errors, "review_levels", "审查决定层级：最后一级应为实施部门所在层级（省级）")
        elif any(level not in levels for level in reviews):
            _add(errors, "review_levels", "审查决定层级：每一级都应在行使层级之内")
    return errors


def _check(actor, action, obj):
    if actor is not None:
        policy.require(actor, action, obj)


@transaction.atomic
def create_matter(actor, data):
    matter = _assign_matter(Matter(), data)
    errors = matter_errors(matter)
    if errors:
        refuse(errors)
    _check(actor, "catalog.edit", matter)
    matter.save()
    return matter


@transaction.atomic
def update_matter(actor, matter, data):
    matter = Matter.objects.select_for_update().select_related("department").get(pk=matter.pk)
    _check(actor, "catalog.edit", matter)
    old_code = matter.implementation_code
    _assign_matter(matter, data)
    errors = matter_errors(matter)
    if matter.implementation_code != old_code and matter.situations.exists():
        _add(errors, "implementation_code", "实施编码：事项已有情形（业务办理项编码以实施编码开头），不能修改实施编码")
    if errors:
        refuse(errors)
    matter.department = Department.objects.get(pk=matter.department_id)
    _check(actor, "catalog.edit", matter)
    matter.save()
    return matter


# --- situations --------------------------------------------------------------


def situation_errors(situation):
    errors = errors_of(situation, exclude=["matter"])
    code = situation.item_code or ""
    if code and Situation.objects.filter(item_code=code).exclude(pk=situation.pk).exists():
        _add(errors, "item_code", f"业务办理项编码：{code} 已被其他情形使用")
    return errors


def _assign_situation(situation, data):
    for name in SITUATION_FIELDS:
        if name in data:
            value = _text(data[name])
            setattr(situation, name, value.upper() if name == "item_code" else value)
    return situation


@transaction.atomic
def create_situation(actor, matter, data):
    _check(actor, "catalog.edit", matter)
    situation = _assign_situation(Situation(matter=matter), data)
    errors = situation_errors(situation)
    if errors:
        refuse(errors)
    situation.save()
    return situation


@transaction.atomic
def update_situation(actor, situation, data):
    situation = Situation.objects.select_for_update().select_related("matter__department").get(pk=situation.pk)
    _check(actor, "catalog.edit", situation.matter)
    old_code = situation.item_code
    _assign_situation(situation, data)
    errors = situation_errors(situation)
    if situation.item_code != old_code and situation.cases.exists():
        _add(errors, "item_code", "业务办理项编码：该情形已有办件，不能修改编码")
    if errors:
        refuse(errors)
    situation.save()
    return situation


# --- materials ---------------------------------------------------------------


def material_errors(material, situation):
    errors = errors_of(material, exclude=["situation", "only_if"])
    if material.only_if_id:
        option = GuideOption.objects.select_related("question").filter(pk=material.only_if_id).first()
        if option is None or option.question.matter_id != situation.matter_id:
            _add(errors, "only_if", "仅在选择此项时需要：应为本事项引导问题的选项")
    duplicate = situation.materials.filter(name=material.name).exclude(pk=material.pk)
    if material.name and duplicate.exists():
        _add(errors, "name", f"材料名称：本情形已有材料“{material.name}”")
    return errors


def _assign_material(material, data):
    for name in MATERIAL_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "only_if":
            material.only_if_id = getattr(value, "pk", value) or None
        elif name in ("name", "file_format", "e_certificate_name", "notes"):
            setattr(material, name, _text(value))
        else:
            setattr(material, name, value)
    if not material.from_e_certificate:
        material.e_certificate_name = material.e_certificate_name or ""
    return material


@transaction.atomic
def create_material(actor, situation, data):
    _check(actor, "catalog.edit", situation.matter)
    material = _assign_material(Material(situation=situation), data)
    if "position" not in data:
        material.position = (situation.materials.count() or 0) + 1
    errors = material_errors(material, situation)
    if errors:
        refuse(errors)
    material.save()
    return material


@transaction.atomic
def update_material(actor, material, data):
    material = Material.objects.select_for_update().select_related("situation__matter__department").get(pk=material.pk)
    _check(actor, "catalog.edit", material.situation.matter)
    _assign_material(material, data)
    errors = material_errors(material, material.situation)
    if errors:
        refuse(errors)
    material.save()
    return material


@transaction.atomic
def delete_material(actor, material):
    material = Material.objects.select_related("situation__matter__department").get(pk=material.pk)
    _check(actor, "catalog.edit", material.situation.matter)
    material.delete()


# --- guiding questions -------------------------------------------------------


def _question_errors(matter, text, options, exclude_pk=None):
    """options: [{"text": str, "situations": [situation ids]}]."""
    errors = {}
    text = _text(text)
    if not text:
        _add(errors, "text", "问题：请填写问题")
    elif len(text) > 200:
        _add(errors, "text", "问题：不能超过200字")
    elif matter.questions.filter(text=text).exclude(pk=exclude_pk).exists():
        _add(errors, "text", f"问题：本事项已有问题“{text}”")
    if len(options) < 2:
        _add(errors, "options", "选项：每个问题至少要有两个选项")
    own = set(matter.situations.values_list("pk", flat=True))
    seen = set()
    for number, option in enumerate(options, start=1):
        option_text = _text(option.get("text"))
        if not option_text:
            _add(errors, "options", f"选项：第{number}个选项没有填写内容")
        elif option_text in seen:
            _add(errors, "options", f"选项：选项“{option_text}”重复")
        elif len(option_text) > 120:
            _add(errors, "options", f"选项：第{number}个选项不能超过120字")
        seen.add(option_text)
        foreign = [s for s in option.get("situations", []) if int(s) not in own]
        if foreign:
            _add(errors, "options", f"选项：第{number}个选项的适用情形不属于本事项")
    return errors


@transaction.atomic
def save_question(actor, matter, *, text, options, question=None, position=None):
    """Create or replace a guiding question with its options. Options keep
    their ids when their text is unchanged, so conditional materials stay linked."""
    _check(actor, "catalog.edit", matter)
    errors = _question_errors(matter, text, options, exclude_pk=question.pk if question else None)
    if errors:
        refuse(errors)
    if question is None:
        last = matter.questions.order_by("-position").first()
        question = GuideQuestion(matter=matter, position=position or ((last.position + 1) if last else 1))
    elif position is not None:
        question.position = position
    question.text = _text(text)
    question.save()
    existing = {o.text: o for o in question.options.all()}
    keep = []
    for number, data in enumerate(options, start=1):
        option_text = _text(data["text"])
        option = existing.get(option_text) or GuideOption(question=question, text=option_text)
        option.position = number
        option.save()
        option.situations.set([int(s) for s in data.get("situations", [])])
        keep.append(option.pk)
    question.options.exclude(pk__in=keep).delete()
    return question


@transaction.atomic
def delete_question(actor, question):
    _check(actor, "catalog.edit", question.matter)
    question.delete()


# --- guided resolution -------------------------------------------------------


@dataclass
class ChecklistItem:
    material: Material
    exempt: bool  # 免提交: fetched from an e-certificate
    because: str = ""  # the answer that brought it in

    @property
    def name(self):
        return self.material.name


@dataclass
class Resolution:
    matter: Matter
    situations: list
    answered: list = field(default_factory=list)  # [(question, option)]
    next_question: GuideQuestion | None = None
    next_options: list = field(default_factory=list)  # options of next_question that keep a situation
    checklist: list | None = None  # [ChecklistItem] once one situation remains
    pending: list = field(default_factory=list)  # conditional materials whose question is unanswered

    @property
    def situation(self):
        return self.situations[0] if len(self.situations) == 1 else None

    @property
    def complete(self):
        return self.situation is not None and self.next_question is None

    def answers(self):
        return {question.pk: option.pk for question, option in self.answered}


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def resolve(matter, answers):
    """Narrow `matter` to its situations by the answers given
    ({question id: option id}); unknown or contradicting answers are ignored.

    Returns the remaining situations, the next question that still matters
    (it narrows the situations, or brings in a material of one of them) with
    the options that keep at least one situation, and, once one situation
    remains, the exact material checklist."""
    answers = {_as_int(q): _as_int(o) for q, o in (answers or {}).items()}
    situations = list(matter.situations.all())
    questions = list(matter.questions.prefetch_related("options__situations", "options__materials"))
    remaining = {s.pk for s in situations}
    chosen = {}
    answered = []
    for question in questions:
        option_id = answers.get(question.pk)
        option = next((o for o in question.options.all() if o.pk == option_id), None)
        if option is None:
            continue
        keeps = {s.pk for s in option.situations.all()}
        if keeps and not (keeps & remaining):
            continue  # contradicts an earlier answer
        if keeps:
            remaining &= keeps
        chosen[question.pk] = option
        answered.append((question, option))

    def relevant_options(question):
        out = []
        for option in question.options.all():
            keeps = {s.pk for s in option.situations.all()}
            if not keeps or keeps & remaining:
                out.append(option)
        return out

    next_question, next_options = None, []
    for question in questions:
        if question.pk in chosen:
            continue
        options = relevant_options(question)
        narrows = any(
            {s.pk for s in o.situations.all()} and not remaining <= {s.pk for s in o.situations.all()} for o in options
        )
        brings = any(m.situation_id in remaining for o in options for m in o.materials.all())
        if len(options) >= 2 and (narrows or brings):
            next_question, next_options = question, options
            break
    result = Resolution(
        matter=matter,
        situations=[s for s in situations if s.pk in remaining],
        answered=answered,
        next_question=next_question,
        next_options=next_options,
    )
    if result.situation is not None:
        chosen_ids = {o.pk for o in chosen.values()}
        option_text = {o.pk: (q.text, o.text) for q in questions for o in q.options.all()}
        option_question = {o.pk: q.pk for q in questions for o in q.options.all()}
        checklist = []
        for material in result.situation.materials.all():
            exempt = material.from_e_certificate
            if material.only_if_id is None:
                checklist.append(ChecklistItem(material, exempt))
            elif material.only_if_id in chosen_ids:
                question_text, text = option_text.get(material.only_if_id, ("", ""))
                checklist.append(ChecklistItem(material, exempt, f"{question_text} {text}"))
            elif option_question.get(material.only_if_id) not in chosen:
                result.pending.append(material)
        result.checklist = checklist
    return result


def answers_from_query(querydict):
    """GET parameters q<question id>=<option id> as resolve() answers."""
    answers = {}
    for key, value in querydict.items():
        if key.startswith("q") and key[1:].isdigit():
            answers[int(key[1:])] = value
    return answers
