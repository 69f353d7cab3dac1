from django.core.management.base import BaseCommand

from identity.demo import register_cities


class Command(BaseCommand):
    help = "把五个市州自建平台登记（或更新端口）为统一身份认证的接入平台（演示用）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--base-port", type=int, default=8001)

    def handle(self, *args, host, base_port, **options):
        for code, name, port in register_cities(host, base_port):
            self.stdout.write(f"{code} {name} http://{host}:{port}/")
