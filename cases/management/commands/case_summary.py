"""Check (and repair) the daily summary against the raw event log."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from cases import summary


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”格式有误，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "按原始办件环节重新统计一段期间，列出日汇总表中的每一处差异；--rebuild 以重新统计的结果替换该期间的汇总"

    def add_arguments(self, parser):
        parser.add_argument("--start", type=_date, help="起始日期（含），默认不限")
        parser.add_argument("--end", type=_date, help="截止日期（含），默认不限")
        parser.add_argument("--rebuild", action="store_true", help="核对后重建该期间的汇总")
        parser.add_argument("--limit", type=int, default=200, help="最多列出多少处差异（默认 200）")

    def handle(self, *args, start, end, rebuild, limit, **options):
        if start and end and end < start:
            raise CommandError("截止日期不能早于起始日期")
        span = f"{start or '最早'} 至 {end or '最晚'}"
        began = time.monotonic()
        found = summary.differences(start, end)
        names = summary.KEY
        for key, have, want in found[:limit]:
            where = "，".join(f"{name}={value}" for name, value in zip(names, key))
            self.stdout.write(f"差异 {where}：汇总 {have or '无'}，重新统计 {want or '无'}")
        if len(found) > limit:
            self.stdout.write(f"……另有 {len(found) - limit} 处差异未列出")
        self.stdout.write(f"{span}：共 {len(found)} 处差异（核对用时 {time.monotonic() - began:.1f} 秒）")
        if rebuild:
            began = time.monotonic()
            rows = summary.rebuild(start, end)
            self.stdout.write(f"已重建 {span} 的汇总：{rows} 行（用时 {time.monotonic() - began:.1f} 秒）")
        if found and not rebuild:
            raise CommandError("汇总与原始环节不一致；加 --rebuild 重建")
