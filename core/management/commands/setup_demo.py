from django.core.management.base import BaseCommand

from accounts import demo
from cases.demo import load_demo_year
from catalog import demo as catalog_demo
from core.reference import load_all
from bulletin import demo as bulletin_demo
from bundles import demo as bundles_demo
from matching import demo as matching_demo
from policies import demo as policies_demo


class Command(BaseCommand):
    help = "载入基础数据；数据库中还没有用户时载入演示账户与数据，并列出演示登录"

    def handle(self, *args, **options):
        load_all()
        loaded = demo.load_demo()
        catalog_demo.load_demo()  # idempotent: adds only what is missing
        self.stdout.write("正在载入演示年度办件（首次约需1–2分钟）…")
        year = load_demo_year()  # skipped once loaded
        if year:
            self.stdout.write(f"已载入演示年度办件 {year['cases']} 件（环节 {year['events']} 条、证照 {year['certificates']} 件）。")
        policies_demo.load_demo()
        matching_demo.load_demo()
        bundles_demo.load_demo()   # before the bulletin: its 第45期 counts the problems handled
        bulletin_demo.load_demo()
        self.stdout.write("已载入演示数据。" if loaded else "数据库已有用户，未重复载入演示数据。")
        self.stdout.write(f"\n演示登录（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, name, role in demo.logins():
            self.stdout.write(f"  {username:<20} {name}（{role}）")
