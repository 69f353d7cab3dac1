def unread(request):
    """The unread count beside 消息中心 in the portal's navigation."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    from .services import unread_count

    return {"UNREAD_MESSAGES": unread_count(user)}
