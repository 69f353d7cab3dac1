"""消息中心: what the platform tells a person (a correction asked for, a
result ready to collect, a ticket answered …), and each attempt to reach
them by mail or SMS. A message is kept once per recipient and key, so the
same event never reaches a person twice."""

from django.conf import settings
from django.db import models

from core import masking
from core.personal import EncryptedCharField


class Message(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "补正告知"
        REFUSAL = "refusal", "不予受理"
        RESULT = "result", "办理结果可领取"
        RATING = "rating", "服务评价邀请"
        TICKET_REPLY = "ticket_reply", "政策咨询答复"
        PUSH = "push", "政策推送"
        GRANT = "grant", "免申即享意愿确认"
        OTHER = "other", "其他通知"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="messages_received"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    subject = models.CharField("标题", max_length=120)
    body = models.TextField("内容")
    link = models.CharField("办理入口", max_length=300, blank=True)
    key = models.CharField("去重键", max_length=120, help_text="同一接收人同一键只发送一次")
    created_at = models.DateTimeField("发送时间", db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="message_recipient_key_unique")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_recipient_read")]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One channel's attempt to reach the recipient outside the portal."""

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        SMS = "sms", "短信"

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    message = models.ForeignKey(Message, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    address = EncryptedCharField("发送地址", max_length=120, mask=masking.PHONE)  # a phone number or mail address
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    sent_at = models.DateTimeField("发出时间", null=True, blank=True)
    # When a worker should next pick it up (queued now, or after a retry's wait):
    # a delivery still 待发送 well past it lost its task and is queued again (sweep).
    next_attempt_at = models.DateTimeField("预计发送时间", null=True, blank=True, db_index=True)

    audited = False  # a delivery log itself; the message is the record

    class Meta:
        verbose_name = verbose_name_plural = "消息发送记录"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["message", "channel"], name="delivery_message_channel_unique")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.get_state_display()}"


class SmsStandIn(models.Model):
    """The local stand-in for an SMS provider: what would have been sent."""

    phone = EncryptedCharField("手机号", max_length=20, mask=masking.PHONE)
    text = models.TextField("短信内容")
    sent_at = models.DateTimeField("记录时间", auto_now_add=True)

    audited = False

    class Meta:
        verbose_name = verbose_name_plural = "短信（本地替身记录）"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.phone}：{self.text[:20]}"
