"""Who may do what, asked from core without importing the app that knows.

The answer lives in accounts.policy (roles, reach, department functions),
which sits above core; accounts registers it here in its ready(). Core's own
services and pages (the calendar, the audit log, the console menu) ask
through these two functions, so core imports no app."""

from django.core.exceptions import ImproperlyConfigured

_policy = None


def register(policy):
    """`policy` offers can(user, action, obj=None) and require(user, action, obj=None)."""
    global _policy
    _policy = policy


def _get():
    if _policy is None:
        raise ImproperlyConfigured("没有登记权限规则：accounts 应用未安装或未就绪")
    return _policy


def can(user, action, obj=None):
    return _get().can(user, action, obj)


def require(user, action, obj=None):
    return _get().require(user, action, obj)
