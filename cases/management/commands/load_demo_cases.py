import time

from django.core.management.base import BaseCommand

from cases import stats
from cases.demo import WEEK_END, WEEK_START, YEAR_START, load_demo_year


class Command(BaseCommand):
    help = "载入演示年度（2024年）综合窗口办件、环节、证照与评价；已载入时不重复载入"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024, help="随机种子（默认 2024）")
        parser.add_argument("--quiet", action="store_true", help="不输出进度")

    def handle(self, *args, seed, quiet, **options):
        log = (lambda message: None) if quiet else self.stdout.write
        started = time.monotonic()
        counts = load_demo_year(seed=seed, log=log)
        if counts is None:
            self.stdout.write("演示年度办件已载入，未重复载入。")
            return
        self.stdout.write(
            f"已载入演示年度办件：办件 {counts['cases']} 件，环节 {counts['events']} 条，证照 {counts['certificates']} 件，"
            f"评价 {counts['evaluations']} 条（用时 {time.monotonic() - started:.1f} 秒）。"
        )
        week = stats.figures(stats.Period(WEEK_START, WEEK_END))
        ytd = stats.figures(stats.Period(YEAR_START, WEEK_END))
        for label, figures in (("本周（2024-11-04 至 11-08）", week), ("今年以来（至 2024-11-08）", ytd)):
            self.stdout.write(
                f"  {label}：咨询 {figures['consultations']} 人次、受理 {figures['acceptances']} 件、"
                f"颁发 {figures['certificates']} 件、流转 {figures['transfers']} 件次"
            )
