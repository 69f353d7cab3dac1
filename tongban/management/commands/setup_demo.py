from django.core.management.base import BaseCommand, CommandError

from accounts import demo
from bulletin import demo as bulletin_demo
from bundles import demo as bundles_demo
from cases.demo import load_demo_year
from catalog import demo as catalog_demo
from core.reference import load_all
from matching import demo as matching_demo
from policies import demo as policies_demo
from revenue import demo as revenue_demo
from revenue import services as revenue_services


def real_records():
    """What in this database is not the demo's: people other than the demo
    accounts, or, before the demo accounts exist, any case, person,
    organisation, matter or policy document. Empty for a fresh database and
    for one holding only the demo (so `make run` may run again)."""
    from accounts.models import Organisation, Person, User
    from cases.models import Case
    from catalog.models import Matter
    from policies.models import PolicyDocument

    demo_names = {username for username, *_ in demo.logins()}
    demo_names |= {username for username, *_ in bundles_demo.REVIEWERS}  # the 一件事 departments' reviewers
    demo_names |= {username for username, *_ in revenue_demo.logins()}  # the natural-resources bureaus' staff
    demo_names.add(revenue_services.SYSTEM_USERNAME)  # the exchange's system actor, made on first use
    found = []
    others = User.objects.exclude(username__in=demo_names)
    if others.exists():
        found.append(f"{others.count()} 个非演示用户（如 {others.order_by('pk').first().username}）")  # type: ignore[union-attr]  # others exist
    if not User.objects.filter(username__in=demo_names).exists():
        for model in (Case, Person, Organisation, Matter, PolicyDocument):
            count = model.objects.count()
            if count:
                found.append(f"{count} 条{model._meta.verbose_name}")
    return found


class Command(BaseCommand):
    help = (
        "载入演示数据（演示账户、事项目录、演示年度办件、政策库、匹配和周报演示）。须加 --demo 明确要求；"
        "数据库已有真实数据时拒绝载入"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="确认向此数据库载入演示数据（约80万条演示办件环节，会计入统计和周报）"
        )

    def handle(self, *args, **options):
        # Demo data in a real database would enter its statistics and bulletin
        # (issue 16): it is loaded only when asked, and never beside real records.
        if not options["demo"]:
            raise CommandError(
                "演示数据须明确要求：manage.py setup_demo --demo（生产环境请只运行 migrate 和 load_reference）"
            )
        found = real_records()
        if found:
            raise CommandError(
                "数据库中已有真实数据（" + "、".join(found) + "），拒绝载入演示数据，未作任何改动。请换用空数据库演示"
            )
        load_all()
        loaded = demo.load_demo()
        catalog_demo.load_demo()  # idempotent: adds only what is missing
        self.stdout.write("正在载入演示年度办件（首次约需1–2分钟）…")
        year = load_demo_year()  # skipped once loaded
        if year:
            self.stdout.write(
                f"已载入演示年度办件 {year['cases']} 件（环节 {year['events']} 条、证照 {year['certificates']} 件）。"
            )
        policies_demo.load_demo()
        matching_demo.load_demo()
        bundles_demo.load_demo()  # before the bulletin: its 第45期 counts the problems handled
        bulletin_demo.load_demo()
        revenue_demo.load_demo()  # idempotent: a year of fee sources, once
        self.stdout.write("已载入演示数据。" if loaded else "数据库已有用户，未重复载入演示数据。")
        self.stdout.write(f"\n演示登录（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, name, role in demo.logins() + revenue_demo.logins():
            self.stdout.write(f"  {username:<20} {name}（{role}）")
