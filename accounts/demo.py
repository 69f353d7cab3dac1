"""Demo accounts and organisations for `make run` and the browser tests.

Codes are built with python-stdnum's check-digit functions so they pass the
same validation real input does."""

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from core.models import Department

from .models import Agent, AssuranceRecord, Organisation, Person, Role, User

DEMO_PASSWORD = "Tongban@2024"

# (username, name, role, department function, region code)
STAFF = [
    ("clerk", "王晓燕", Role.CLERK, "service_centre", "510000"),
    ("reviewer", "赵志刚", Role.REVIEWER, "natural_resources", "510000"),
    ("reviewer_jinjiang", "李敏", Role.REVIEWER, "natural_resources", "510104"),
    ("reviewer_qingyang", "张强", Role.REVIEWER, "natural_resources", "510105"),
    ("deptadmin", "周建华", Role.DEPT_ADMIN, "natural_resources", "510000"),
    ("manager", "吴丽娟", Role.CENTRE_MANAGER, "service_centre", "510000"),
    ("editor", "孙文静", Role.EDITOR, "service_centre", "510000"),
    ("admin", "郑国平", Role.SYSADMIN, "service_centre", "510000"),
]
# (username, name, region of the ID, birth date, sequence)
PUBLIC = [
    ("citizen", "刘芳", "510104", "19880312", "024"),
    ("agent", "陈刚", "510107", "19790921", "037"),
]
# (name, region, registration kind, legal representative, address, agent username)
ORGANISATIONS = [
    ("成都锦程数字科技有限公司", "510104", "1", "陈刚", "成都市锦江区东大街下东大街段99号", "agent"),
    ("成都青羊文旅发展有限公司", "510105", "1", "黄海", "成都市青羊区西御街18号", None),
    ("四川攀西钒钛矿业有限公司", "510411", "1", "杨林", "攀枝花市仁和区金江镇", None),
    ("绵阳九洲精密电子有限公司", "510703", "1", "何军", "绵阳市涪城区科创园路6号", None),
    ("南充嘉陵农产品专业合作社", "511304", "3", "唐明", "南充市嘉陵区龙蟠镇", None),
]


def make_uscc(region, kind, serial):
    body = f"9{kind}{region}{serial:09d}"
    return body + uscc.calc_check_digit(body + "0")


def make_resident_id(region, birth, sequence):
    body = f"{region}{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")


@transaction.atomic
def load_demo():
    if User.objects.exists():
        return False
    for username, name, role, function, region in STAFF:
        user = User(
            username=username,
            name=name,
            kind=User.Kind.STAFF,
            role=role,
            department=Department.objects.get(function=function, region_id=region),
            is_staff=(role == Role.SYSADMIN),
            is_superuser=(role == Role.SYSADMIN),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    people = {}
    for username, name, region, birth, sequence in PUBLIC:
        user = User(username=username, name=name, kind=User.Kind.PUBLIC)
        user.set_password(DEMO_PASSWORD)
        user.save()
        people[username] = Person.objects.create(
            user=user, name=name, resident_id=make_resident_id(region, birth, sequence)
        )
    for serial, (name, region, kind, legal, address, agent) in enumerate(ORGANISATIONS, start=1):
        org = Organisation.objects.create(
            uscc=make_uscc(region, kind, 8800000 + serial * 137),
            name=name,
            region_id=region,
            legal_representative=legal,
            address=address,
        )
        if agent:
            Agent.objects.create(organisation=org, person=people[agent], scopes=["policy", "claim"])
    # The citizen registered online (level one); the agent was verified at a window (level three).
    for username, level, method in (("citizen", 1, "self"), ("agent", 3, "in_person")):
        AssuranceRecord.objects.create(person=people[username], level=level, method=method, reached_at=timezone.now())
    return True


def logins():
    rows = [(u, n, r.label) for u, n, r, _, _ in STAFF] + [(u, n, "公众用户") for u, n, *_ in PUBLIC]
    return rows
