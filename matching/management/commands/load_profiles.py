from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core import audit
from core.errors import ServiceError
from matching import profiles


class Command(BaseCommand):
    help = "从 CSV 或 Parquet 文件批量导入企业画像；有任何错误行则不导入，并按行和字段列出错误"

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV（UTF-8 或 GB18030）或 Parquet 文件")
        parser.add_argument("--user", default="admin", help="以哪个用户的身份导入（默认 admin），用于权限和审计")
        parser.add_argument("--source", default="", help="数据来源部门，如“税务”；不填时按各属性的默认来源")

    def handle(self, *args, path, user, source, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件 {path}")
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"没有用户 {user}")
        try:
            with audit.acting_as(actor):
                report = profiles.load(actor, file.read_bytes(), file.name, source=source)
        except ServiceError as exc:
            lines = "\n".join(m for ms in exc.errors.values() for m in ms)
            raise CommandError(f"{exc.message}\n{lines}") from None
        self.stdout.write(f"已导入企业画像 {report.total} 户（新增 {report.created}，更新 {report.updated}）。")
