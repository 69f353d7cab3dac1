from django.conf import settings
from django.core.management.base import BaseCommand

from identity.keys import new_key


class Command(BaseCommand):
    help = "生成新的 ID 令牌签名密钥；旧密钥在其签发的令牌全部过期前仍在 JWKS 中公布。重启服务后生效"

    def handle(self, *args, **options):
        path = new_key(settings.TONGBAN_OIDC_KEY_DIR)
        self.stdout.write(f"已生成新签名密钥 {path.name}；请重启（或平滑重载）服务使其生效。")
