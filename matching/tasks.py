"""Background work of matching: pushes after an item or a profile changes.
With the database backend a worker (`manage.py db_worker`) runs them after
the request's transaction commits; tests may run them inline."""

from django_tasks import task


@task()
def push_item(item_id):
    """Match one item against every enterprise; notify the newly matched."""
    from . import services

    return {"pushed": len(services.refresh_item(item_id))}


@task()
def push_profiles(profile_ids):
    """Match changed enterprises against every listed item."""
    from . import services

    return {"pushed": services.refresh_profiles(profile_ids)}


@task()
def refresh_all():
    from . import services

    pairs, pushed = services.refresh_all()
    return {"pairs": pairs, "pushed": pushed}
