"""A child case that moves on may start the children that wait for its result,
and may complete its application. cases knows nothing of bundles: this
listens to its saves."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cases.models import Case


@receiver(post_save, sender=Case, dispatch_uid="bundles.child_moved")
def child_moved(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    from .models import ApplicationChild

    child = ApplicationChild.objects.filter(case_id=instance.pk).select_related("application").first()
    if child is None:
        return
    from . import services

    services.child_moved(child.application, instance)
