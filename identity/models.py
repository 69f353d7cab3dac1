"""The province as OpenID Connect provider: relying parties (the cities' own
platforms) on top of django-oauth-toolkit's Application, the consent each
person gave each of them, and the sign-in sessions that back-channel logout
(OpenID Connect Back-Channel Logout 1.0) reaches."""

from django.conf import settings
from django.db import models
from oauth2_provider.models import Application

from accounts.models import AssuranceLevel

# Claims a person is asked about once per relying party (个人信息保护法 第十四条:
# consent given with full knowledge, for each recipient).
SENSITIVE_SCOPES = {"id_card", "organisation"}


class RelyingParty(models.Model):
    """A platform that signs its users in through the province."""

    application = models.OneToOneField(
        Application, verbose_name="OAuth 客户端", on_delete=models.CASCADE, related_name="relying_party"
    )
    region = models.ForeignKey(
        "core.Region", verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scopes = models.CharField("可申请的范围", max_length=200, default="openid profile")
    required_level = models.PositiveSmallIntegerField(
        "最低认证等级", choices=AssuranceLevel.choices, default=AssuranceLevel.SELF_REGISTERED
    )
    backchannel_logout_uri = models.URLField("后端注销地址", blank=True)
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "接入平台"

    def __str__(self):
        return self.application.name

    @property
    def scope_list(self):
        return self.scopes.split()


class Consent(models.Model):
    """The sensitive scopes a person agreed to give one relying party."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, verbose_name="接入平台", on_delete=models.CASCADE, related_name="+")
    scopes = models.CharField("已同意的范围", max_length=200)
    granted_at = models.DateTimeField("同意时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "授权同意"
        constraints = [models.UniqueConstraint(fields=["user", "application"], name="consent_unique")]

    def __str__(self):
        return f"{self.user} → {self.application}：{self.scopes}"


class ProviderSession(models.Model):
    """One sign-in at the province, named by its `sid` in ID and logout tokens."""

    sid = models.CharField("会话标识", max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField("登录时间", auto_now_add=True)
    ended_at = models.DateTimeField("注销时间", null=True, blank=True)

    audited = False  # bookkeeping; the login and logout themselves are audited

    class Meta:
        verbose_name = verbose_name_plural = "统一登录会话"

    def __str__(self):
        return self.sid


class SignIn(models.Model):
    """A relying party the session signed in to (one per authorization code)."""

    session = models.ForeignKey(ProviderSession, on_delete=models.CASCADE, related_name="sign_ins")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=255, db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    audited = False

    class Meta:
        verbose_name = verbose_name_plural = "接入平台登录"


class LogoutDelivery(models.Model):
    """A logout token owed to one relying party, retried until it is taken."""

    class Status(models.TextChoices):
        PENDING = "pending", "待送达"
        DELIVERED = "delivered", "已送达"
        GAVE_UP = "gave_up", "已放弃"

    session = models.ForeignKey(ProviderSession, on_delete=models.CASCADE, related_name="deliveries")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    # The `iss` the party knows the province by, fixed at logout so a retry
    # (or a sweep, which has no request) signs the same token.
    issuer = models.CharField("签发方", max_length=200, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    audited = False  # each attempt's outcome is audited as an action

    class Meta:
        verbose_name = verbose_name_plural = "后端注销通知"
        constraints = [models.UniqueConstraint(fields=["session", "application"], name="logout_delivery_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="logout_delivery_due")]
