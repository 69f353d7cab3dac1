from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "惠企政策"

    def ready(self):
        from . import notify
        notify.connect()  # tell applicants through the 消息中心
