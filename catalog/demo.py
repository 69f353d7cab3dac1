"""The demo catalogue and its acceptance manuals.

`load_demo_catalogue()` builds 301 matters with 607 situations of the 12
provincial departments the bulletin names (catalog/demo_data.py), with
materials, guiding questions and conditional materials; `load_demo_manuals()`
gives every demo situation a manual: exactly 590 confirmed (the centre's
second batch), the rest drafted, returned or awaiting confirmation. Both are
deterministic and idempotent (only missing rows are added) and use
bulk_create, so they take well under a second or two.
"""

import datetime as dt
import zlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core.models import Department

from .codes import implementation_code, item_code
from .demo_data import DEPARTMENTS, EXTRA
from .models import GuideOption, GuideQuestion, Manual, ManualStep, ManualVersion, Material, Matter, Situation

PROVINCE = "510000"
CONFIRMED_TARGET = 590
KINDS = {
    "N": Situation.Kind.NEW,
    "C": Situation.Kind.CHANGE,
    "R": Situation.Kind.RENEW,
    "X": Situation.Kind.CANCEL,
    "B": Situation.Kind.REISSUE,
    "O": Situation.Kind.OTHER,
}
DEFAULT_NAMES = {"N": "新办", "C": "变更", "R": "延续", "X": "注销", "B": "补证（遗失或损毁）", "O": "其他"}
CERTIFICATE_WORDS = ("证", "执照", "证书")


def _pick(seed, options):
    return options[zlib.crc32(seed.encode("utf-8")) % len(options)]


@dataclass
class MaterialSpec:
    name: str
    form: str = Material.Form.ORIGINAL
    copies: int = 1
    file_format: str = "A4纸质或PDF"
    e_certificate: str = ""
    notes: str = ""
    required: bool = True
    only_if: tuple | None = None  # (question number, option number)


@dataclass
class SituationSpec:
    code: str
    name: str
    kind: str
    criteria: str
    materials: list = field(default_factory=list)


@dataclass
class QuestionSpec:
    text: str
    options: list  # [(text, [situation index]), ...]


@dataclass
class MatterSpec:
    function: str
    number: int
    name: str
    matter_type: str
    legal: int
    promised: int
    fee: str
    result: str
    flags: str
    specifics: list
    basis: str
    situations: list = field(default_factory=list)
    questions: list = field(default_factory=list)

    @property
    def person(self):
        return "P" in self.flags

    @property
    def catalogue_code(self):
        # type (2) + main item (5: department, serial) + sub-item (3) + version (2)
        return f"{self.matter_type}{DEPARTMENT_NUMBERS[self.function]:02d}{self.number:03d}00000"

    @property
    def has_certificate(self):
        return self.matter_type in ("01", "07") and any(w in self.result for w in CERTIFICATE_WORDS)


DEPARTMENT_NUMBERS = {function: n for n, (function, _, _) in enumerate(DEPARTMENTS, start=1)}


def _specs():
    """Every demo matter, composed from the name lists (no database access)."""
    out = []
    for function, basis, block in DEPARTMENTS:
        lines = [line for line in (block + EXTRA.get(function, "")).strip().splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            parts = (line.split("|") + [""] * 8)[:8]
            name, mtype, limits, fee, result, situations, flags, specifics = (p.strip() for p in parts)
            legal, promised = (int(x) for x in limits.split("/"))
            spec = MatterSpec(
                function,
                number,
                name,
                mtype,
                legal,
                promised,
                "" if fee == "-" else fee,
                result,
                flags,
                [s for s in specifics.split("、") if s],
                basis,
            )
            for entry in situations.split(";"):
                letter, _, sname = entry.partition(":")
                spec.situations.append(
                    SituationSpec("", sname or DEFAULT_NAMES[letter], letter, _criteria(spec, letter, sname))
                )
            _compose(spec)
            out.append(spec)
    return out


def _criteria(spec, letter, sname):
    result = spec.result
    if letter == "N":
        return f"申请人符合取得{result}的法定条件；申请材料齐全、符合法定形式"
    if letter == "C":
        return f"已取得{result}且在有效期内，{sname or '记载事项'}发生变化后30日内申请"
    if letter == "R":
        return f"{result}有效期届满30日前提出申请；有效期内未发生重大违法违规行为，仍符合法定条件"
    if letter == "X":
        return f"申请人终止相关活动或不再需要{result}，且无未办结的关联事项"
    if letter == "B":
        return f"{result}遗失、损毁或无法辨认，且仍在有效期内"
    return f"符合“{sname}”的办理条件；申请材料齐全、符合法定形式"


def _form_name(name):
    if name.endswith(("申请表", "申请书")):
        return name
    return f"{name}表" if name.endswith("申请") else f"{name}申请表"


def _compose(spec):
    """Materials and guiding questions of one matter."""
    applicant = (
        [MaterialSpec("居民身份证", Material.Form.BOTH, e_certificate="居民身份证", notes="调取电子证照的免于提交")]
        if spec.person
        else [
            MaterialSpec(
                "营业执照", Material.Form.COPY, e_certificate="营业执照", notes="通过电子证照库调取，免于提交"
            ),
            MaterialSpec("法定代表人身份证明", Material.Form.ORIGINAL, notes="加盖单位公章"),
        ]
    )
    form_word = _pick(spec.name, ["申请书", "申请表"])
    original = MaterialSpec(
        f"原{spec.result}",
        Material.Form.ORIGINAL,
        file_format="",
        e_certificate=spec.result if spec.has_certificate else "",
        notes="已归集电子证照的免于提交" if spec.has_certificate else "正本、副本",
    )
    for s in spec.situations:
        head = {
            "N": f"{spec.name}{form_word}",
            "C": "变更申请表",
            "R": "延续申请表",
            "X": "注销申请书",
            "B": "补证申请表",
            "O": _form_name(s.name),
        }[s.kind]
        materials = [MaterialSpec(head, notes="申请人签字（盖章），可在线填报")] + list(applicant)
        if s.kind == "N":
            materials += [
                MaterialSpec(m, _pick(m, [Material.Form.ORIGINAL, Material.Form.COPY, Material.Form.BOTH]))
                for m in spec.specifics
            ]
        elif s.kind == "C":
            materials += [
                MaterialSpec("变更事项说明及相关证明材料", notes="如变更名称的，提交变更后的登记证明"),
                original,
            ]
        elif s.kind == "R":
            materials += [
                MaterialSpec(f"{spec.result}有效期内{_pick(spec.name, ['经营', '执业', '从业', '运行'])}情况报告")
            ]
            materials += [MaterialSpec(m, Material.Form.COPY) for m in spec.specifics[:1]] + [original]
        elif s.kind == "X":
            materials += [MaterialSpec("注销原因说明"), MaterialSpec(original.name, notes="收回原件")]
        elif s.kind == "B":
            materials += [
                MaterialSpec("遗失声明或损毁证件", notes="遗失的提交在报刊或“信用中国（四川）”发布的遗失声明")
            ]
        else:
            materials += [MaterialSpec(m, Material.Form.COPY) for m in spec.specifics[:2]]
        seen = set()
        s.materials = [m for m in materials if not (m.name in seen or seen.add(m.name))]
    if "S" in spec.flags:
        return
    n = [i for i, s in enumerate(spec.situations) if s.kind == "N"]
    others = [i for i, s in enumerate(spec.situations) if s.kind != "N"]
    if n and others:
        if _pick(spec.name + "q", [True, False]):
            spec.questions.append(
                QuestionSpec(
                    f"是否首次申请{spec.result}？", [("是，首次申请", n), (f"否，已取得{spec.result}", others)]
                )
            )
        else:
            spec.questions.append(QuestionSpec(f"您是否已取得{spec.result}？", [("尚未取得", n), ("已经取得", others)]))
    if len(n) >= 2:
        spec.questions.append(QuestionSpec("您申请的是哪一种情形？", [(spec.situations[i].name, [i]) for i in n]))
    if len(others) >= 2:
        kinds = [spec.situations[i].kind for i in others]
        described = {
            "C": f"{spec.result}记载的事项发生变化",
            "R": "有效期即将届满，需要延续",
            "X": "不再需要，申请注销",
            "B": "证件遗失或损毁，申请补发",
        }
        unique = len(set(kinds)) == len(kinds) and "O" not in kinds
        spec.questions.append(
            QuestionSpec(
                "本次需要办理的业务是？",
                [(described[spec.situations[i].kind] if unique else spec.situations[i].name, [i]) for i in others],
            )
        )
    if "F" in spec.flags and n:
        q = len(spec.questions) + 1
        spec.questions.append(QuestionSpec("申请人属于哪类企业？", [("内资企业", []), ("外商投资企业", [])]))
        for i in n:
            spec.situations[i].materials.append(
                MaterialSpec(
                    "外国投资者主体资格证明（经公证认证）",
                    notes="境外形成的材料须经公证认证并附中文译本",
                    only_if=(q, 2),
                )
            )
    q = len(spec.questions) + 1
    if spec.person:
        spec.questions.append(QuestionSpec("是否委托他人代为办理？", [("本人办理", []), ("委托他人代办", [])]))
        extra = [
            MaterialSpec("授权委托书", notes="委托人签名", only_if=(q, 2)),
            MaterialSpec("受托人居民身份证", Material.Form.BOTH, e_certificate="居民身份证", only_if=(q, 2)),
        ]
    else:
        spec.questions.append(
            QuestionSpec("是否由法定代表人本人办理？", [("法定代表人本人办理", []), ("委托经办人办理", [])])
        )
        extra = [
            MaterialSpec("授权委托书", notes="加盖单位公章，写明委托事项和期限", only_if=(q, 2)),
            MaterialSpec("经办人居民身份证", Material.Form.BOTH, e_certificate="居民身份证", only_if=(q, 2)),
        ]
    for s in spec.situations:
        s.materials += extra


@transaction.atomic
def load_demo_catalogue():
    """Add the demo matters that are not there yet. Returns how many were added."""
    departments = {d.function: d for d in Department.objects.filter(region_id=PROVINCE)}
    specs = _specs()
    for spec in specs:
        uscc = departments[spec.function].uscc
        spec.implementation = implementation_code(uscc, "province", spec.catalogue_code)
        for serial, s in enumerate(spec.situations, start=1):
            s.code = item_code(spec.implementation, serial)
    existing = set(
        Matter.objects.filter(implementation_code__in=[s.implementation for s in specs]).values_list(
            "implementation_code", flat=True
        )
    )
    specs = [s for s in specs if s.implementation not in existing]
    if not specs:
        return 0
    matters = []
    for spec in specs:
        three = "L" in spec.flags
        department = departments[spec.function]
        matters.append(
            Matter(
                catalogue_code=spec.catalogue_code,
                implementation_code=spec.implementation,
                name=spec.name,
                matter_type=spec.matter_type,
                department=department,
                levels=["province", "city", "county"] if three else ["province"],
                legal_limit=spec.legal,
                promised_limit=spec.promised,
                has_fee=bool(spec.fee),
                fee_description=spec.fee,
                result_name=spec.result,
                certificate_type_code=(
                    f"51{DEPARTMENT_NUMBERS[spec.function]:02d}{spec.number:03d}" if spec.has_certificate else ""
                ),
                online="W" not in spec.flags,
                visits=1 if "W" in spec.flags else 0,
                review_levels=["county", "city", "province"] if three else ["province"],
                legal_basis=spec.basis,
            )
        )
    Matter.objects.bulk_create(matters)
    situations, questions = [], []
    for spec, matter in zip(specs, matters):
        spec.situation_rows = [
            Situation(matter=matter, item_code=s.code, name=s.name, kind=KINDS[s.kind], criteria=s.criteria)
            for s in spec.situations
        ]
        situations += spec.situation_rows
        spec.question_rows = [
            GuideQuestion(matter=matter, text=q.text, position=n) for n, q in enumerate(spec.questions, start=1)
        ]
        questions += spec.question_rows
    Situation.objects.bulk_create(situations)
    GuideQuestion.objects.bulk_create(questions)
    options = []
    for spec in specs:
        spec.option_rows = {}
        for qn, (q, row) in enumerate(zip(spec.questions, spec.question_rows), start=1):
            for on, (text, _) in enumerate(q.options, start=1):
                spec.option_rows[(qn, on)] = GuideOption(question=row, text=text, position=on)
        options += spec.option_rows.values()
    GuideOption.objects.bulk_create(options)
    Through = GuideOption.situations.through
    links, materials = [], []
    for spec in specs:
        for qn, q in enumerate(spec.questions, start=1):
            for on, (_, indexes) in enumerate(q.options, start=1):
                links += [
                    Through(guideoption_id=spec.option_rows[(qn, on)].pk, situation_id=spec.situation_rows[i].pk)
                    for i in indexes
                ]
        for s, row in zip(spec.situations, spec.situation_rows):
            for position, m in enumerate(s.materials, start=1):
                materials.append(
                    Material(
                        situation=row,
                        name=m.name,
                        required=m.required,
                        form=m.form,
                        copies=m.copies,
                        file_format=m.file_format,
                        from_e_certificate=bool(m.e_certificate),
                        e_certificate_name=m.e_certificate,
                        notes=m.notes,
                        position=position,
                        only_if=spec.option_rows[m.only_if] if m.only_if else None,
                    )
                )
    Through.objects.bulk_create(links)
    Material.objects.bulk_create(materials)
    return len(matters)


# --- manuals -----------------------------------------------------------------

BASE = dt.datetime(2024, 9, 2, 9, 0)
REVIEW_COMMENTS = [
    "材料审查要点中未写明复印件须加盖公章，请补充；不予受理情形应列明法律依据。",
    "受理步骤缺少“一次性告知补正”的环节，请补充；电子证照可调取的材料应注明免提交。",
    "常见补正情形过于笼统，请按材料逐项列明；请核对法定时限与承诺时限的表述。",
]


def _at(day, hour=10, minute=0):
    moment = BASE + dt.timedelta(days=day, hours=hour - 9, minutes=minute)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def manual_content(situation, materials, matter):
    """A realistic first draft of a situation's manual."""
    immediate = matter.promised_limit == 0
    steps = [
        "1. 取号叫号后，核验申请人（经办人）身份，通过人脸识别或身份证读卡器确认人证一致。",
        f"2. 询问办理诉求，确认办理“{matter.name}”的“{situation.name}”情形，必要时使用引导问答确定情形。",
        "3. 对照本手册材料清单逐项收取材料；可调取电子证照的材料当场调取，不要求申请人提交。",
        "4. 按材料审查要点逐项审查；材料不齐全或不符合法定形式的，当场一次性告知需要补正的全部内容，出具《补正材料通知书》。",
    ]
    if immediate:
        steps.append(f"5. 材料齐全、符合法定形式的，当场受理并即时办结，出具{matter.result_name}。")
    else:
        steps.append(f"5. 材料齐全、符合法定形式的，出具《受理通知书》，告知承诺时限{matter.promised_limit}个工作日。")
        if matter.review_levels and matter.review_levels[0] == "county":
            steps.append("6. 将办件流转至项目所在地县级部门初审，再经市级部门审查后报省级部门决定。")
        else:
            steps.append(f"6. 将办件及电子材料流转至{matter.department.short_name or matter.department.name}审查。")
    steps.append(
        f"{len(steps) + 1}. 不属于本部门职权或依法不需要取得许可的，出具《不予受理通知书》并说明理由和救济途径。"
    )
    checks = {}
    for m in materials:
        if m.from_e_certificate:
            text = f"通过电子证照库调取“{m.e_certificate_name}”，核对证照状态有效、持证主体与申请人一致；调取成功的免提交。"
        elif "身份" in m.name:
            text = "核验身份证件真实有效、在有效期内，与申请人（经办人）本人一致。"
        elif "申请" in m.name:
            text = "核对各栏目填写完整、与所选情形一致，申请人签字或加盖公章，日期有效。"
        elif "委托" in m.name:
            text = "委托事项、权限和期限明确，委托人签名或盖章，受托人身份信息与到场人员一致。"
        elif "报告" in m.name or "方案" in m.name:
            text = "由具备相应能力的单位编制，内容完整、结论明确，编制单位盖章、编制人员签字齐全。"
        elif "图" in m.name or "坐标" in m.name:
            text = "图件清晰，比例尺、坐标系统符合要求，拐点坐标与申请范围一致，加盖编制单位公章。"
        elif "合同" in m.name or "协议" in m.name:
            text = "合同双方签字盖章齐全，标的、期限与申请事项一致，复印件与原件核对一致。"
        elif m.form == Material.Form.COPY:
            text = f"核对复印件与原件一致，复印件清晰并加盖申请单位公章（个人签字），共{m.copies}份。"
        else:
            text = f"查验原件真实、完整、在有效期内，内容与申请事项一致，共{m.copies}份。"
        if m.only_if_id:
            text = "仅在引导问答中选择相应选项时收取。" + text
        checks[m.pk] = text
    refusals = [
        f"申请事项依法不属于{matter.department.short_name or matter.department.name}职权范围的，告知向有关部门申请。",
        "申请人隐瞒有关情况或者提供虚假材料的，不予受理，并依法告知一年内不得再次申请（适用行政许可事项）。",
    ]
    if situation.kind == Situation.Kind.RENEW:
        refusals.append(f"{matter.result_name}有效期已届满仍未申请延续的，告知按新办情形申请。")
    elif situation.kind in (Situation.Kind.CHANGE, Situation.Kind.CANCEL, Situation.Kind.REISSUE):
        refusals.append(f"申请人未取得{matter.result_name}或证照已被依法撤销、吊销的，不予受理。")
    else:
        refusals.append("申请人不具备申请主体资格，或同一事项已在办理中的，不予受理。")
    required = [m for m in materials if m.only_if_id is None and not m.from_e_certificate][:3]
    corrections = [f"未提交“{m.name}”或内容不完整的，一次性告知补正。" for m in required]
    corrections.append("复印件不清晰、未加盖公章或签字，申请表填写有误的，一次性告知补正。")
    return {
        "steps": "\n".join(steps),
        "checks": checks,
        "refusal_reasons": "\n".join(refusals),
        "correction_reasons": "\n".join(corrections),
        "legal_basis": matter.legal_basis,
    }


def _plan(situations):
    """Which demo situations do not reach confirmation, and how far they get.
    Natural resources (whose staff are the demo's department users) keeps one
    manual in each unfinished state; the rest are taken round-robin from the
    other departments' last situations, so exactly 590 are confirmed."""
    leftover = max(0, len(situations) - CONFIRMED_TARGET)
    by_department = {}
    for s in situations:
        by_department.setdefault(s.matter.department, []).append(s)
    states = [Manual.State.RETURNED, Manual.State.DRAFTED, Manual.State.REVIEWED, "redrafted"]
    plan = {}
    first = [rows for d, rows in by_department.items() if d.function == "natural_resources"]
    for s, state in zip(reversed(first[0]) if first else [], states):
        if len(plan) < leftover:
            plan[s.pk] = state
    queues = [
        list(reversed(rows))
        for d, rows in sorted(by_department.items(), key=lambda i: i[0].pk)
        if d.function != "natural_resources"
    ]
    turn = 0
    while len(plan) < leftover and any(queues):
        queue = queues[turn % len(queues)]
        if queue:
            plan[queue.pop(0).pk] = states[turn % len(states)]
        turn += 1
    return plan


@transaction.atomic
def load_demo_manuals():
    """Give every demo situation a manual (only those still without one)."""
    from accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in=["deptadmin", "manager"])}
    manager = users.get("manager")
    manager_name = f"{manager.name}（省政务服务中心）" if manager else "省政务服务中心审核组"
    situations = list(
        Situation.objects.filter(matter__department__region_id=PROVINCE)
        .select_related("matter__department")
        .order_by("matter__department_id", "item_code")
    )
    plan = _plan(situations)
    done = set(Manual.objects.values_list("situation_id", flat=True))
    todo = [s for s in situations if s.pk not in done]
    if not todo:
        return 0
    materials = {}
    for m in Material.objects.filter(situation__in=todo).order_by("position", "pk"):
        materials.setdefault(m.situation_id, []).append(m)
    manuals, versions, steps = [], [], []
    for index, s in enumerate(todo):
        department = s.matter.department
        own = users.get("deptadmin") if department.function == "natural_resources" else None
        drafter = (
            (own, f"{own.name}（{department.short_name}）") if own else (None, f"{department.short_name}行政审批处")
        )
        confirmer = (
            (own, f"{own.name}（{department.short_name}）") if own else (None, f"{department.short_name}分管负责人")
        )
        reviewer = (manager, manager_name)
        state = plan.get(s.pk, Manual.State.CONFIRMED)
        content = manual_content(s, materials.get(s.pk, []), s.matter)
        day = index % 40
        history = []  # (action, version, actor, at, comment)
        returned_first = state in (Manual.State.RETURNED, "redrafted") or index % 9 == 4
        history.append(("draft", 1, drafter, _at(day, 9, index % 60), "首次梳理"))
        if returned_first:
            history.append(("return", 1, reviewer, _at(day + 5, 15), REVIEW_COMMENTS[index % len(REVIEW_COMMENTS)]))
            if state != Manual.State.RETURNED:
                history.append(("draft", 2, drafter, _at(day + 8, 10), "按审核意见修改"))
        last = max(v for _, v, *_ in history)
        if state in (Manual.State.REVIEWED, Manual.State.CONFIRMED):
            history.append(("approve", last, reviewer, _at(day + 12, 16), "同意，请部门确认。"))
        if state == Manual.State.CONFIRMED:
            history.append(("confirm", last, confirmer, _at(day + 15, 11), "确认无误，发布使用。"))
        final_state = Manual.State.DRAFTED if state == "redrafted" else state
        manual = Manual(situation=s, state=final_state, version=last, updated_at=history[-1][3])
        manuals.append(manual)
        checks = [
            {"material_id": m.pk, "material": m.name, "check": content["checks"][m.pk]} for m in materials.get(s.pk, [])
        ]
        for action, number, (actor, name), at, comment in history:
            if action == "draft":
                first = number == 1 and returned_first
                versions.append(
                    ManualVersion(
                        manual=manual,
                        number=number,
                        steps=content["steps"]
                        if not first
                        else "\n".join(content["steps"].splitlines()[:3] + content["steps"].splitlines()[4:]),
                        checks=checks,
                        refusal_reasons=content["refusal_reasons"],
                        correction_reasons=content["correction_reasons"] if not first else "材料不齐全的，告知补正。",
                        legal_basis=content["legal_basis"],
                        note=comment,
                        author=actor,
                        author_name=name,
                        created_at=at,
                    )
                )
            steps.append(
                ManualStep(
                    manual=manual, version=number, action=action, actor=actor, actor_name=name, at=at, comment=comment
                )
            )
    Manual.objects.bulk_create(manuals)
    for row in versions:
        row.manual_id = row.manual.pk
    for row in steps:
        row.manual_id = row.manual.pk
    ManualVersion.objects.bulk_create(versions, batch_size=500)
    ManualStep.objects.bulk_create(steps, batch_size=500)
    return len(manuals)


def load_demo():
    return {"matters": load_demo_catalogue(), "manuals": load_demo_manuals()}
