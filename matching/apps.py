from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "政策匹配"

    def ready(self):
        from django.db.models.signals import post_save

        from . import signals

        post_save.connect(signals.item_saved, sender="policies.BenefitItem", dispatch_uid="matching_item_saved")
