from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

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


@register.inclusion_tag("_breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """工作台 › the menu entry the page lies under › the page (its title
    block). A page deeper down may put crumbs between in {% block crumbs %}."""
    from django.template.loader_tags import BLOCK_CONTEXT_KEY

    from core.views import CONSOLE_LINKS

    request = context.get("request")
    path = getattr(request, "path", "")
    home = reverse("console:home")
    section = None
    for _, url, title, _ in CONSOLE_LINKS:
        href = reverse(url)
        if path.startswith(href) and (section is None or len(href) > len(section["href"])):
            section = {"href": href, "title": title}
    if section and section["href"] == path:
        section = None
    # The page's own name is its <title> block, rendered again here so no
    # template has to say it twice.
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)

    def render(name):
        block = blocks.get_block(name) if blocks else None
        if block is None:
            return ""
        with context.push():
            return mark_safe(block.nodelist.render(context).strip())  # noqa: S308 - a template's own output

    return {
        "home": home,
        "at_home": path == home,
        "section": section,
        "crumbs": render("crumbs"),
        "title": render("title"),
    }
