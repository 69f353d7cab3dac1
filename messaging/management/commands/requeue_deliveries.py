import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from messaging import services


class Command(BaseCommand):
    help = (
        "将超过宽限时间仍“待发送”的邮件和短信重新排队（其发送任务随被终止的任务进程丢失）；"
        "可重复运行，已发送的不会再发。宜每10分钟由 cron 运行一次，作为 messaging.tasks.sweep 的兜底"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=None,
            help="超过预计发送时间多少分钟仍待发送的才重新排队（默认 TONGBAN_DELIVERY_GRACE_MINUTES，15）",
        )

    def handle(self, *args, grace_minutes=None, **options):
        if grace_minutes is not None and grace_minutes < 1:
            raise CommandError("--grace-minutes 应为不小于1的整数")
        wait = dt.timedelta(minutes=grace_minutes) if grace_minutes is not None else None
        ids = services.requeue_stale(wait=wait)
        self.stdout.write(f"重新排队 {len(ids)} 条待发送的消息发送记录。")
