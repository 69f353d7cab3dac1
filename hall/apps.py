from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = "政务服务大厅"

    def ready(self):
        from core.reference import register_loader

        from .reference import load_hall

        register_loader("windows", load_hall)  # part of load_reference / setup_demo
