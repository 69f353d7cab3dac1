"""Make the event log's monthly partitions ahead of time (PostgreSQL; run monthly)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cases import partitions


class Command(BaseCommand):
    help = (
        "PostgreSQL：为办件环节表建立今后各月的分区（默认至三个月后），并把默认分区中已有月份的记录移入该月分区；"
        "可重复执行，建议每月执行一次。SQLite 下不做任何事。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=3, help="建至几个月之后（默认 3）")

    def handle(self, *args, months, **options):
        if months < 0 or months > 120:
            raise CommandError("月数须在 0 至 120 之间")
        if not partitions.is_partitioned():
            self.stdout.write("办件环节表未分区（非 PostgreSQL），无需建立分区")
            return
        until = dt.date.today().replace(day=1)
        for _ in range(months):
            until = partitions.next_month(until)
        made = partitions.ensure(until=until)
        self.stdout.write(f"已建立 {len(made)} 个分区{('：' + '、'.join(made)) if made else ''}（至 {until:%Y-%m}）")
