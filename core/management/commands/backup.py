from django.core.management.base import BaseCommand

from core.backup import backup


class Command(BaseCommand):
    help = "备份数据库的全部记录和上传文件到一个 .tar.gz（数据库记录取自同一时刻），附清单"

    def add_arguments(self, parser):
        parser.add_argument("destination", help="备份文件路径，如 /backup/tongban-20261203.tar.gz")

    def handle(self, *args, destination, **options):
        manifest = backup(destination)
        total = sum(manifest["counts"].values())
        self.stdout.write(
            f"已备份 {total} 条记录（{len(manifest['counts'])} 个表）、{manifest['files']} 个上传文件"
            f"到 {destination}；审计链 {manifest['audit_entries']} 条"
            f"{'完整' if manifest['audit_ok'] else '（校验未通过，请运行 verify_audit 查看）'}。"
        )
