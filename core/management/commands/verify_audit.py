from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志的摘要链，指出第一条断开的记录"

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(report.message())
        self.stdout.write(self.style.SUCCESS(report.message()))
