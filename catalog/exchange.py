"""Import and export of the whole catalogue, as Excel (openpyxl) or JSON.

Both formats have the same five tables with the same Chinese column headers:
事项, 情形, 材料, 引导问题, 引导选项. An import reads and checks every row
first; a bad row is reported by table, row and field ("情形 第12行
业务办理项编码：…"), and an import with any error changes nothing.

What an import does: matters are upserted by 实施编码 and situations by
业务办理项编码; for every situation in the file its materials become exactly
the file's (matched by name, so ids stay stable), and for every matter in the
file its guiding questions and options become exactly the file's (matched by
text). Matters and situations missing from the file are left as they are.
"""

import re
from dataclasses import dataclass, field

from accounts import policy
from core import exchange
from core.exchange import ImportFailed
from core.models import Department, Level

from .models import GuideOption, GuideQuestion, Material, Matter, MatterType, Situation
from .services import errors_of, label_of, matter_errors

FORMAT = "tongban-catalogue"
SHEETS = ["事项", "情形", "材料", "引导问题", "引导选项"]
LEVEL_LABELS = dict(Level.choices)
LEVEL_VALUES = {
    **{label: value for value, label in Level.choices},
    **{v: v for v, _ in Level.choices},
    "省": "province",
    "市": "city",
    "县": "county",
    "市州": "city",
    "区县": "county",
}
YES, NO = "是", "否"

# (header, model field, kind). Kinds: str, code, int, bool, type, levels, chain, kind, form, ref
MATTER_COLUMNS = [
    ("实施编码", "implementation_code", "code"),
    ("基本编码", "catalogue_code", "code"),
    ("事项名称", "name", "str"),
    ("事项类型", "matter_type", "type"),
    ("实施部门", "department", "department"),
    ("行使层级", "levels", "levels"),
    ("法定时限（工作日）", "legal_limit", "int"),
    ("承诺时限（工作日）", "promised_limit", "int"),
    ("是否收费", "has_fee", "bool"),
    ("收费标准", "fee_description", "str"),
    ("办理结果名称", "result_name", "str"),
    ("证照类型代码", "certificate_type_code", "code"),
    ("可网上办理", "online", "bool"),
    ("到现场次数", "visits", "int"),
    ("审查决定层级", "review_levels", "chain"),
    ("设定依据", "legal_basis", "str"),
    ("在用", "active", "bool"),
]
SITUATION_COLUMNS = [
    ("业务办理项编码", "item_code", "code"),
    ("实施编码", "matter", "code"),
    ("情形名称", "name", "str"),
    ("情形类型", "kind", "kind"),
    ("受理条件", "criteria", "str"),
]
MATERIAL_COLUMNS = [
    ("业务办理项编码", "situation", "code"),
    ("序号", "position", "int"),
    ("材料名称", "name", "str"),
    ("是否必需", "required", "bool"),
    ("材料形式", "form", "form"),
    ("份数", "copies", "int"),
    ("格式要求", "file_format", "str"),
    ("可调取电子证照免提交", "from_e_certificate", "bool"),
    ("电子证照名称", "e_certificate_name", "str"),
    ("填报说明", "notes", "str"),
    ("仅在选择此项时需要", "only_if", "str"),
]
QUESTION_COLUMNS = [("实施编码", "matter", "code"), ("问题序号", "position", "int"), ("问题", "text", "str")]
OPTION_COLUMNS = [
    ("实施编码", "matter", "code"),
    ("问题序号", "question", "int"),
    ("选项序号", "position", "int"),
    ("选项", "text", "str"),
    ("适用情形", "situations", "str"),
]
COLUMNS = {
    "事项": MATTER_COLUMNS,
    "情形": SITUATION_COLUMNS,
    "材料": MATERIAL_COLUMNS,
    "引导问题": QUESTION_COLUMNS,
    "引导选项": OPTION_COLUMNS,
}
OPTIONAL = {
    "收费标准",
    "证照类型代码",
    "设定依据",
    "受理条件",
    "格式要求",
    "电子证照名称",
    "填报说明",
    "仅在选择此项时需要",
    "适用情形",
    "在用",
    "到现场次数",
    "份数",
    "是否必需",
    "材料形式",
    "可调取电子证照免提交",
    "可网上办理",
    "是否收费",
}
DEFAULTS = {
    "在用": True,
    "到现场次数": 1,
    "份数": 1,
    "是否必需": True,
    "材料形式": Material.Form.ORIGINAL,
    "可调取电子证照免提交": False,
    "可网上办理": True,
    "是否收费": False,
}


# --- export ------------------------------------------------------------------


def _yes(value):
    return YES if value else NO


def export_tables(matters=None):
    """The catalogue as {sheet: [row dict with Chinese headers]}."""
    matters = (
        (matters if matters is not None else Matter.objects.all())
        .select_related("department")
        .order_by("department_id", "catalogue_code", "pk")
    )
    matters = list(matters)
    ids = [m.pk for m in matters]
    tables = {name: [] for name in SHEETS}
    situations = list(Situation.objects.filter(matter_id__in=ids).order_by("matter_id", "item_code"))
    by_matter = {}
    for s in situations:
        by_matter.setdefault(s.matter_id, []).append(s)
    questions = list(
        GuideQuestion.objects.filter(matter_id__in=ids)
        .prefetch_related("options__situations")
        .order_by("matter_id", "position", "pk")
    )
    q_by_matter = {}
    for q in questions:
        q_by_matter.setdefault(q.matter_id, []).append(q)
    option_ref = {}
    item_codes = {s.pk: s.item_code for s in situations}
    for matter in matters:
        tables["事项"].append(
            {
                "实施编码": matter.implementation_code,
                "基本编码": matter.catalogue_code,
                "事项名称": matter.name,
                "事项类型": matter.get_matter_type_display(),
                "实施部门": matter.department.name,
                "行使层级": "、".join(LEVEL_LABELS.get(v, v) for v in matter.levels),
                "法定时限（工作日）": matter.legal_limit,
                "承诺时限（工作日）": matter.promised_limit,
                "是否收费": _yes(matter.has_fee),
                "收费标准": matter.fee_description,
                "办理结果名称": matter.result_name,
                "证照类型代码": matter.certificate_type_code,
                "可网上办理": _yes(matter.online),
                "到现场次数": matter.visits,
                "审查决定层级": "→".join(LEVEL_LABELS.get(v, v) for v in matter.review_levels),
                "设定依据": matter.legal_basis,
                "在用": _yes(matter.active),
            }
        )
        for s in by_matter.get(matter.pk, []):
            tables["情形"].append(
                {
                    "业务办理项编码": s.item_code,
                    "实施编码": matter.implementation_code,
                    "情形名称": s.name,
                    "情形类型": s.get_kind_display(),
                    "受理条件": s.criteria,
                }
            )
        for qn, q in enumerate(q_by_matter.get(matter.pk, []), start=1):
            tables["引导问题"].append({"实施编码": matter.implementation_code, "问题序号": qn, "问题": q.text})
            for on, o in enumerate(q.options.all(), start=1):
                option_ref[o.pk] = f"{qn}.{on}"
                tables["引导选项"].append(
                    {
                        "实施编码": matter.implementation_code,
                        "问题序号": qn,
                        "选项序号": on,
                        "选项": o.text,
                        "适用情形": "、".join(sorted(item_codes.get(s.pk, "") for s in o.situations.all())),
                    }
                )
    for m in Material.objects.filter(situation__in=situations).order_by(
        "situation__matter_id", "situation__item_code", "position", "pk"
    ):
        tables["材料"].append(
            {
                "业务办理项编码": item_codes[m.situation_id],
                "序号": m.position,
                "材料名称": m.name,
                "是否必需": _yes(m.required),
                "材料形式": m.get_form_display(),
                "份数": m.copies,
                "格式要求": m.file_format,
                "可调取电子证照免提交": _yes(m.from_e_certificate),
                "电子证照名称": m.e_certificate_name,
                "填报说明": m.notes,
                "仅在选择此项时需要": option_ref.get(m.only_if_id, ""),
            }
        )
    return tables


def to_json(tables):
    return exchange.to_json(tables, FORMAT)


def _width(header):
    return 36 if "编码" in header or header in ("事项名称", "情形名称", "材料名称", "问题") else 14


def to_excel(tables):
    return exchange.to_excel(tables, {name: [h for h, _, _ in COLUMNS[name]] for name in SHEETS}, _width)


def export_catalogue(fmt="xlsx", matters=None):
    tables = export_tables(matters)
    return to_excel(tables) if fmt == "xlsx" else to_json(tables).encode("utf-8")


# --- reading -----------------------------------------------------------------


def read_excel(content):
    return exchange.read_excel(content, SHEETS)


def read_file(content, filename=""):
    return exchange.read_file(content, filename, SHEETS, empty_headers=lambda name: [h for h, _, _ in COLUMNS[name]])


# --- checking ----------------------------------------------------------------

SPLIT = re.compile(r"[、,，;；\s→>]+")


class _Bad(Exception):
    pass


def _cell(row, header):
    value = row.values.get(header)
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) else str(value).strip()


def _convert(row, header, kind):
    value = _cell(row, header)
    if value == "" or value is None:
        if header in DEFAULTS:
            return DEFAULTS[header]
        if header in OPTIONAL or kind == "str":
            return ""
        raise _Bad("请填写")
    if kind in ("str", "code", "department"):
        return str(value).strip().upper() if kind == "code" else str(value).strip()
    if kind == "int":
        if isinstance(value, bool):
            raise _Bad("应为整数")
        if isinstance(value, int):
            if value < 0:
                raise _Bad("不能为负数")
            return value
        if str(value).isdigit():
            return int(value)
        raise _Bad(f"“{value}”不是整数")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value)
        if text in (YES, "true", "True", "1", "Y", "y"):
            return True
        if text in (NO, "false", "False", "0", "N", "n"):
            return False
        raise _Bad(f"应填写“是”或“否”，不能是“{value}”")
    if kind == "type":
        text = str(value)
        for code, label in MatterType.choices:
            if text in (code, label, f"{code} {label}", f"{code}{label}"):
                return code
        raise _Bad(f"“{value}”不是有效的事项类型（如：行政许可、行政确认、公共服务）")
    if kind in ("levels", "chain"):
        out = []
        for part in SPLIT.split(str(value)):
            if not part:
                continue
            if part not in LEVEL_VALUES:
                raise _Bad(f"“{part}”不是有效的层级（省级、市级、县级）")
            out.append(LEVEL_VALUES[part])
        return out
    if kind in ("kind", "form"):
        choices = Situation.Kind.choices if kind == "kind" else Material.Form.choices
        for code, label in choices:
            if str(value) in (code, label):
                return code
        raise _Bad(f"“{value}”不是有效的选项（可填：{'、'.join(label for _, label in choices)}）")
    raise AssertionError(kind)


def _strip_label(label, message):
    message = str(message)
    if message.startswith(label + "："):
        return message
    if message.startswith(label):
        return f"{label}：{message[len(label) :].lstrip('：')}"
    return f"{label}：{message}"


class Checker:
    def __init__(self, tables, actor):
        self.tables = tables
        self.actor = actor
        self.problems = []

    def bad(self, row, label, message):
        self.problems.append(f"{row.where()} {_strip_label(label, message)}")

    def model_errors(self, row, model, errors, columns):
        by_field = {f: h for h, f, _ in columns}
        for name, messages in errors.items():
            label = by_field.get(name) or label_of(model, name)
            for message in messages:
                self.bad(row, label, message)

    def parse(self, row, columns):
        values, ok = {}, True
        for header, name, kind in columns:
            try:
                values[name] = _convert(row, header, kind)
            except _Bad as exc:
                self.bad(row, header, str(exc))
                ok = False
        return values if ok else None


@dataclass
class Plan:
    matters: list = field(default_factory=list)  # Matter instances (pk set when updating)
    situations: list = field(default_factory=list)  # (Situation, matter code)
    questions: dict = field(default_factory=dict)  # (matter code, qno) -> text
    options: dict = field(default_factory=dict)  # (matter code, qno, ono) -> (text, [item codes])
    materials: list = field(default_factory=list)  # (Material, item code, option ref or None)


def _departments():
    found = {}
    for d in Department.objects.filter(level=Level.PROVINCE):
        found[d.name] = d
        if d.short_name:
            found.setdefault(d.short_name, d)
    return found


def check(tables, actor=None):
    """Validate every row; return a Plan, or raise ImportFailed listing every problem."""
    c = Checker(tables, actor)
    plan = Plan()
    for name in SHEETS:
        headers = tables.get(name + ":headers")
        if headers is None:
            continue
        for header, _, _ in COLUMNS[name]:
            if header not in headers and header not in OPTIONAL and tables.get(name):
                c.problems.append(f"{name} 缺少列“{header}”")
    if c.problems:
        raise ImportFailed(c.problems)
    departments = _departments()
    by_pk = {d.pk: d for d in departments.values()}
    existing = {m.implementation_code: m for m in Matter.objects.select_related("department")}
    taken = {code: m.pk for code, m in existing.items()}
    matters, failed = {}, set()
    for row in tables["事项"]:
        values = c.parse(row, MATTER_COLUMNS)
        if values is None:
            # Rows that name this matter are not reported again.
            failed.add(str(_cell(row, "实施编码")).upper())
            continue
        code = values["implementation_code"]
        if code in matters:
            c.bad(row, "实施编码", f"{code} 在本文件中重复出现")
            continue
        department = departments.get(values.pop("department"))
        matter = existing.get(code) or Matter()
        before = matter.department if matter.pk else None
        matter._original = _values(matter, MATTER_UPDATE) if matter.pk else None
        for key, value in values.items():
            setattr(matter, key, value)
        matter.department_id = department.pk if department else None
        if department is None:
            c.bad(row, "实施部门", f"“{row.values.get('实施部门')}”不是省级部门的名称")
        else:
            matter.department = department
        errors = matter_errors(matter, departments=by_pk, taken=taken)
        if department is None:
            errors.pop("department", None)
        c.model_errors(row, Matter, errors, MATTER_COLUMNS)
        if actor is not None and department is not None:
            for scope in filter(None, [matter, before and Matter(department=before)]):
                if not policy.can(actor, "catalog.import", scope):
                    c.bad(row, "实施部门", f"无权导入“{scope.department.name}”的事项")
                    break
        matters[code] = matter
        plan.matters.append(matter)
    existing_situations = {s.item_code: s for s in Situation.objects.all()}
    situations = {}
    for row in tables["情形"]:
        values = c.parse(row, SITUATION_COLUMNS)
        if values is None:
            failed.add(str(_cell(row, "业务办理项编码")).upper())
            continue
        code, matter_code = values.pop("item_code"), values.pop("matter")
        if code in situations:
            c.bad(row, "业务办理项编码", f"{code} 在本文件中重复出现")
            continue
        situations[code] = matter_code
        if matter_code not in matters:
            if matter_code not in failed:
                c.bad(row, "实施编码", f"{matter_code} 不在“事项”表中")
            failed.add(code)
            c.model_errors(
                row, Situation, errors_of(Situation(item_code=code, **values), exclude=["matter"]), SITUATION_COLUMNS
            )
            continue
        situation = existing_situations.get(code) or Situation()
        if situation.pk and situation.matter_id != matters[matter_code].pk:
            c.bad(row, "业务办理项编码", f"{code} 已属于另一事项，不能改为属于 {matter_code}")
            continue
        situation._original = _values(situation, SITUATION_UPDATE) if situation.pk else None
        situation.matter = matters[matter_code]
        situation.item_code = code
        for key, value in values.items():
            setattr(situation, key, value)
        errors = errors_of(situation, exclude=["matter"])
        if "item_code" not in errors and not code.startswith(matter_code):
            errors["item_code"] = [f"业务办理项编码前31位应为所属事项的实施编码 {matter_code}"]
        c.model_errors(row, Situation, errors, SITUATION_COLUMNS)
        plan.situations.append((situation, matter_code))
    for row in tables["引导问题"]:
        values = c.parse(row, QUESTION_COLUMNS)
        if values is None:
            continue
        key = (values["matter"], values["position"])
        if values["matter"] not in matters:
            if values["matter"] not in failed:
                c.bad(row, "实施编码", f"{values['matter']} 不在“事项”表中")
        elif key in plan.questions:
            c.bad(row, "问题序号", f"事项 {values['matter']} 的问题序号 {values['position']} 重复")
        elif values["text"] in {t for (m, _), t in plan.questions.items() if m == values["matter"]}:
            c.bad(row, "问题", f"本事项已有问题“{values['text']}”")
        elif len(values["text"]) > 200:
            c.bad(row, "问题", "不能超过200字")
        else:
            plan.questions[key] = values["text"]
    for row in tables["引导选项"]:
        values = c.parse(row, OPTION_COLUMNS)
        if values is None:
            failed.add((str(_cell(row, "实施编码")).upper(), _cell(row, "问题序号")))
            continue
        matter_code = values["matter"]
        key = (matter_code, values["question"], values["position"])
        if (matter_code, values["question"]) not in plan.questions:
            if matter_code in failed:
                continue
            c.bad(row, "问题序号", f"事项 {matter_code} 没有第{values['question']}个问题（见“引导问题”表）")
            continue
        if key in plan.options:
            c.bad(row, "选项序号", f"选项序号 {values['position']} 重复")
            failed.add(key[:2])
            continue
        if values["text"] in {t for k, (t, _) in plan.options.items() if k[:2] == key[:2]}:
            c.bad(row, "选项", f"本问题已有选项“{values['text']}”")
            failed.add(key[:2])
            continue
        if len(values["text"]) > 120:
            c.bad(row, "选项", "不能超过120字")
            failed.add(key[:2])
            continue
        codes = [s.upper() for s in SPLIT.split(values["situations"]) if s]
        wrong = [s for s in codes if situations.get(s) != matter_code and s not in failed]
        if wrong:
            c.bad(row, "适用情形", f"{'、'.join(wrong)} 不是本事项在“情形”表中的情形")
            failed.add(key[:2])
            continue
        plan.options[key] = (values["text"], codes)
    for matter_code, qno in plan.questions:
        if (matter_code, qno) not in failed and sum(1 for k in plan.options if k[:2] == (matter_code, qno)) < 2:
            c.problems.append(f"引导问题 事项 {matter_code} 第{qno}个问题：至少要有两个选项（见“引导选项”表）")
    names = set()
    for row in tables["材料"]:
        values = c.parse(row, MATERIAL_COLUMNS)
        if values is None:
            continue
        code, ref = values.pop("situation"), values.pop("only_if")
        if code not in situations or situations[code] in failed:
            if code not in failed and situations.get(code) not in failed:
                c.bad(row, "业务办理项编码", f"{code} 不在“情形”表中")
            continue
        if (code, values["name"]) in names:
            c.bad(row, "材料名称", f"情形 {code} 已有材料“{values['name']}”")
            continue
        names.add((code, values["name"]))
        option_key = None
        if ref:
            parts = str(ref).split(".")
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                c.bad(row, "仅在选择此项时需要", f"“{ref}”应写作“问题序号.选项序号”，如 1.2")
                continue
            option_key = (situations[code], int(parts[0]), int(parts[1]))
            if option_key not in plan.options and situations[code] not in failed:
                c.bad(row, "仅在选择此项时需要", f"本事项没有第{parts[0]}个问题的第{parts[1]}个选项")
                continue
        material = Material(**values)
        c.model_errors(row, Material, errors_of(material, exclude=["situation", "only_if"]), MATERIAL_COLUMNS)
        plan.materials.append((material, code, option_key))
    if c.problems:
        raise ImportFailed(c.problems)
    return plan


# --- writing -----------------------------------------------------------------

MATTER_UPDATE = [f for _, f, _ in MATTER_COLUMNS if f != "department"] + ["department_id"]
SITUATION_UPDATE = ["name", "kind", "criteria"]
MATERIAL_UPDATE = [
    "position",
    "required",
    "form",
    "copies",
    "file_format",
    "from_e_certificate",
    "e_certificate_name",
    "notes",
    "only_if_id",
]


def _values(instance, fields):
    return {f: getattr(instance, f) for f in fields}


def _update_changed(model, rows, fields):
    """Write only the rows whose values differ from what was read (an
    unchanged catalogue re-imported writes nothing)."""
    changed = 0
    for row in rows:
        values = _values(row, fields)
        if getattr(row, "_original", None) != values:
            model.objects.filter(pk=row.pk).update(**values)
            changed += 1
    return changed


def _write(plan):
    counts = {
        "matters_created": 0,
        "matters_updated": 0,
        "situations_created": 0,
        "situations_updated": 0,
        "materials": 0,
        "questions": 0,
        "options": 0,
    }
    new = [m for m in plan.matters if m.pk is None]
    old = [m for m in plan.matters if m.pk is not None]
    _update_changed(Matter, old, MATTER_UPDATE)
    Matter.objects.bulk_create(new, batch_size=500)
    counts["matters_created"], counts["matters_updated"] = len(new), len(old)
    matter_ids = {m.implementation_code: m.pk for m in plan.matters}
    for situation, code in plan.situations:
        situation.matter_id = matter_ids[code]
    new = [s for s, _ in plan.situations if s.pk is None]
    old = [s for s, _ in plan.situations if s.pk is not None]
    _update_changed(Situation, old, SITUATION_UPDATE)
    Situation.objects.bulk_create(new, batch_size=500)
    counts["situations_created"], counts["situations_updated"] = len(new), len(old)
    situation_ids = {s.item_code: s.pk for s, _ in plan.situations}
    # Questions and options: matched by text within the matter / question.
    ids = list(matter_ids.values())
    old_questions = {(q.matter_id, q.text): q for q in GuideQuestion.objects.filter(matter_id__in=ids)}
    questions = {}
    for (code, qno), text in plan.questions.items():
        question = old_questions.get((matter_ids[code], text))
        if question is None:
            question = GuideQuestion(matter_id=matter_ids[code], text=text)
        else:
            question._original = {"position": question.position}
        question.position = qno
        questions[(code, qno)] = question
    _update_changed(GuideQuestion, [q for q in questions.values() if q.pk], ["position"])
    GuideQuestion.objects.bulk_create([q for q in questions.values() if q.pk is None], batch_size=500)
    keep = {q.pk for q in questions.values()}
    GuideQuestion.objects.filter(matter_id__in=ids).exclude(pk__in=keep).delete()
    old_options = {(o.question_id, o.text): o for o in GuideOption.objects.filter(question_id__in=keep)}
    options = {}
    for (code, qno, ono), (text, _) in plan.options.items():
        question = questions[(code, qno)]
        option = old_options.get((question.pk, text))
        if option is None:
            option = GuideOption(question=question, text=text)
        else:
            option._original = {"position": option.position}
        option.position = ono
        options[(code, qno, ono)] = option
    _update_changed(GuideOption, [o for o in options.values() if o.pk], ["position"])
    GuideOption.objects.bulk_create([o for o in options.values() if o.pk is None], batch_size=500)
    option_ids = [o.pk for o in options.values()]
    GuideOption.objects.filter(question_id__in=keep).exclude(pk__in=option_ids).delete()
    Through = GuideOption.situations.through
    wanted = {(options[key].pk, situation_ids[code]) for key, (_, codes) in plan.options.items() for code in codes}
    present = set(Through.objects.filter(guideoption_id__in=option_ids).values_list("guideoption_id", "situation_id"))
    stale = present - wanted
    if stale:
        for option_id, situation_id in stale:
            Through.objects.filter(guideoption_id=option_id, situation_id=situation_id).delete()
    Through.objects.bulk_create(
        [Through(guideoption_id=o, situation_id=s) for o, s in sorted(wanted - present)], batch_size=1000
    )
    counts["questions"], counts["options"] = len(questions), len(options)
    # Materials: matched by name within the situation.
    sids = list(situation_ids.values())
    old_materials = {(m.situation_id, m.name): m for m in Material.objects.filter(situation_id__in=sids)}
    materials = []
    for material, code, option_key in plan.materials:
        target = old_materials.get((situation_ids[code], material.name))
        if target is None:
            target = material
            target.situation_id = situation_ids[code]
        else:
            target._original = _values(target, MATERIAL_UPDATE)
            for name in MATERIAL_UPDATE:
                if name != "only_if_id":
                    setattr(target, name, getattr(material, name))
        target.only_if_id = options[option_key].pk if option_key else None
        materials.append(target)
    _update_changed(Material, [m for m in materials if m.pk], MATERIAL_UPDATE)
    Material.objects.bulk_create([m for m in materials if m.pk is None], batch_size=500)
    Material.objects.filter(situation_id__in=sids).exclude(pk__in=[m.pk for m in materials]).delete()
    counts["materials"] = len(materials)
    return counts


def import_catalogue(actor, content, filename=""):
    """Check the whole file, then write it in one transaction (core.exchange's
    one import flow). Returns counts; raises ImportFailed (nothing changed)
    listing every bad row."""
    return exchange.import_file(
        actor,
        content,
        filename,
        permission="catalog.import",
        read=read_file,
        check=check,
        write=_write,
        object_type="catalog.Catalogue",
        title="导入事项目录",
    )
