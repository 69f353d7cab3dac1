from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "办件"

    def ready(self):
        from . import notify

        notify.connect()  # tell applicants through the 消息中心
