"""消息中心 in the portal: a person's own messages, and when each was sent
by mail or SMS."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from . import services
from .models import Message


@login_required
def inbox(request):
    messages = Message.objects.filter(recipient=request.user).prefetch_related("deliveries")
    only = request.GET.get("show")
    if only == "unread":
        messages = messages.filter(read_at__isnull=True)
    page = Paginator(messages, 20).get_page(request.GET.get("page"))
    return render(
        request, "messaging/inbox.html", {"page": page, "show": only, "unread": services.unread_count(request.user)}
    )


@login_required
def detail(request, pk):
    # Another person's message is simply not there for this person.
    message = get_object_or_404(Message.objects.prefetch_related("deliveries"), pk=pk, recipient=request.user)
    services.mark_read(request.user, message)
    return render(request, "messaging/detail.html", {"message": message})
