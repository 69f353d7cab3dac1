"""Demo data: distribution lists, the week of 2024-11-04..08 in the hall
(activity reports, leaders on duty, key work notes) and that week's draft
bulletin. Section 四's figures are computed from the demo case events by
the same code as any draft, never written here."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.models import Department
from hall.models import ActivityReport, DutyShift, KeyWork, KeyWorkNote, Window

from . import services
from .models import Bulletin, DistributionList

WEEK_START = dt.date(2024, 11, 4)
LISTS = [
    (
        "周报常规分送",
        "省政务管理办公室，省级相关部门（单位），省中心领导。",
        "省级相关部门（单位）驻省政务服务大厅窗口，省直部门办事大厅，省中心各处（室）、直属单位。",
        100,
        True,
    ),
    ("中心内部传阅", "省中心领导。", "省中心各处（室）、直属单位。", 30, False),
]
# (date, function, window number or "", kind, title, text)
ACTIVITIES = [
    (
        dt.date(2024, 11, 5),
        "fire",
        "",
        ActivityReport.Kind.PUBLICITY,
        "消防救援总队窗口开展消防宣传",
        "消防救援总队窗口结合消防宣传月，在省政务服务大厅设置宣传展台，以案例讲解、灭火器实操演示和发放宣传册等方式，"
        "向办事群众和窗口工作人员普及家庭及办公场所防火常识，现场发放资料300余份。",
    ),
    (
        dt.date(2024, 11, 6),
        "transport",
        "",
        ActivityReport.Kind.INSPECTION,
        "交通运输厅窗口赴项目现场督导",
        "交通运输厅窗口赴攀枝花市了解航道整治工程开工准备进展，逐项核对项目审批要件，"
        "对尚缺材料提出补充意见，协助建设单位倒排开工前审批时间表。",
    ),
    (
        dt.date(2024, 11, 7),
        "health",
        "",
        ActivityReport.Kind.HOME_SERVICE,
        "卫生健康委窗口上门指导医院执业登记",
        "省卫生健康委窗口到省级重点医疗建设项目现场开展上门服务，对照执业登记条件查看建设进度，"
        "就设置审批与执业登记衔接事项面对面答疑，帮助项目单位提前准备登记材料。",
    ),
    (
        dt.date(2024, 11, 8),
        "emergency",
        "",
        ActivityReport.Kind.HOME_SERVICE,
        "应急管理厅窗口进园区辅导许可申报",
        "应急管理厅窗口会同行业专家走进化工园区，为拟申请安全生产许可证的企业讲解申报条件，"
        "逐项辅导网上申报操作，帮助企业一次性备齐申请材料。",
    ),
]
# (leader, title, function, date, window number, notes)
SHIFTS = [
    ("刘志远", "党委委员", "public_security", dt.date(2024, 11, 6), "A01", "协调解决户籍迁移材料跨省核验问题1件"),
    (
        "陈雅琴",
        "二级巡视员",
        "justice",
        dt.date(2024, 11, 7),
        "A02",
        "现场解答公证事项办理咨询，督促窗口落实一次性告知",
    ),
]
# (name, order, sources, this week's note)
KEY_WORK = [
    (
        "数字政府项目建设",
        1,
        [],
        "按照省政府数字政府项目建设专题会议要求，会同省数据主管部门对建设方案中的基础设施、数据底座和应用平台内容进行调整完善。",
    ),
    (
        "高效办成一件事",
        2,
        [KeyWork.Source.PROBLEMS_HANDLED],
        "准备“信用修复一件事”系统演示，梳理“企业破产一件事”问题清单并明确责任部门和解决措施。",
    ),
    (
        "惠企政策直达快享",
        3,
        [KeyWork.Source.POLICY_ZONE],
        "11月4日，四川政务服务网助企惠企服务专区上线试运行，提供惠企政策查询、咨询、解读和匹配服务。",
    ),
]


def _local(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone())


@transaction.atomic
def load_demo():
    """Idempotent: adds only what is missing."""
    editor = User.objects.filter(username="editor").first()
    if editor is None:
        return None
    for name, report_to, send_to, copies, default in LISTS:
        DistributionList.objects.get_or_create(
            name=name, defaults={"report_to": report_to, "send_to": send_to, "copies": copies, "is_default": default}
        )
    clerk = User.objects.filter(username="clerk").first()
    province = "510000"
    for day, function, window, kind, title, text in ACTIVITIES:
        if ActivityReport.objects.filter(title=title).exists():
            continue
        ActivityReport.objects.create(
            date=day,
            title=title,
            text=text,
            kind=kind,
            department=Department.objects.get(function=function, region_id=province),
            window=Window.objects.filter(number=window).first() if window else None,
            state=ActivityReport.State.ACCEPTED,
            submitted_by=clerk,
            submitted_at=_local(day, 17),
            decided_by=editor,
            decided_at=_local(day + dt.timedelta(days=1), 9),
        )
    for leader, title, function, day, window, notes in SHIFTS:
        department = Department.objects.get(function=function, region_id=province)
        DutyShift.objects.get_or_create(
            leader_name=leader,
            department=department,
            date=day,
            defaults={
                "leader_title": title,
                "window": Window.objects.filter(number=window).first(),
                "notes": notes,
                "signed_in_at": _local(day, 9),
                "signed_in_by": clerk,
            },
        )
    for name, order, sources, note in KEY_WORK:
        key_work, _ = KeyWork.objects.get_or_create(name=name, defaults={"order": order, "sources": list(sources)})
        KeyWorkNote.objects.get_or_create(
            key_work=key_work, week_start=WEEK_START, defaults={"text": note, "author": editor}
        )
    if not Bulletin.objects.filter(week_start=WEEK_START).exists():
        services.build_draft(
            editor,
            week_start=WEEK_START,
            dated=dt.date(2024, 11, 11),
            number=45,
            distribution=DistributionList.objects.get(is_default=True),
        )
    return True
