"""{% icon "search" %}: an icon of the Lucide set (npm package lucide-static,
installed by `make`), inlined so it takes the text colour and costs no request.
The files are read once per process."""

import functools
import re

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

ICONS = settings.BASE_DIR / "node_modules" / "lucide-static" / "icons"
_NAME = re.compile(r"^[a-z0-9-]+$")


@functools.lru_cache(maxsize=256)
def _svg(name):
    if not _NAME.match(name):
        return ""
    try:
        text = (ICONS / f"{name}.svg").read_text(encoding="utf-8")
    except OSError:
        return ""  # a missing icon leaves its label alone, never breaks a page
    text = text[text.index("<svg") :]
    # Decorative: the text beside it says what it is.
    return text.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1)


@register.simple_tag
def icon(name, size=20):
    svg = _svg(name)
    if not svg:
        return ""
    svg = re.sub(r'width="24"\s+height="24"', f'width="{int(size)}" height="{int(size)}"', svg, count=1)
    return format_html('<span class="icon">{}</span>', mark_safe(svg))
