from django.core.management.base import BaseCommand, CommandError

from revenue import reconciliation


class Command(BaseCommand):
    help = "与税务部门对账（建议每日运行一次），列出差异"

    def handle(self, *args, **options):
        rec = reconciliation.run()
        if rec.error:
            raise CommandError(rec.error)
        self.stdout.write(f"核对费源 {rec.checked} 笔，差异 {len(rec.differences)} 项")
        for d in rec.differences:
            self.stdout.write(f"  费源{d['fee_source']} {d['label']}：平台 {d['platform']}，税务 {d['tax']}")
