from django.core.management.base import BaseCommand

from policies.services import expire_documents


class Command(BaseCommand):
    help = "将已过失效日期的政策文件及其惠企事项标记为“已失效”（仍可查阅、检索）；宜每日运行"

    def handle(self, *args, **options):
        count = expire_documents()
        self.stdout.write(f"已将 {count} 个政策文件标记为已失效。")
