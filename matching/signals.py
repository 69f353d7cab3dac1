"""A benefit item published or changed (by policies.services, which this app
does not own) is matched again in the background, and the newly matched
enterprises are told."""


def item_saved(sender, instance, created, raw=False, **kwargs):
    from .models import ItemRule

    if raw or created:
        return  # a new item has no rule yet; saving its rule pushes
    if ItemRule.objects.filter(item_id=instance.pk).exists():
        from .services import enqueue_item_push

        enqueue_item_push(instance.pk)
