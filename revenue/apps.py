from django.apps import AppConfig


class RevenueConfig(AppConfig):
    name = "revenue"
    verbose_name = "自然资源非税收入"
