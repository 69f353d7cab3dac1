from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "把 backup 生成的备份恢复到新建并已迁移（migrate）的空数据库及上传目录；逐表核对记录数并校验审计链，"
        "任何一项不符则不作改动"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="备份文件路径")

    def handle(self, *args, source, **options):
        try:
            manifest = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        total = sum(manifest["counts"].values())
        self.stdout.write(
            f"已恢复 {total} 条记录、{manifest['files']} 个上传文件（备份于 {manifest['created_at']}）；"
            f"审计链 {manifest['audit_verified']} 条校验完整。"
        )
