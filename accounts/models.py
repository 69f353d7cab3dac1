"""Who uses the platform: staff with a role in a department, and the public:
persons (自然人), organisations (法人) and the agents (经办人) acting for them."""

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models

from core import masking
from core.models import Department, Region
from core.personal import EncryptedCharField, LookupHashField
from core.validators import validate_resident_id, validate_uscc


class Role(models.TextChoices):
    CLERK = "clerk", "窗口人员"
    REVIEWER = "reviewer", "审批人员"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    CENTRE_MANAGER = "centre_manager", "中心管理人员"
    EDITOR = "editor", "简报编辑"
    SYSADMIN = "sysadmin", "系统管理员"


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        PUBLIC = "public", "公众用户"
        SYSTEM = "system", "系统账户"  # another system calling the API with a token; never signs in

    name = models.CharField("姓名", max_length=60)
    kind = models.CharField("用户类型", max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    phone = EncryptedCharField("手机号", max_length=20, blank=True, mask=masking.PHONE)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.name or self.username

    @property
    def is_staff_user(self):
        return self.kind == self.Kind.STAFF

    @property
    def region(self) -> Region | None:
        """Staff work in their department's region: a county reviewer sees that county."""
        return self.department.region if self.department_id else None

    def clean(self):
        if self.kind in (self.Kind.STAFF, self.Kind.SYSTEM):
            errors = {}
            if not self.role:
                errors["role"] = "工作人员必须指定角色"
            if not self.department_id:
                errors["department"] = "工作人员必须指定所属部门"
            if errors:
                raise ValidationError(errors)
        elif self.role:
            raise ValidationError({"role": "公众用户不能指定工作人员角色"})


class Person(models.Model):
    """A natural person: an applicant, possibly with a portal account."""

    user = models.OneToOneField(
        User, verbose_name="账户", null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField("姓名", max_length=60)
    # Encrypted at rest (core.crypto); found again by its keyed hash, which also keeps it unique.
    resident_id = EncryptedCharField("身份证号", max_length=18, validators=[validate_resident_id], mask=masking.ID)
    resident_id_hash = LookupHashField("身份证号检索散列", source="resident_id", unique=True)
    phone = EncryptedCharField("手机号", max_length=20, blank=True, mask=masking.PHONE)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "自然人"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def masked_id(self):
        return masking.mask_code(self.resident_id)

    @property
    def assurance(self):
        """The highest assurance level reached, with how and when (None: never recorded)."""
        return self.assurances.order_by("-level", "-reached_at").first()

    @property
    def assurance_level(self):
        record = self.assurance
        return record.level if record else AssuranceLevel.SELF_REGISTERED


class AssuranceLevel(models.IntegerChoices):
    """How sure the platform is that an account is the person it names
    (levels after GB/T 31504-2015 and 国办发〔2018〕45号 的实名核验要求: the stronger
    the check, the higher the level)."""

    SELF_REGISTERED = 1, "一级：自行注册"
    REGISTER_CHECKED = 2, "二级：姓名与身份证号经人口库核验"
    VERIFIED = 3, "三级：窗口当面核验或数字证书认证"


class AssuranceRecord(models.Model):
    """One level reached by a person: the method, when, and who checked."""

    class Method(models.TextChoices):
        SELF = "self", "自行注册"
        REGISTER = "register", "人口库比对"
        IN_PERSON = "in_person", "窗口当面核验"
        CERTIFICATE = "certificate", "数字证书认证"

    person = models.ForeignKey(Person, verbose_name="自然人", on_delete=models.CASCADE, related_name="assurances")
    level = models.PositiveSmallIntegerField("认证等级", choices=AssuranceLevel.choices)
    method = models.CharField("认证方式", max_length=12, choices=Method.choices)
    reached_at = models.DateTimeField("认证时间")
    checked_by = models.ForeignKey(
        "User", verbose_name="核验人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "实名认证记录"
        ordering = ["-reached_at"]

    def __str__(self):
        return f"{self.person} {self.get_level_display()}"


class Organisation(models.Model):
    """A legal person or other organisation, known by its credit code."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField("名称", max_length=120)
    region = models.ForeignKey(Region, verbose_name="登记地", on_delete=models.PROTECT, related_name="+")
    legal_representative = models.CharField("法定代表人", max_length=60, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    agents = models.ManyToManyField(
        Person,
        through="Agent",
        through_fields=("organisation", "person"),
        related_name="organisations",
        verbose_name="经办人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "法人及其他组织"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class AgentScope(models.TextChoices):
    """What an agent may do for the organisation."""

    POLICY = "policy", "查询惠企政策"
    CLAIM = "claim", "申报兑现惠企政策"
    CASE = "case", "办理政务服务事项"
    ALL = "all", "全部事务（法定代表人）"


class Agent(models.Model):
    """A person authorised to act for an organisation (经办人), with what they
    may do and until when; the legal representative authorises and revokes."""

    organisation = models.ForeignKey(Organisation, verbose_name="组织", on_delete=models.CASCADE)
    person = models.ForeignKey(Person, verbose_name="经办人", on_delete=models.CASCADE)
    authorised_at = models.DateTimeField("授权时间", auto_now_add=True)
    is_legal_representative = models.BooleanField("法定代表人", default=False)
    scopes = models.JSONField("授权范围", default=list, blank=True)
    expires_at = models.DateTimeField("授权截止", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    authorised_by = models.ForeignKey(
        Person, verbose_name="授权人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "经办人授权"
        constraints = [models.UniqueConstraint(fields=["organisation", "person"], name="agent_unique")]

    def __str__(self):
        return f"{self.person} 代办 {self.organisation}"

    @staticmethod
    def current_q(prefix=""):
        """Authorisations in force now: not revoked, not past their expiry."""
        from django.utils import timezone

        return models.Q(**{f"{prefix}revoked_at__isnull": True}) & (
            models.Q(**{f"{prefix}expires_at__isnull": True}) | models.Q(**{f"{prefix}expires_at__gt": timezone.now()})
        )

    @property
    def in_force(self):
        from django.utils import timezone

        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def scope_labels(self):
        if self.is_legal_representative:
            return [AgentScope.ALL.label]
        return [AgentScope(s).label for s in self.scopes if s in AgentScope.values]


class APIToken(models.Model):
    """A bearer token for the JSON API. Only its hash is kept: the key is
    random (256 bits), so a plain SHA-256 finds it without a slow hash.
    A token the centre issues to another system names its scopes (areas of
    the API, TOKEN_SCOPES in accounts.policy) and expires; a person's own
    token from POST /api/v1/auth/token has no scopes and acts as that person."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=60, default="API")
    prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    scopes = models.JSONField("授权范围", default=list, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name="签发人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def state_label(self):
        from django.utils import timezone

        if self.revoked:
            return "已吊销"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "已过期"
        return "有效"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
