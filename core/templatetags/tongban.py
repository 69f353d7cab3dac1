from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def with_label(message, label):
    """Prefix a form error with its field's name unless it already says it."""
    message, label = str(message), str(label)
    return message if message.startswith(label) else f"{label}：{message}"


@register.inclusion_tag("_console_menu.html", takes_context=True)
def console_menu(context):
    """The console's menu: only what the signed-in person may use (asked of
    accounts.policy through core.authz, over core.views.CONSOLE_LINKS)."""
    from core import authz
    from core.views import CONSOLE_LINKS

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not authz.can(user, "console.access"):
        return {"links": []}
    links: list[dict[str, Any]] = [
        {"href": reverse(url), "title": title} for action, url, title, _ in CONSOLE_LINKS if authz.can(user, action)
    ]
    # The page's own entry: the longest address the current one lies under.
    under = [link for link in links if request.path.startswith(link["href"])]
    if under:
        max(under, key=lambda link: len(link["href"]))["current"] = True
    return {"links": links}
