import time

from django.core.management.base import BaseCommand

from identity.logout import STALE_SECONDS, requeue_stale


class Command(BaseCommand):
    help = (
        "重新排队超过应发时间仍未尝试的后端注销通知（其任务随工作进程中断而丢失）；"
        "由 cron 或 systemd 定时器每分钟运行一次，或以 --loop 常驻"
    )

    def add_arguments(self, parser):
        parser.add_argument("--stale-seconds", type=int, default=STALE_SECONDS, help="应发后多少秒仍未尝试即视为丢失")
        parser.add_argument("--loop", action="store_true", help="持续运行")
        parser.add_argument("--interval", type=float, default=30.0, help="每轮间隔秒数")

    def handle(self, *args, stale_seconds, loop, interval, **options):
        while True:
            count = requeue_stale(stale_seconds)
            if not loop:
                self.stdout.write(f"重新排队 {count} 个统一登录会话的后端注销通知")
                return
            time.sleep(interval)
