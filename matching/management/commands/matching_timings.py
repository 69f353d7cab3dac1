"""Timings of the matching web side on the current database (the demo's
scale), with every change rolled back: docs/performance.md quotes them."""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from matching import profiles, services
from matching.models import EnterpriseProfile, ItemRule


class _Rollback(Exception):
    pass


def _ms(fn, runs=1):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


class Command(BaseCommand):
    help = "测量政策匹配在当前数据库上的耗时（计算器、单事项匹配、全量匹配、批量导入），所有改动都会回滚"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=2000, help="批量导入测试的行数（默认 2000）")

    def handle(self, *args, rows, **options):
        count = EnterpriseProfile.objects.count()
        if not count or not ItemRule.objects.exists():
            raise CommandError("没有企业画像或规则：请先运行 setup_demo")
        out = self.stdout.write
        out(f"企业画像 {count} 户，规则 {ItemRule.objects.count()} 条")
        sample = list(EnterpriseProfile.objects.order_by("?")[:50])
        services._listed_cache["key"] = None
        cold = _ms(lambda: services.calculate(sample[0].attributes()))[0]
        warm = [_ms(lambda p=p: services.calculate(p.attributes()))[0] for p in sample]
        out(
            f"政策计算器（一户对全部已发布规则，含理由）：首次 {cold:.1f} ms，之后中位数 "
            f"{statistics.median(warm):.1f} ms，最慢 {max(warm):.1f} ms"
        )
        rule = ItemRule.objects.order_by("id").first()
        manager = User.objects.get(username="manager")
        try:
            with transaction.atomic():
                item_ms = _ms(lambda: services.refresh_item(rule.item_id, notify=False))[0]
                start = time.perf_counter()
                pairs, _ = services.refresh_all(notify=False)
                all_s = time.perf_counter() - start
                header = "uscc,name,region,industry,employees,revenue,total_assets,rd_spending,credit_rating\n"
                from accounts.demo import make_uscc

                body = "".join(
                    f"{make_uscc('510104', '1', 5500000 + i)},导入测试{i},510104,C3911,{10 + i % 300},"
                    f"{100 + i},{200 + i},{i % 50},A\n"
                    for i in range(rows)
                )
                start = time.perf_counter()
                report = profiles.load(manager, (header + body).encode(), "timing.csv", source="税务")
                load_s = time.perf_counter() - start
                raise _Rollback
        except _Rollback:
            pass
        out(f"一个事项对全部企业重新匹配并存储：{item_ms:.1f} ms")
        out(f"全量匹配并存储匹配结果（{pairs} 对）：{all_s:.2f} s")
        out(f"批量导入 {report.total} 行 CSV（逐行校验、一个事务）：{load_s:.2f} s，{report.total / load_s:.0f} 行/秒")
