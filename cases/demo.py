"""The demo year: 2024 at the provincial hall's comprehensive windows.

`load_demo_year(seed=2024)` writes a deterministic year of cases
(2024-01-01 to 2024-12-31) over the matters in the database, with every
case's whole life as events, the certificates of every issue event, the
ratings of a share of concluded cases, and the consultations. It is built so
that `cases.stats.figures` reads exactly what the centre's bulletin of
2024-11-04 says (`WEEK` and `YEAR_TO_DATE` below).

How it works
------------
Each case is played through `_Sim`, which moves its state by the transition
table (cases/transitions.py `enter`, the same table cases/services.py
enforces) and writes the same events, event data, holder and window moves,
deadline arithmetic and version counter as the services, on a working-time clock built from
the official calendar (core.workdays). Nothing is written until the whole
year is planned; then Case, CaseEvent, Certificate and Evaluation rows go in
with bulk_create, the serial counters are moved past the numbers used, and a
marker row makes a second run a no-op.

Exactness: consultations and acceptances are exact per day by construction
(a quota for every working day). Issues and transfers come from every case
whose events fall in a period, and most cases are "free": their lives run
as they run, across the week's boundaries too. The batch cases of each
counted period (applications by a training body or employer for dozens to
hundreds of people: one acceptance, many certificates, the people's files
passed between window and department batch by batch) are kept wholly inside
their period, and their certificates and batches are sized last to make up
the exact remainder of the period's issues and transfers.

Seeding runs with nobody acting, so nothing is audited (core.signals records
changes made by a person only, and bulk_create sends no signals anyway).
"""

import datetime as dt
import math
import random
import time
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction

from accounts.demo import make_uscc
from accounts.models import Agent, Organisation, Person
from catalog.models import Material, Matter, Situation
from core import crypto, workdays
from core.models import Department, Level, Region
from hall.models import Window

from . import identifiers, partitions, personal, summary, transitions
from .models import Case, CaseEvent, Certificate, Channel, Counter, Evaluation

YEAR = 2024
MARKER = "demo:year:2024"
YEAR_START, YEAR_END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
WEEK_START, WEEK_END = dt.date(2024, 11, 4), dt.date(2024, 11, 8)
# The bulletin of 2024-11-04 (第N期, 11月4日—11月8日), 四、综窗改革攻坚行动.
WEEK = {"consultations": 1635, "acceptances": 879, "certificates": 1077, "transfers": 2909}
YEAR_TO_DATE = {"consultations": 70371, "acceptances": 29107, "certificates": 148786, "transfers": 327744}
PROVINCE = "510000"

State = Case.State
Kind = CaseEvent.Kind
END_MOMENT = dt.datetime(YEAR + 1, 1, 1)  # local wall time; nothing at or after it is written
DAY = 30600  # working seconds of a day, 09:00–17:30
OPEN = 9 * 3600
PAUSES = {Kind.CORRECTION_REQUESTED: Kind.CORRECTION_ANSWERED, Kind.SUSPEND: Kind.RESUME}

# Periods the bulletin counts over: A is the year to date before the week.
A, W, B = "A", "W", "B"
TARGETS = {A: {k: YEAR_TO_DATE[k] - WEEK[k] for k in WEEK}, W: dict(WEEK)}

# Matters whose certificates are applied for in batches by an employer or a
# training body (特种作业操作证, 执业证书, 从业资格证 …).
BATCH_WORDS = (
    "操作证",
    "操作资格",
    "作业人员",
    "从业资格",
    "从业人员",
    "执业注册",
    "执业证",
    "保安员证",
    "考核",
    "职业技能",
    "建造师",
    "建筑师",
    "工程师注册",
    "船员",
    "社会保障卡",
    "资格认定",
)
PERSON_WORDS = (
    "驾驶员",
    "从业人员",
    "从业资格",
    "执业注册",
    "执业许可",
    "执业证",
    "执业审核",
    "执业登记",
    "执业核准",
    "护照",
    "通行证",
    "身份证",
    "户口",
    "户籍",
    "无犯罪",
    "驾驶证",
    "社会保障卡",
    "失业保险",
    "养老保险",
    "就业创业",
    "职称",
    "职业资格",
    "职业技能",
    "操作证",
    "作业人员",
    "保安员",
    "建造师",
    "建筑师",
    "结构工程师",
    "公证员",
    "鉴定人",
    "医师",
    "护士",
    "船员",
    "乡村医生",
    "出生医学",
    "工伤",
    "劳动能力",
    "劳动人事",
    "法律援助",
    "资料查询",
    "签证",
    "个人所得税",
    "房产交易",
    "陪审员",
    "律师证书",
    "律师执业",
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万覃武钱严莫孔"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文红玉兰志强俊晓东海燕雪梅林波辉鹏宇浩然欣怡子涵思远嘉怡雨轩博文梓萱一鸣佳琪天佑婷婷小龙春梅国庆永红德明丹丹晨阳"
BRANDS = [
    "锦程",
    "天府",
    "蜀通",
    "川恒",
    "巴蜀",
    "峨眉",
    "青城",
    "嘉陵",
    "岷江",
    "雅安",
    "川西",
    "蓉城",
    "西岭",
    "金沙",
    "泸州",
    "攀西",
    "龙泉",
    "九洲",
    "长虹",
    "沱江",
    "涪江",
    "宝光",
    "新希望",
    "华西",
    "大凉山",
    "剑门",
    "三星",
    "都江",
    "卧龙",
    "蜀南",
    "安宁",
    "广元",
    "达川",
    "川南",
    "川北",
    "川东",
    "锦华",
    "鼎诚",
    "恒信",
    "宏达",
    "兴川",
    "瑞丰",
    "正和",
    "同心",
    "众诚",
    "远景",
    "中和",
    "德源",
    "泰安",
]
TRADES = [
    "建设工程",
    "矿业",
    "道路运输",
    "物流",
    "医疗管理",
    "化工",
    "安全技术",
    "检测技术",
    "人力资源",
    "食品",
    "能源",
    "电力工程",
    "爆破工程",
    "保安服务",
    "职业技能培训",
    "测绘",
    "地质勘查",
    "燃气",
    "机动车驾驶培训",
    "建筑劳务",
    "设备安装",
    "信息技术",
    "环保科技",
    "水运",
]
ORG_SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
CORRECTION_PROBLEMS = [
    "缺少法定代表人签字",
    "复印件未加盖公章",
    "申请表部分栏目未填写",
    "证明文件已过有效期",
    "材料内容与所选情形不一致",
    "图件比例尺不符合要求",
    "委托书未写明委托权限",
]
QUESTIONS = [
    "办理{m}需要提交哪些材料？",
    "{m}多长时间能办好？",
    "{m}可以网上办理吗？",
    "{m}是否收费？",
    "{m}办理进度如何查询？",
    "{m}的结果可以邮寄吗？",
]
ANSWERS = [
    "已按办事指南一次性告知所需材料",
    "已告知承诺时限及办理流程",
    "已告知可通过四川政务服务网在线申请",
    "已告知收费标准及依据",
    "已告知通过办件编号查询进度",
    "已告知可选择邮寄送达",
]
GENERAL_QUESTIONS = [
    ("大厅办理时间是几点到几点？", "已告知工作日9:00—17:30办理"),
    ("在哪里取号？", "已引导至一楼取号机取号"),
    ("企业开办需要到哪个窗口？", "已引导至综合窗口"),
    ("证照办好后在哪里领取？", "已告知到统一出件窗口领取或选择邮寄"),
    ("如何对办事服务进行评价？", "已告知可扫码或在政务服务网进行好差评"),
]
PROCEDURES = [
    ("专家评审", "技术方案需组织专家评审"),
    ("现场核查", "需赴现场核查实际情况"),
    ("听证", "涉及重大利益关系人，依申请组织听证"),
    ("技术审查", "委托技术机构开展技术审查"),
]
POOR_COMMENTS = ["等候时间较长", "一次性告知不够清楚，往返两次", "办理进度没有及时告知", "邮寄送达时间较长"]
GOOD_COMMENTS = ["", "", "", "服务热情，办理高效", "窗口人员耐心细致", "一次办好，很满意"]


# GB 11643 check character (what stdnum.cn.ric computes), inlined for the
# ~150,000 holders of batch certificates; the tests check them with stdnum.
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"


class _Stop(Exception):
    """The next step would fall after the end of the year: the case stays as it is."""


# --- the working-time clock -------------------------------------------------


class _Clock:
    """Working days of the official calendar (core.workdays), as a counter of
    working seconds (09:00–17:30) for placing events, and the same working-day
    arithmetic as core.workdays for deadlines."""

    def __init__(self):
        self.days, self.cum, self.first_from = [], {}, {}
        day, count, last = YEAR_START, 0, dt.date(YEAR + 1, 12, 31)
        while day <= last:
            if workdays.is_working_day(day):
                self.days.append(day)
                count += 1
            self.cum[day] = count
            day += dt.timedelta(days=1)
        self.pos = {d: i for i, d in enumerate(self.days)}
        self.starts = [dt.datetime(d.year, d.month, d.day, 9) for d in self.days]
        for d, c in self.cum.items():
            self.first_from[d] = c - 1 if d in self.pos else c

    def moment(self, w):
        return self.starts[w // DAY] + dt.timedelta(seconds=w % DAY)

    def ceil(self, moment):
        """The first working second at or after `moment`."""
        day = moment.date()
        index = self.first_from[day]
        if self.days[index] != day:
            return index * DAY
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second - OPEN
        if seconds < 0:
            return index * DAY
        if seconds >= DAY:
            return (index + 1) * DAY
        return index * DAY + seconds

    def add_working_days(self, start, days):
        if days == 0:
            return start
        return self.days[self.cum[start] + days - 1]

    def working_days_between(self, start, end):
        return self.cum[end] - self.cum[start]


def _period(day):
    return A if day < WEEK_START else (W if day <= WEEK_END else B)


def allocate(total, weights, lo=0, hi=None):
    """Whole numbers in [lo, hi], in proportion to `weights`, summing exactly to `total`."""
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("nothing to allocate to")
        return []
    rest = total - lo * n
    if rest < 0 or (hi is not None and rest > (hi - lo) * n):
        raise ValueError(f"cannot split {total} into {n} parts between {lo} and {hi}")
    out = [lo] * n
    active = list(range(n))
    while rest > 0:
        wsum = sum(weights[i] for i in active)
        shares = {i: rest * weights[i] / wsum for i in active}
        given = 0
        for i in active:
            take = int(shares[i])
            if hi is not None:
                take = min(take, hi - out[i])
            out[i] += take
            given += take
        rest -= given
        if hi is not None:
            active = [i for i in active if out[i] < hi]
        if 0 < rest <= len(active):
            for i in sorted(active, key=lambda i: (int(shares[i]) - shares[i], i))[:rest]:
                out[i] += 1
            rest = 0
    return out


# --- one case, played through the services' state machine ------------------


class _Sim:
    """A case as cases.services would leave it, with its events in order.

    Each method mirrors the service of the same name: the same state change,
    the same event kind, department, reason and data, the same version bump."""

    __slots__ = (
        "matter",
        "situation_id",
        "channel",
        "window",
        "region",
        "holder",
        "at_window",
        "review_step",
        "state",
        "received_at",
        "accepted_at",
        "due_date",
        "concluded_at",
        "version",
        "delivery",
        "delivery_address",
        "events",
        "certificates",
        "evaluation",
        "applicant",
        "agent_id",
        "phone",
        "batch",
        "pk",
        "number",
        "issuer",
    )

    def __init__(self, matter, situation_id, channel, window, region, holder, applicant, agent_id, phone):
        self.matter, self.situation_id, self.channel = matter, situation_id, channel
        self.window, self.region, self.holder = window, region, holder
        self.applicant, self.agent_id, self.phone = applicant, agent_id, phone
        self.at_window, self.review_step, self.state, self.version = True, 0, State.RECEIVED, 0
        self.received_at = self.accepted_at = self.due_date = self.concluded_at = None
        self.delivery = self.delivery_address = ""
        self.events, self.certificates, self.evaluation = [], [], None
        self.batch, self.pk, self.number, self.issuer = False, None, "", None

    # event: [seq, kind, at, actor_label, department, reason, data]
    def _event(self, kind, at, label, reason="", data=None, department=None):
        if at >= END_MOMENT:
            raise _Stop
        if self.events and at < self.events[-1][2]:
            raise AssertionError(f"time going backwards in a demo case: {kind} {at}")
        self.events.append([len(self.events) + 1, kind, at, label, department or self.holder, reason, data or {}])

    @staticmethod
    def _check(at):
        if at >= END_MOMENT:
            raise _Stop

    def _paused(self, until, clock):
        accepted, started, total = False, {}, 0
        for _, kind, at, *_ in self.events:
            if kind == Kind.ACCEPT:
                accepted = True
            elif accepted and kind in PAUSES:
                started[PAUSES[kind]] = at
            elif kind in started:
                begun = started.pop(kind)
                total += clock.working_days_between(begun.date(), at.date())
        if until is not None:
            for begun in started.values():
                total += clock.working_days_between(begun.date(), until.date())
        return total

    def _recomputed_due(self, at, clock):
        return clock.add_working_days(self.accepted_at.date(), self.matter.promised_limit + self._paused(at, clock))

    def receive(self, at, label, note=""):
        self._check(at)
        self.received_at = at
        self._event(Kind.RECEIVE, at, label, reason=note)
        self.state = transitions.enter("receive", None, True)

    def request_correction(self, at, label, items):
        self._check(at)
        previous = self.state
        self._event(Kind.CORRECTION_REQUESTED, at, label, data={"items": items, "previous": previous})
        self.state = transitions.enter("correct", previous, self.at_window)
        self.version += 1

    def answer_correction(self, at, label, note, clock):
        self._check(at)
        request = next(e for e in reversed(self.events) if e[1] == Kind.CORRECTION_REQUESTED)
        self._event(Kind.CORRECTION_ANSWERED, at, label, reason=note)
        self.state = transitions.enter(
            "answer_correction", self.state, self.at_window, previous=request[6].get("previous")
        )
        if self.accepted_at:
            self.due_date = self._recomputed_due(at, clock)
        self.version += 1

    def accept(self, at, label, clock):
        self._check(at)
        due = clock.add_working_days(at.date(), self.matter.promised_limit)
        self._event(Kind.ACCEPT, at, label, data={"due_date": due.isoformat()})
        self.state = transitions.enter("accept", self.state, self.at_window)
        self.accepted_at, self.due_date = at, due
        self.version += 1

    def refuse(self, at, label, reasons, legal_basis):
        self._check(at)
        self._event(Kind.REFUSE, at, label, reason=reasons, data={"legal_basis": legal_basis})
        self.state, self.concluded_at = transitions.enter("refuse", self.state, self.at_window), at
        self.version += 1

    def _transfer(self, at, label, to, to_window=False, reason=""):
        source, source_window = self.holder, self.at_window
        data = {
            "from": source.name + ("（窗口）" if source_window else ""),
            "to": to.name + ("（窗口）" if to_window else ""),
            "from_department": source.id,
            "to_department": to.id,
            "to_window": to_window,
        }
        self._event(Kind.TRANSFER, at, label, reason=reason, data=data, department=to)
        self.state = transitions.enter("transfer", self.state, source_window, to_window=to_window)
        self.holder, self.at_window = to, to_window

    def transfer(self, at, label, to=None, to_window=False, reason=""):
        self._check(at)
        if to_window:
            to = self.window.hall.department if self.window else self.holder
        if to.id == self.holder.id and to_window == self.at_window:
            raise AssertionError("transfer to where the case already is")
        self._transfer(at, label, to, to_window, reason)
        self.version += 1

    def review(self, at, label, opinion, next_department):
        self._check(at)
        self._event(Kind.REVIEW, at, label, reason=opinion, data={"level": self.holder.level})
        self.review_step += 1
        self.state = transitions.enter("review", self.state, self.at_window)
        self._transfer(at, label, next_department, reason="报上级审查")
        self.version += 1

    def suspend(self, at, label, procedure, reason):
        self._check(at)
        self._event(Kind.SUSPEND, at, label, reason=reason, data={"procedure": procedure})
        self.state = transitions.enter("suspend", self.state, self.at_window)
        self.version += 1

    def resume(self, at, label, result, clock):
        self._check(at)
        self._event(Kind.RESUME, at, label, reason=result)
        self.state = transitions.enter("resume", self.state, self.at_window)
        self.due_date = self._recomputed_due(at, clock)
        self.version += 1

    def decide(self, at, label, approved, opinion, clock, handover):
        self._check(at)
        assert not self.at_window and self.review_step == len(self.matter.review_levels) - 1
        used = clock.working_days_between(self.accepted_at.date(), at.date()) - self._paused(at, clock)
        self._event(
            Kind.CONCLUDE,
            at,
            label,
            reason=opinion,
            data={"approved": bool(approved), "working_days": used, "on_time": at.date() <= self.due_date},
        )
        self.state = transitions.enter("decide", self.state, self.at_window, approved=approved)
        self.concluded_at = at
        self.issuer = self.holder
        # As services.decide: the result goes to the window of the receiving
        # hall, or for online and postal cases the deciding region's centre.
        to = self.window.hall.department if self.window is not None else handover
        self._transfer(at, label, to, to_window=True, reason="办结，转窗口出件")
        self.version += 1

    def issue(self, at, label, holders, valid_years):
        """`holders`: (name, code) of each certificate."""
        self._check(at)
        assert holders
        state = transitions.enter("issue", self.state, self.at_window)
        for name, code in holders:
            data = {"certificate": None}  # numbered once the whole year is planned
            # As services.issue: counted under the deciding (issuing) department.
            self._event(Kind.ISSUE, at, label, data=data, department=self.issuer)
            self.certificates.append([at, name, code, valid_years, data])
        self.state = state
        self.version += 1

    def hand_over(self, at, label, method, address=""):
        self._check(at)
        # Sealed as services._event seals it (cases.personal).
        self._event(Kind.HANDOVER, at, label, data=personal.seal_event_data({"method": method, "address": address}))
        self.state = transitions.enter("hand_over", self.state, self.at_window)
        self.delivery, self.delivery_address = method, address
        self.version += 1

    def evaluate(self, at, label, score, comment, clock):
        self._check(at)
        transitions.enter("evaluate", self.state, self.at_window)
        self._event(Kind.EVALUATE, at, label, reason=comment, data={"score": score})
        follow_up_due = clock.add_working_days(at.date(), 15) if score <= 2 else None
        self.evaluation = (score, comment, at, follow_up_due)


class _MatterInfo:
    __slots__ = (
        "pk",
        "name",
        "department",
        "promised_limit",
        "review_levels",
        "result_name",
        "type_code",
        "online",
        "situations",
        "materials",
        "person",
        "batchable",
        "has_certificate",
        "obj",
    )

    def __init__(self, matter, situations, materials):
        self.obj = matter
        self.pk, self.name, self.department = matter.pk, matter.name, matter.department
        self.promised_limit, self.review_levels = matter.promised_limit, list(matter.review_levels or ["province"])
        self.result_name, self.online = matter.result_name, matter.online
        self.type_code = matter.certificate_type_code or matter.catalogue_code[:6]
        self.has_certificate = bool(matter.certificate_type_code)
        self.situations, self.materials = situations, materials
        words = matter.name + matter.result_name
        self.person = any(w in words for w in PERSON_WORDS)
        self.batchable = (
            self.review_levels == ["province"] and matter.promised_limit <= 20 and any(w in words for w in BATCH_WORDS)
        )


# --- the year ----------------------------------------------------------------


class _Year:
    def __init__(self, seed, log):
        self.rng = random.Random(seed)
        self.births = [f"{dt.date(1958, 1, 1) + dt.timedelta(days=n):%Y%m%d}" for n in range(16001)]
        self.log = log
        self.clock = _Clock()
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        offsets = {dt.datetime(YEAR, m, 1, tzinfo=zone).utcoffset() for m in (1, 4, 7, 10, 12)}
        if len(offsets) != 1:
            raise RuntimeError("the demo year expects a time zone without daylight saving")
        self.offset = offsets.pop()
        self._reference()

    # reference data
    def _reference(self):
        departments = list(Department.objects.select_related("region"))
        self.departments = {(d.function, d.region_id): d for d in departments}
        self.centre = self.departments[("service_centre", PROVINCE)]
        self.provincial = [d for d in departments if d.region_id == PROVINCE and d.function != "service_centre"]
        windows = list(
            Window.objects.filter(kind=Window.Kind.COMPREHENSIVE, active=True, hall__region_id=PROVINCE)
            .select_related("hall__department")
            .order_by("number")
        )
        if not windows:
            raise RuntimeError("no comprehensive windows: run `manage.py setup_demo` first")
        self.windows = windows
        self.counties = list(Region.objects.filter(level=Level.COUNTY).select_related("parent").order_by("code"))
        self.parents = dict(Region.objects.exclude(parent=None).values_list("code", "parent_id"))
        situations, materials = defaultdict(list), defaultdict(list)
        for pk, matter_id in Situation.objects.order_by("matter_id", "item_code").values_list("pk", "matter_id"):
            situations[matter_id].append(pk)
        for situation_id, name in Material.objects.order_by("situation_id", "position", "pk").values_list(
            "situation_id", "name"
        ):
            materials[situation_id].append(name)
        matters = []
        for matter in (
            Matter.objects.filter(active=True, department__region_id=PROVINCE)
            .select_related("department")
            .order_by("pk")
        ):
            if not situations.get(matter.pk):
                continue
            info = _MatterInfo(matter, situations[matter.pk], materials)
            # county → city → province review needs that function's department at every level
            if info.review_levels != ["province"]:
                function = matter.department.function
                levels = set(info.review_levels)
                if info.review_levels[-1] != "province" or not levels <= {"county", "city", "province"}:
                    continue
                if "county" in levels and not any((function, c.code) in self.departments for c in self.counties):
                    continue
                if "city" in levels and not any((function, c.parent_id) in self.departments for c in self.counties):
                    continue
            matters.append(info)
        if not matters:
            raise RuntimeError("no provincial matters: load the catalogue (catalog.demo.load_demo_catalogue) first")
        self.matters = matters
        weights = [math.exp(self.rng.gauss(0, 1.0)) * (1.6 if m.promised_limit <= 5 else 1.0) for m in matters]
        self.matter_weights = weights
        self.batch_matters = [m for m in matters if m.batchable] or [m for m in matters if m.has_certificate] or matters
        self.batch_weights = [math.exp(self.rng.gauss(0, 0.7)) for _ in self.batch_matters]
        self.skipped_matters = Matter.objects.filter(active=True, department__region_id=PROVINCE).count() - len(matters)

    # applicants
    def _applicants(self):
        rng = self.rng
        cities = list(Region.objects.filter(level=Level.CITY).order_by("code"))
        county_codes = [c.code for c in self.counties] or [PROVINCE]
        taken_ids = set(Person.objects.values_list("resident_id", flat=True))
        people = []
        while len(people) < 4000:
            resident_id = self.resident_id(rng.choice(county_codes))
            if resident_id in taken_ids:
                continue
            taken_ids.add(resident_id)
            people.append(Person(name=self.person_name(), resident_id=resident_id, phone=self.phone()))
        Person.objects.bulk_create(people, batch_size=1000)
        taken_codes = set(Organisation.objects.values_list("uscc", flat=True))
        organisations, serial = [], 5_000_000
        while len(organisations) < 1500:
            serial += 7
            city = rng.choice(cities)
            code = make_uscc(city.code, "1", serial)
            if code in taken_codes:
                continue
            taken_codes.add(code)
            name = (
                f"{city.name.replace('市', '').replace('藏族羌族自治州', '').replace('彝族自治州', '').replace('藏族自治州', '')}"
                f"{rng.choice(BRANDS)}{rng.choice(TRADES)}{rng.choice(ORG_SUFFIXES)}"
            )
            organisations.append(
                Organisation(
                    uscc=code,
                    name=name[:120],
                    region_id=city.code,
                    legal_representative=self.person_name(),
                    address=f"{city.name}{rng.choice(BRANDS)}路{rng.randint(1, 300)}号",
                )
            )
        Organisation.objects.bulk_create(organisations, batch_size=500)
        agents = [Agent(organisation=o, person=people[i * 2 % len(people)]) for i, o in enumerate(organisations)]
        Agent.objects.bulk_create(agents, batch_size=1000)
        self.people = people
        self.organisations = [(o, people[i * 2 % len(people)]) for i, o in enumerate(organisations)]

    def person_name(self):
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def resident_id(self, region):
        rng = self.rng
        birth = self.births[rng.randrange(len(self.births))]
        body = f"{region}{birth}{rng.randint(1, 999):03d}"
        return body + _RIC_CHECK[sum(int(c) * w for c, w in zip(body, _RIC_WEIGHTS)) % 11]

    def phone(self):
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 999999999):09d}"

    # quotas
    def _weights(self, days, noise):
        rng = self.rng
        month = {
            1: 0.9,
            2: 0.8,
            3: 1.1,
            4: 1.0,
            5: 0.97,
            6: 1.04,
            7: 1.0,
            8: 0.94,
            9: 1.02,
            10: 0.92,
            11: 1.05,
            12: 1.1,
        }
        weekday = {0: 1.12, 1: 1.05, 2: 1.0, 3: 0.97, 4: 0.88, 5: 0.8, 6: 0.8}
        out = []
        for day in days:
            index = self.clock.pos[day]
            gap = (day - self.clock.days[index - 1]).days if index else 1
            factor = month[day.month] * weekday[day.weekday()] * (1.25 if gap >= 3 else 1.0)
            out.append(max(0.2, factor * (1 + rng.gauss(0, noise))))
        return out

    def _quotas(self, figure):
        days = [d for d in self.clock.days if d.year == YEAR]
        by_period = defaultdict(list)
        for day in days:
            by_period[_period(day)].append(day)
        quotas = {}
        for period in (A, W):
            counts = allocate(TARGETS[period][figure], self._weights(by_period[period], 0.07))
            quotas.update(zip(by_period[period], counts))
        per_day = TARGETS[A][figure] / len(by_period[A])
        weights = self._weights(by_period[B], 0.07)
        total = round(per_day * sum(weights))
        quotas.update(zip(by_period[B], allocate(total, weights)))
        return quotas

    # labels
    @staticmethod
    def clerk(window):
        return window.name if window else "网上政务服务平台"

    def desk(self, sim):
        """Who acts at the window the case is at: the comprehensive window, or
        the department's own window for a case applied for online."""
        return sim.window.name if sim.window else f"{sim.holder.short_name or sim.holder.name}窗口"

    @staticmethod
    def staff(department):
        return f"{department.short_name or department.name}审批人员"

    def applicant_label(self, sim):
        return f"{sim.applicant[1]}（申请人）"

    # building cases
    def _new_case(self, matter, channel, batch=False):
        rng = self.rng
        window = rng.choice(self.windows) if channel in (Channel.WINDOW, Channel.POST) else None
        if matter.review_levels[0] == "province":
            region_code, holder = PROVINCE, matter.department
        else:
            function = matter.department.function
            while True:
                county = rng.choice(self.counties)
                code = county.code if matter.review_levels[0] == "county" else county.parent_id
                if (function, code) in self.departments and all(
                    (function, c) in self.departments for c in (county.code, county.parent_id)
                ):
                    break
            region_code, holder = code, self.departments[(function, code)]
        if batch or not matter.person:
            organisation, agent = rng.choice(self.organisations)
            applicant = ("organisation", organisation.name, organisation.uscc, organisation.pk)
            agent_id = agent.pk
        else:
            person = rng.choice(self.people)
            applicant = ("person", person.name, person.resident_id, person.pk)
            agent_id = None
        situations = matter.situations
        situation = situations[0] if (batch or rng.random() < 0.55) else rng.choice(situations)
        sim = _Sim(matter, situation, channel, window, region_code, holder, applicant, agent_id, self.phone())
        sim.batch = batch
        return sim

    def _channel(self, matter):
        r = self.rng.random()
        if not matter.online:
            return Channel.POST if r < 0.12 else Channel.WINDOW
        if matter.review_levels[0] != "province":
            return Channel.WINDOW if r < 0.4 else Channel.ONLINE
        return Channel.WINDOW if r < 0.5 else (Channel.ONLINE if r < 0.92 else Channel.POST)

    def _correction_items(self, sim):
        rng = self.rng
        names = sim.matter.materials.get(sim.situation_id) or ["申请书"]
        picked = rng.sample(names, k=min(len(names), rng.choice((1, 1, 2))))
        return [{"material": n, "problem": rng.choice(CORRECTION_PROBLEMS)} for n in picked]

    def _take_in(self, sim, day_index, correction, latest=DAY - 5400):
        """Receipt (and a correction answered before acceptance) on or before
        working day `day_index`; returns the working second of acceptance."""
        rng, clock, M = self.rng, self.clock, self.clock.moment
        correction = correction and day_index >= 1
        clerk = self.desk(sim)
        if sim.channel == Channel.ONLINE:
            accept = day_index * DAY + rng.randint(0, latest)
            if correction:
                asked = (day_index - rng.randint(1, min(5, day_index))) * DAY + rng.randint(600, DAY - 1200)
                received = max(
                    M(asked) - dt.timedelta(minutes=rng.randint(20, 2 * 24 * 60)), dt.datetime(YEAR, 1, 1, 0, 5)
                )
                sim.receive(received, self.applicant_label(sim), note="网上申请")
                sim.request_correction(M(asked), self.staff(sim.holder), self._correction_items(sim))
                answered = rng.randint(asked + 60, accept - 60)
                sim.answer_correction(M(answered), self.applicant_label(sim), "已在线补正", clock)
            else:
                received = max(
                    M(accept) - dt.timedelta(minutes=rng.randint(15, 3 * 24 * 60)), dt.datetime(YEAR, 1, 1, 0, 5)
                )
                sim.receive(received, self.applicant_label(sim), note="网上申请")
            return accept
        if correction:
            received = (day_index - rng.randint(1, min(5, day_index))) * DAY + rng.randint(0, DAY - 3600)
            sim.receive(M(received), clerk, note="邮寄收件" if sim.channel == Channel.POST else "")
            sim.request_correction(M(received + rng.randint(300, 1800)), clerk, self._correction_items(sim))
            answered = day_index * DAY + rng.randint(0, latest - 1200)
            sim.answer_correction(M(answered), self.applicant_label(sim), "已补正", clock)
            return answered + rng.randint(120, 1200)
        received = day_index * DAY + rng.randint(0, latest - 2400)
        sim.receive(M(received), clerk, note="邮寄收件" if sim.channel == Channel.POST else "")
        return received + rng.randint(300, 2400)

    def free_case(self, matter, day_index):
        """One case accepted on working day `day_index`, its life as it comes."""
        rng, clock, M = self.rng, self.clock, self.clock.moment
        sim = self._new_case(matter, self._channel(matter))
        try:
            accept = self._take_in(sim, day_index, rng.random() < 0.12)
            sim.accept(M(accept), self.desk(sim), clock)
            self._back_office(sim, accept)
        except _Stop:
            pass
        return sim

    def _back_office(self, sim, accept):
        rng, clock, M = self.rng, self.clock, self.clock.moment
        matter, limit = sim.matter, sim.matter.promised_limit
        first = accept + (rng.randint(60, 900) if limit == 0 else rng.randint(300, 3 * 3600))
        sim.transfer(M(first), self.desk(sim), to=sim.holder, reason=f"转{sim.holder.short_name}审查")
        # active working time to the decision, and what happens meanwhile
        if limit == 0:
            active = rng.randint(300, 5400)
        else:
            late = rng.random() < 0.03
            days = limit + rng.randint(1, 4) if late else max(1, round(limit * rng.betavariate(2, 3)))
            active = days * DAY - (first % DAY) + rng.randint(0, DAY - 3600)
            active = max(active, 3600)
        points = []  # (fraction of active time, kind, extra)
        levels = matter.review_levels
        stage = 0.0
        if len(levels) > 1:
            for i in range(len(levels) - 1):
                f = (i + rng.uniform(0.3, 0.9)) / len(levels)
                points.append((f, "review", None))
                stage = f
        blocks = []
        if limit > 0:
            r = rng.random()
            blocks += ["consult"] * (1 if r < 0.16 else (2 if r < 0.2 else 0))
            if limit >= 10 and rng.random() < 0.015:
                blocks.append("suspend")
            if rng.random() < 0.02:
                blocks.append("correction")
        rng.shuffle(blocks)
        if blocks:
            width = (1 - stage) / len(blocks)
            for i, block in enumerate(blocks):
                start = stage + i * width
                if block == "consult":
                    points.append((start + width * rng.uniform(0.1, 0.4), "consult_out", None))
                    points.append((start + width * rng.uniform(0.6, 0.9), "consult_back", None))
                else:
                    length = rng.randint(5, 15) * DAY if block == "suspend" else rng.randint(1, 4) * DAY
                    points.append((start + width * 0.5, block, length))
        points.sort(key=lambda p: p[0])
        consulted = home = None
        shift, last = 0, first
        for f, kind, extra in points:
            at = first + 60 + int(f * active) + shift
            last = at + (extra or 0)
            label = self.staff(sim.holder)
            if kind == "review":
                parent = self._next_level(sim)
                opinion = "初审通过，报上级审查" if sim.holder.level == Level.COUNTY else "审查通过，报省级决定"
                sim.review(M(at), label, opinion, parent)
            elif kind == "consult_out":
                home = sim.holder
                consulted = rng.choice([d for d in self.provincial if d.pk != home.pk])
                sim.transfer(M(at), label, to=consulted, reason=f"征求{consulted.short_name}意见")
            elif kind == "consult_back":
                sim.transfer(M(at), self.staff(consulted), to=home, reason="已回复意见，转回主办部门")
            elif kind == "suspend":
                procedure, reason = rng.choice(PROCEDURES)
                sim.suspend(M(at), label, procedure, reason)
                sim.resume(M(at + extra), label, f"{procedure}已完成", self.clock)
                shift += extra
            elif kind == "correction":
                sim.request_correction(M(at), label, self._correction_items(sim))
                sim.answer_correction(M(at + extra), self.applicant_label(sim), "已补充材料", self.clock)
                shift += extra
        decided = first + 120 + active + shift
        if limit == 0 and decided // DAY != accept // DAY:
            decided = max(last + 60, (accept // DAY + 1) * DAY - 60)  # 即办件: the same day
        approved = rng.random() < 0.97
        opinion = "符合法定条件，准予许可" if approved else "经审查，申请人不符合法定条件，不予许可"
        sim.decide(M(decided), self.staff(sim.holder), approved, opinion, clock, self._handover(sim))
        self._result(sim, decided, approved)

    def _handover(self, sim):
        return self.departments.get(("service_centre", sim.holder.region_id), sim.holder)

    def _next_level(self, sim):
        return self.departments[(sim.holder.function, self.parents[sim.holder.region_id])]

    def _result(self, sim, decided, approved, copies=None, issue_at=None):
        """After the decision: back to a window, certificates, hand-over, rating."""
        rng, M = self.rng, self.clock.moment
        pickup = (
            sim.batch
            or (sim.channel == Channel.WINDOW and rng.random() < 0.85)
            or (sim.channel == Channel.ONLINE and rng.random() < 0.4)
        )
        now = decided
        if sim.window is None and approved and pickup:
            wait = rng.randint(300, 5400)
            if issue_at is not None:
                wait = min(wait, (issue_at - decided) // 2)
            now = decided + wait  # the applicant comes to the window some time after
        if approved:
            if copies is None:
                r = rng.random()
                copies = 1 if r < 0.9 else (2 if r < 0.97 else rng.randint(3, 6))
            now = issue_at if issue_at is not None else now + rng.randint(1800, DAY + 3600)
            if sim.batch:
                holders = [
                    (self.person_name(), self.resident_id(rng.choice(self.counties).code)) for _ in range(copies)
                ]
            else:
                holders = [(sim.applicant[1], sim.applicant[2])] * copies
            valid = rng.choice((3, 5, 6)) if sim.matter.has_certificate else None
            sim.issue(M(now), self.desk(sim) if sim.at_window else self.staff(sim.holder), holders, valid)
        if pickup and (sim.window is not None or approved):
            now = now + rng.randint(300, 3 * DAY)
            sim.hand_over(M(now), self.desk(sim), "window")
        else:
            now = now + rng.randint(1800, 4 * 3600)
            sim.hand_over(M(now), self.desk(sim), "post", self.address())
        self._rate(sim, now)

    def address(self):
        county = self.rng.choice(self.counties)
        return f"四川省{county.full_name}{self.rng.choice(BRANDS)}路{self.rng.randint(1, 400)}号"

    def _rate(self, sim, after):
        rng = self.rng
        if rng.random() >= 0.42:
            return
        r = rng.random()
        score = 5 if r < 0.88 else 4 if r < 0.955 else 3 if r < 0.985 else 2 if r < 0.995 else 1
        comment = rng.choice(POOR_COMMENTS) if score <= 2 else rng.choice(GOOD_COMMENTS)
        at = self.clock.moment(after + rng.randint(60, 2 * DAY))
        sim.evaluate(at, self.applicant_label(sim), score, comment, self.clock)

    def refused_case(self, matter, day_index):
        rng, M = self.rng, self.clock.moment
        sim = self._new_case(matter, self._channel(matter))
        try:
            clerk = self.desk(sim)
            at = self._take_in(sim, day_index, rng.random() < 0.3)
            reasons, basis = rng.choice(
                [
                    (
                        "申请事项依法不属于本部门职权范围，已告知向有权机关申请",
                        "《中华人民共和国行政许可法》第三十二条第一款第（二）项",
                    ),
                    ("申请人不具备申请主体资格", "《中华人民共和国行政许可法》第三十二条第一款第（五）项"),
                    ("同一事项已在办理中，不得重复申请", "《中华人民共和国行政许可法》第三十二条"),
                    ("补正期限届满未补正全部材料", "《中华人民共和国行政许可法》第三十二条第一款第（四）项"),
                ]
            )
            sim.refuse(M(at), clerk, reasons, basis)
            self._rate(sim, at)
        except _Stop:
            pass
        return sim

    def waiting_case(self, matter, day_index, answered=False):
        """Received and told to correct, and the applicant has not come back (yet)."""
        rng, M = self.rng, self.clock.moment
        sim = self._new_case(matter, self._channel(matter))
        try:
            at = day_index * DAY + rng.randint(0, DAY - 3600)
            label = self.desk(sim) if sim.channel != Channel.ONLINE else self.applicant_label(sim)
            sim.receive(M(at), label, note="网上申请" if sim.channel == Channel.ONLINE else "")
            if not answered:
                sim.request_correction(
                    M(at + rng.randint(300, 1800)),
                    self.desk(sim) if sim.window else self.staff(sim.holder),
                    self._correction_items(sim),
                )
        except _Stop:
            pass
        return sim

    def batch_case(self, matter, day_index, last_index, copies, rounds, misrouted):
        """A batch application accepted on `day_index` whose life ends by `last_index`."""
        rng, clock = self.rng, self.clock
        channel = Channel.ONLINE if matter.online and rng.random() < 0.3 else Channel.WINDOW
        sim = self._new_case(matter, channel, batch=True)
        try:
            self._batch_life(sim, day_index, last_index, copies, rounds, misrouted)
        except _Stop:
            if day_index <= clock.pos[WEEK_END]:
                raise AssertionError("a batch case of a counted period ran past the end of the year") from None
        return sim

    def _batch_life(self, sim, day_index, last_index, copies, rounds, misrouted):
        rng, clock, M = self.rng, self.clock, self.clock.moment
        accept = self._take_in(sim, day_index, rng.random() < 0.05, latest=DAY - 12600)
        sim.accept(M(accept), self.desk(sim), clock)
        span = min(rng.randint(1, max(1, min(sim.matter.promised_limit, 6))), last_index - day_index)
        decided = (day_index + span) * DAY + rng.randint(0, DAY - 5400)
        if span == 0:
            decided = day_index * DAY + DAY - 5400
        decided = max(decided, accept + 3600)
        first = accept + rng.randint(120, 900)
        clerk, staff = self.desk(sim), self.staff(sim.holder)
        home = sim.holder
        if misrouted:
            wrong = rng.choice([d for d in self.provincial if d.pk != home.pk])
            sim.transfer(M(first), clerk, to=wrong, reason=f"转{wrong.short_name}审查")
            first += rng.randint(60, 600)
            sim.transfer(M(first), self.staff(wrong), to=home, reason=f"非本部门职责，转{home.short_name}")
        else:
            sim.transfer(M(first), clerk, to=home, reason=f"第1批材料报送{home.short_name}审查")
        moments = sorted(rng.randint(first + 1, decided - 1) for _ in range(2 * rounds))
        for k in range(rounds):
            sim.transfer(M(moments[2 * k]), staff, to_window=True, reason=f"第{k + 1}批审查结果返回窗口")
            sim.transfer(
                M(moments[2 * k + 1]), self.desk(sim), to=home, reason=f"第{k + 2}批材料报送{home.short_name}审查"
            )
        sim.decide(M(decided), staff, True, "经审查，所列人员符合条件，准予核发", clock, self._handover(sim))
        issue_at = decided + rng.randint(600, 3600)
        if issue_at // DAY > last_index:
            issue_at = decided + 60
        self._result(sim, decided, True, copies=copies, issue_at=issue_at)

    # the whole year
    def plan(self):
        rng, clock = self.rng, self.clock
        t0 = time.monotonic()
        self._applicants()
        acceptances = self._quotas("acceptances")
        consultations = self._quotas("consultations")
        days = sorted(acceptances)
        # batch slots: a share of each day's acceptances; in the week a few only
        batch_days = {}
        for day in days:
            period = _period(day)
            if period == W:
                batch_days[day] = 1  # the bulletin's week issued little beyond its own acceptances
            else:
                batch_days[day] = sum(rng.random() < 0.085 for _ in range(acceptances[day]))
        self.cases = []
        free = []
        for day in days:
            index = clock.pos[day]
            for _ in range(acceptances[day] - batch_days[day]):
                matter = rng.choices(self.matters, self.matter_weights)[0]
                free.append(self.free_case(matter, index))
            for _ in range(round(acceptances[day] * 0.035 * rng.uniform(0.6, 1.4))):
                matter = rng.choices(self.matters, self.matter_weights)[0]
                free.append(self.refused_case(matter, index))
            if rng.random() < 0.25:
                matter = rng.choices(self.matters, self.matter_weights)[0]
                free.append(self.waiting_case(matter, index))
        # received in the last days of the year, to be accepted in January
        for day in days[-2:]:
            for _ in range(rng.randint(8, 20)):
                matter = rng.choices(self.matters, self.matter_weights)[0]
                free.append(self.waiting_case(matter, clock.pos[day], answered=True))
        self.log(f"  planned {len(free)} free cases in {time.monotonic() - t0:.1f}s")
        counted = self._count(free)
        batches = self._batches(days, batch_days, counted)
        self.cases = sorted(free + batches, key=lambda s: s.received_at)
        self.consultations = self._consultations(consultations)
        self.log(
            f"  planned {len(batches)} batch cases, {len(self.consultations)} consultations "
            f"in {time.monotonic() - t0:.1f}s"
        )

    @staticmethod
    def _count(cases):
        counted = {A: defaultdict(int), W: defaultdict(int), B: defaultdict(int)}
        names = {Kind.ISSUE: "certificates", Kind.TRANSFER: "transfers", Kind.ACCEPT: "acceptances"}
        for sim in cases:
            for _, kind, at, *_ in sim.events:
                if kind in names:
                    counted[_period(at.date())][names[kind]] += 1
        return counted

    def _batches(self, days, batch_days, counted):
        rng, clock = self.rng, self.clock
        last = {
            A: clock.pos[max(d for d in days if _period(d) == A)],
            W: clock.pos[max(d for d in days if _period(d) == W)],
            B: clock.pos[max(d for d in days if _period(d) == B)],
        }
        slots = defaultdict(list)
        for day in days:
            for _ in range(batch_days[day]):
                matter = rng.choices(self.batch_matters, self.batch_weights)[0]
                slots[_period(day)].append((clock.pos[day], matter, math.exp(rng.gauss(0, 0.9))))
        sizes = {}
        for period in (A, W):
            rows = slots[period]
            if not rows:
                raise RuntimeError(f"no batch cases in period {period}")
            issues = TARGETS[period]["certificates"] - counted[period]["certificates"]
            transfers = TARGETS[period]["transfers"] - counted[period]["transfers"]
            base = 2 * len(rows)
            if issues < 10 * len(rows) or transfers < base:
                raise RuntimeError(
                    f"demo year infeasible in period {period}: {issues} certificates and "
                    f"{transfers} transfers left for {len(rows)} batch cases"
                )
            copies = allocate(issues, [w for *_, w in rows], lo=10, hi=1000)
            misrouted = (transfers - base) % 2
            rounds = allocate((transfers - base - misrouted) // 2, [c * rng.uniform(0.7, 1.3) for c in copies])
            sizes[period] = [(c, r, i == 0 and misrouted == 1) for i, (c, r) in enumerate(zip(copies, rounds))]
            self.log(
                f"  period {period}: {len(rows)} batch cases carry {issues} certificates and {transfers} transfers"
            )
        # after the week: batches like the year's
        mean_copies = sum(c for c, _, _ in sizes[A]) / len(sizes[A])
        mean_ratio = sum(r for _, r, _ in sizes[A]) / max(1, sum(c for c, _, _ in sizes[A]))
        sizes[B] = []
        for *_, weight in slots[B]:
            c = max(10, min(1000, round(mean_copies * weight / math.exp(0.9**2 / 2))))
            sizes[B].append((c, max(0, round(c * mean_ratio * rng.uniform(0.7, 1.3))), False))
        out = []
        for period in (A, W, B):
            for (index, matter, _), (copies, rounds, misrouted) in zip(slots[period], sizes[period]):
                end = last[period] if period != B else index + 8
                out.append(self.batch_case(matter, index, end, copies, rounds, misrouted))
        return out

    def _consultations(self, quotas):
        rng, M = self.rng, self.clock.moment
        out = []
        for day, count in sorted(quotas.items()):
            index = self.clock.pos[day]
            for _ in range(count):
                at = M(index * DAY + rng.randint(0, DAY - 1))
                in_person = rng.random() < 0.78
                window = rng.choice(self.windows) if in_person else None
                asker = rng.choice(SURNAMES) + rng.choice(("先生", "女士"))
                if rng.random() < 0.8:
                    matter = rng.choices(self.matters, self.matter_weights)[0]
                    k = rng.randrange(len(QUESTIONS))
                    question, answer = QUESTIONS[k].format(m=matter.name), ANSWERS[k]
                    department = matter.department
                else:
                    matter = None
                    question, answer = rng.choice(GENERAL_QUESTIONS)
                    department = self.centre
                out.append(
                    (
                        at,
                        window,
                        matter,
                        department,
                        asker,
                        question,
                        answer,
                        Channel.WINDOW if in_person else Channel.ONLINE,
                    )
                )
        return out

    # writing
    def _aware(self, local):
        return (local - self.offset).replace(tzinfo=dt.UTC)

    def _number(self):
        serials = {c.key: c.value for c in Counter.objects.filter(key__startswith="case:")}
        serials.update({c.key: c.value for c in Counter.objects.filter(key__startswith="cert:")})
        used = defaultdict(int)
        for sim in self.cases:
            day = sim.received_at.date()
            key = f"case:{sim.region}:{day:%Y%m%d}"
            serial = serials.get(key, 0) + 1
            serials[key] = used[key] = serial
            sim.number = identifiers.case_number(sim.region, day, serial)
        certificates = [(c[0], i, sim, c) for i, sim in enumerate(self.cases) for c in sim.certificates]
        certificates.sort(key=lambda row: (row[0], row[1]))
        self.certificate_rows = []
        for _at, _, sim, (issued, name, code, valid, data) in certificates:
            matter = sim.matter
            key = f"cert:{matter.type_code}:{issued:%Y}"
            serial = serials.get(key, 0) + 1
            serials[key] = used[key] = serial
            issuer = sim.issuer
            number = identifiers.certificate_number(matter.type_code, issued.date(), serial)
            data["certificate"] = number
            valid_until = None
            if valid:
                day = issued.date()
                valid_until = day.replace(year=day.year + valid, day=28 if (day.month, day.day) == (2, 29) else day.day)
            self.certificate_rows.append(
                (
                    sim,
                    number,
                    identifiers.e_certificate_id(
                        matter.type_code, issuer.uscc or issuer.region_id.ljust(18, "0"), serial, year=issued.year
                    ),
                    matter.result_name,
                    name,
                    code,
                    issuer.pk,
                    issued,
                    valid_until,
                )
            )
        self.counters = {key: serials[key] for key in used}

    def write(self):
        t0 = time.monotonic()
        self._number()
        out = _Writer(self.offset)
        T, D, J, S = out.time, out.date, out.json, out.seal
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(Case._meta.db_table)}")
            first_pk = (cursor.fetchone()[0] or 0) + 1
        rows = []
        for pk, sim in enumerate(self.cases, start=first_pk):
            sim.pk = pk
            kind, name, code, applicant = sim.applicant
            rows.append(
                (
                    pk,
                    sim.number,
                    sim.matter.pk,
                    sim.situation_id,
                    sim.channel,
                    applicant if kind == "person" else None,
                    applicant if kind == "organisation" else None,
                    sim.agent_id,
                    name,
                    S(Case, "applicant_code", code),
                    out.lookup_hash(code),
                    S(Case, "contact_phone", sim.phone),
                    sim.region,
                    sim.window.pk if sim.window else None,
                    sim.holder.pk,
                    sim.at_window,
                    sim.review_step,
                    sim.state,
                    T(sim.received_at),
                    T(sim.accepted_at),
                    D(sim.due_date),
                    T(sim.concluded_at),
                    T(sim.events[-1][2] if sim.events else None),  # moved_at: its newest event
                    sim.version,
                    sim.delivery,
                    S(Case, "delivery_address", sim.delivery_address),
                )
            )
        out.insert(
            Case,
            [
                "id",
                "number",
                "matter",
                "situation",
                "channel",
                "applicant_person",
                "applicant_organisation",
                "agent",
                "applicant_name",
                "applicant_code",
                "applicant_code_hash",
                "contact_phone",
                "region",
                "window",
                "holder",
                "at_window",
                "review_step",
                "state",
                "received_at",
                "accepted_at",
                "due_date",
                "concluded_at",
                "moved_at",
                "version",
                "delivery",
                "delivery_address",
            ],
            rows,
        )
        self.log(f"  wrote {len(rows)} cases in {time.monotonic() - t0:.1f}s")
        columns = [
            "case",
            "seq",
            "kind",
            "at",
            "day",
            "actor_label",
            "matter",
            "department",
            "window",
            "channel",
            "reason",
            "data",
        ]

        def case_events():
            for sim in self.cases:
                matter, window, channel, case = (
                    sim.matter.pk,
                    sim.window.pk if sim.window else None,
                    sim.channel,
                    sim.pk,
                )
                for seq, kind, at, label, department, reason, data in sim.events:
                    yield (
                        case,
                        seq,
                        kind,
                        T(at),
                        D(at.date()),
                        label,
                        matter,
                        department.id,
                        window,
                        channel,
                        reason,
                        J(data),
                    )
            for at, window, matter, department, asker, question, answer, channel in self.consultations:
                yield (
                    None,
                    0,
                    Kind.CONSULT,
                    T(at),
                    D(at.date()),
                    window.name if window else "12345热线及网上咨询",
                    matter.pk if matter else None,
                    department.pk,
                    window.pk if window else None,
                    channel,
                    "",
                    J({"asker": asker, "phone": "", "question": question, "answer": answer}),
                )

        events = out.insert(CaseEvent, columns, case_events())
        self.log(f"  wrote {events} events in {time.monotonic() - t0:.1f}s")
        certificates = out.insert(
            Certificate,
            [
                "case",
                "number",
                "e_certificate_id",
                "title",
                "holder_name",
                "holder_code",
                "holder_code_hash",
                "issuer",
                "issued_at",
                "valid_until",
                "revoked",
            ],
            (
                (
                    sim.pk,
                    number,
                    eid,
                    title[:80],
                    name,
                    S(Certificate, "holder_code", code),
                    out.lookup_hash(code),
                    issuer,
                    T(at),
                    D(valid),
                    False,
                )
                for sim, number, eid, title, name, code, issuer, at, valid in self.certificate_rows
            ),
        )
        evaluations = []
        for sim in self.cases:
            if sim.evaluation is None:
                continue
            score, comment, at, due = sim.evaluation
            closed, result = None, ""
            if due is not None and self.rng.random() < 0.85:
                moment = self.clock.moment(self.clock.ceil(at) + self.rng.randint(DAY, 10 * DAY))
                if moment < END_MOMENT:
                    closed, result = moment, "已电话回访申请人，说明情况并落实整改措施，申请人表示认可"
            evaluations.append((sim.pk, score, comment, T(at), D(due), T(closed), result))
        out.insert(
            Evaluation,
            ["case", "score", "comment", "at", "follow_up_due", "follow_up_closed_at", "follow_up_result"],
            evaluations,
        )
        existing = set(Counter.objects.filter(key__in=list(self.counters)).values_list("key", flat=True))
        Counter.objects.bulk_create(
            [Counter(key=k, value=v) for k, v in self.counters.items() if k not in existing], batch_size=500
        )
        for key in existing:
            Counter.objects.filter(key=key).update(value=self.counters[key])
        out.reset_sequences([Case, CaseEvent, Certificate, Evaluation])
        self.log(f"  wrote certificates, ratings and counters in {time.monotonic() - t0:.1f}s")
        return {
            "cases": len(rows),
            "events": events,
            "certificates": certificates,
            "evaluations": len(evaluations),
            "persons": len(self.people),
            "organisations": len(self.organisations),
        }


class _Writer:
    """Rows straight into their tables: one prepared INSERT run over the rows
    (executemany) on SQLite, COPY on PostgreSQL; values adapted by the
    backend's own operations the way the ORM adapts them. bulk_create builds
    a model instance and a fresh SQL string per batch, which costs several
    times as much for ~800k events (330 s against 80 s on SQLite here)."""

    CHUNK = 5000

    def __init__(self, offset):
        self.offset = offset
        self.ops = connection.ops
        self.sqlite = connection.vendor == "sqlite"
        self.hashes = {}

    def time(self, local):
        if local is None:
            return None
        utc = local - self.offset
        return str(utc) if self.sqlite else utc.replace(tzinfo=dt.UTC)

    def date(self, value):
        return self.ops.adapt_datefield_value(value) if value is not None else None

    def json(self, value):
        return self.ops.adapt_json_value(value, None)

    def seal(self, model, name, value):
        """Personal data as the ORM stores it: SM4 ciphertext (core.crypto, core.personal)."""
        return model._meta.get_field(name).get_prep_value(value)

    def lookup_hash(self, code):
        # An applicant's many cases share one hash: computed once per load.
        found = self.hashes.get(code)
        if found is None:
            found = self.hashes[code] = crypto.lookup_hash(code)
        return found

    def insert(self, model, names, rows):
        quote = self.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
        count, chunk = 0, []
        if connection.vendor == "postgresql":
            # COPY: executemany round-trips each row and took minutes here
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            return count
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
        with connection.cursor() as cursor:
            for row in rows:
                chunk.append(row)
                if len(chunk) >= self.CHUNK:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
        return count

    def reset_sequences(self, models):
        from django.core.management.color import no_style

        statements = self.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def demo_year_loaded():
    return Counter.objects.filter(key=MARKER).exists()


def load_demo_year(seed=2024, log=None):
    """Write the demo year unless it is there already. Returns the row counts
    written, or None when the year was loaded before."""
    log = log or (lambda message: None)
    if demo_year_loaded():
        return None
    started = time.monotonic()
    with transaction.atomic():
        if Counter.objects.select_for_update().filter(key=MARKER).exists():
            return None
        year = _Year(seed, log)
        year.plan()
        partitions.ensure(since=YEAR_START, until=YEAR_END)  # PostgreSQL: the year's months, not the default partition
        counts = year.write()
        counts["summary_rows"] = summary.rebuild()  # the bulk insert bypassed services._event
        Counter.objects.create(key=MARKER, value=seed)
    partitions.analyze()  # PostgreSQL: the planner learns the year is there
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["skipped_matters"] = year.skipped_matters
    return counts
