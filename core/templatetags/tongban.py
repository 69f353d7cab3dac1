from django import template

register = template.Library()


@register.filter
def with_label(message, label):
    """Prefix a form error with its field's name unless it already says it."""
    message, label = str(message), str(label)
    return message if message.startswith(label) else f"{label}：{message}"
