import time

from django.core.management.base import BaseCommand

from revenue import exchange


class Command(BaseCommand):
    help = "与税务部门交换费源和缴费信息：发送到期的待发消息，读取税务部门的消息并入账（--loop 持续运行）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行（make run 在服务旁启动）")
        parser.add_argument("--interval", type=float, default=2.0, help="每轮间隔秒数")

    def handle(self, *args, loop=False, interval=2.0, **options):
        while True:
            try:
                result = exchange.run_once()
            except Exception as exc:  # a locked database or the like: say so and try the next round
                if not loop:
                    raise
                self.stderr.write(f"本轮交换未完成：{exc}")
                time.sleep(interval)
                continue
            if not loop:
                self.stdout.write(
                    f"发送 {result['sent']} 条，收到 {result['received']} 条，补入账 {result['applied_late']} 条"
                )
                return
            time.sleep(interval)
