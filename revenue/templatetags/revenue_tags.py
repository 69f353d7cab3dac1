from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def absolute(value):
    return abs(value)


@register.filter
def send_clock(fee_source, today):
    """(deadline, working days left, status) of the 10 working days to send it to the tax office."""
    from revenue import rules

    return rules.clock(fee_source.trigger_date, today)
