from django.apps import AppConfig


def _zone_figure(start, end):
    from .stats import zone_counters

    values = zone_counters()
    return {
        "value": values,
        "values": values,
        "text": (
            f"累计发布政策文件{values['documents']}个、政策解读{values['interpretations']}个、"
            f"认领事项{values['items']}个"
        ),
    }


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "惠企政策"

    def ready(self):
        from . import notify

        notify.connect()  # tell applicants through the 消息中心
        from core import figures

        # A running total as of now, whatever the period (the zone's live counters).
        figures.register(
            "policy_zone",
            label="惠企政策专区统计",
            app=self.name,
            compute=_zone_figure,
            sentence="截至目前，专区{policy_zone}。",
        )
