from django.core.management.base import BaseCommand

from core import audit
from policies.services import expire_documents

SYSTEM_ACTOR = "政策到期失效（expire_policies）"


class Command(BaseCommand):
    help = "将已过失效日期的政策文件及其惠企事项标记为“已失效”（仍可查阅、检索）；宜每日运行"

    def handle(self, *args, **options):
        with audit.acting_as_system(SYSTEM_ACTOR):
            count = expire_documents()
        self.stdout.write(f"已将 {count} 个政策文件标记为已失效。")
