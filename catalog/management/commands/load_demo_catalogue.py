from django.core.management.base import BaseCommand

from catalog.demo import load_demo


class Command(BaseCommand):
    help = "载入演示事项目录与受理工作手册（可重复执行，只补充缺少的数据）"

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(f"新增事项 {counts['matters']} 个，新增受理工作手册 {counts['manuals']} 份")
