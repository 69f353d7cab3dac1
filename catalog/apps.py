from django.apps import AppConfig


def _manual_figure(start, end):
    from .manuals import progress

    _, totals, sentence = progress()
    values = {"confirmed": totals.confirmed, "situations": totals.situations}
    return {"value": values, "values": values, "text": sentence}


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "事项目录"

    def ready(self):
        from core import figures

        figures.register(
            "manual_progress",
            label="受理工作手册进度",
            app=self.name,
            compute=_manual_figure,
            sentence="目前，{manual_progress}。",
        )
