"""Model hooks: every change a person makes to the platform's own models is
written to the audit log, with the row before and after."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import audit
from .models import AuditChainHead, AuditEntry, CalendarDay, CalendarYear

NOT_AUDITED = {AuditEntry, AuditChainHead}


def _audited(sender):
    """The platform's own models, except those that are logs or bookkeeping
    themselves (a model says so with `audited = False`)."""
    return (
        sender._meta.app_label in settings.TONGBAN_APPS
        and sender not in NOT_AUDITED
        and getattr(sender, "audited", True)
    )


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or audit.current_actor() is None:
        return
    old = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = audit.snapshot(old) if old is not None else None
    instance._audit_secrets = audit.secrets_of(old) if old is not None else None


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender) or not hasattr(instance, "_audit_before"):
        return
    before = instance.__dict__.pop("_audit_before")
    old_secrets = instance.__dict__.pop("_audit_secrets", None)
    after = audit.mark_changed_secrets(audit.snapshot(instance), old_secrets, instance)
    if before == after:
        return  # only bookkeeping fields moved
    audit.record("create" if created else "update", instance, before=before, after=after)


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if _audited(sender):
        audit.record("delete", instance, before=audit.snapshot(instance))


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    audit.record("login", user, actor=audit.Actor(user, audit.client_ip(request)))


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", user, actor=audit.Actor(user, audit.client_ip(request)))


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_changed(sender, **kwargs):
    from .workdays import calendar_changed

    calendar_changed()
    # Again once the change is committed: a read by another thread of this
    # process before then would otherwise cache the old calendar.
    transaction.on_commit(calendar_changed)
