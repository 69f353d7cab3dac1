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


@register.filter
def described(field):
    """The field's control naming its help and its error messages in
    aria-describedby, so a screen reader reads them with the field
    (WCAG 2.1 3.3.1, 3.3.3; ids as templates/_form.html writes them)."""
    ids = [f"{field.auto_id}_helptext"] if field.help_text else []
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)} if ids and field.auto_id else None)


@register.filter
def with_errors(fields):
    """The fields that have errors (the form's error summary links to each)."""
    return [field for field in fields if field.errors]


@register.inclusion_tag("_console_menu.html", takes_context=True)
def console_menu(context):
    """The console's menu: only what the signed-in person may use (asked of
    accounts.policy through core.authz, over core.views.CONSOLE_LINKS)."""
    from core import authz
    from core.views import CONSOLE_LINKS, CONSOLE_MENU_GROUPS

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not authz.can(user, "console.access"):
        return {"groups": []}
    links: dict[str, dict[str, Any]] = {
        url: {"href": reverse(url), "title": title}
        for action, url, title, _ in CONSOLE_LINKS
        if authz.can(user, action)
    }
    # The page's own entry: the longest address the current one lies under.
    under = [link for link in links.values() if request.path.startswith(link["href"])]
    if under:
        max(under, key=lambda link: len(link["href"]))["current"] = True
    groups = [(title, [links.pop(url) for url in urls if url in links]) for title, urls in CONSOLE_MENU_GROUPS]
    groups.append(("其他", list(links.values())))
    return {"groups": [{"title": title, "links": group} for title, group in groups if group]}


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
