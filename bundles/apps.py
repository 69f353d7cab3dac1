from django.apps import AppConfig


def _problems_handled(start, end):
    from .services import problems_handled

    count = problems_handled(start, end)
    return {"value": count, "values": {"handled": count}, "text": str(count)}


class BundlesConfig(AppConfig):
    name = "bundles"
    verbose_name = "高效办成一件事"

    def ready(self):
        from core import case_marks, figures

        from . import services, signals  # noqa: F401  (child cases move their parent on)

        # A 容缺 promise overdue shows on the cases worklist, which cannot import bundles.
        case_marks.register("bundle_deferral_overdue", services.overdue_marks)

        # Problems of the problem list handled in the period (Beijing calendar days).
        figures.register(
            "problems_handled",
            label="“一件事”问题处理数",
            app=self.name,
            compute=_problems_handled,
            periodic=True,
            sentence="本周处理问题{problems_handled}个。",
        )
