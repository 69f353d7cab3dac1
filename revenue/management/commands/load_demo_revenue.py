from django.core.management.base import BaseCommand

from revenue import demo


class Command(BaseCommand):
    help = "载入自然资源非税收入的演示账户和一年的费源（已载入则跳过）"

    def handle(self, *args, **options):
        loaded = demo.load_demo()
        self.stdout.write("已载入非税收入演示数据。" if loaded else "非税收入演示数据已存在，未重复载入。")
