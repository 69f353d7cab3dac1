from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与角色"

    def ready(self):
        from core import authz

        from . import policy

        authz.register(policy)  # core asks who may do what through core.authz
