from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.exchange import ImportFailed, import_catalogue


class Command(BaseCommand):
    help = "导入事项目录（Excel .xlsx 或 JSON）：先校验全部行，有错误则不作任何修改"

    def add_arguments(self, parser):
        parser.add_argument("file", help="由 export_catalog 或工作台导出的 .xlsx / .json 文件")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            counts = import_catalogue(None, path.read_bytes(), path.name)
        except ImportFailed as exc:
            for row in exc.rows:
                self.stderr.write(row)
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                "导入完成：新增事项{matters_created}个、更新{matters_updated}个；新增情形{situations_created}个、"
                "更新{situations_updated}个；材料{materials}条，引导问题{questions}个、选项{options}个".format(**counts)
            )
        )
