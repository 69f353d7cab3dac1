from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = "政务服务大厅"
