from django.core.management.base import BaseCommand

from core.reference import load_all


class Command(BaseCommand):
    help = "载入基础数据：行政区划、部门、工作日历、大厅与窗口（可重复执行）"

    def handle(self, *args, **options):
        counts = load_all()
        self.stdout.write("；".join(f"{k} {v}" for k, v in counts.items()))
