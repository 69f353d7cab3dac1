from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础数据"

    def ready(self):
        from . import checks, crypto, signals  # noqa: F401  (deploy checks; audit and calendar-cache hooks)

        # Refuse to start on missing or malformed data keys rather than fail on the first read.
        crypto.keyring()
