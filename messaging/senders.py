"""Senders reach a person outside the portal. Mail goes through Django's
email backend (EMAIL_BACKEND); SMS through the provider class named by
TONGBAN_SMS_SENDER, which a deployment points at its operator's gateway.
The default stand-in only records what would be sent."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class SmsSender:
    """What an SMS provider must offer: send one text or raise."""

    def send(self, phone, text):
        raise NotImplementedError


class LocalSmsSender(SmsSender):
    def send(self, phone, text):
        from .models import SmsStandIn

        SmsStandIn.objects.create(phone=phone, text=text)


def sms_sender():
    return import_string(getattr(settings, "TONGBAN_SMS_SENDER", "messaging.senders.LocalSmsSender"))()


def send_email(address, subject, body):
    send_mail(subject, body, None, [address], fail_silently=False)


def sms_text(message):
    """Short: the subject and where to read the rest."""
    return f"【四川政务服务】{message.subject}。详情请登录通办消息中心查看。"
