from pathlib import Path

from django.core.management.base import BaseCommand

from catalog.exchange import export_catalogue


class Command(BaseCommand):
    help = "导出全部事项目录；文件名以 .json 结尾时导出 JSON，否则导出 Excel（.xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        fmt = "json" if path.suffix.lower() == ".json" else "xlsx"
        path.write_bytes(export_catalogue(fmt))
        self.stdout.write(self.style.SUCCESS(f"已导出到 {path}"))
