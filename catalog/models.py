"""The matter catalogue (事项目录): matters, their situations, materials and
guiding questions, and the clerks' acceptance manuals."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.models import Department, Level

from .codes import validate_catalogue_code, validate_implementation_code, validate_item_code


class MatterType(models.TextChoices):
    LICENCE = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    ENFORCEMENT = "03", "行政强制"
    LEVY = "04", "行政征收"
    BENEFIT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    AWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


class Matter(models.Model):
    """A government service (政务服务事项) as one department implements it."""

    catalogue_code = models.CharField("基本编码", max_length=12, validators=[validate_catalogue_code])
    implementation_code = models.CharField(
        "实施编码", max_length=31, unique=True, validators=[validate_implementation_code]
    )
    name = models.CharField("事项名称", max_length=120)
    matter_type = models.CharField("事项类型", max_length=2, choices=MatterType.choices)
    department = models.ForeignKey(
        Department, verbose_name="实施部门", on_delete=models.PROTECT, related_name="matters"
    )
    levels = models.JSONField("行使层级", default=list, help_text='如 ["province", "city", "county"]')
    legal_limit = models.PositiveIntegerField("法定时限（工作日）")
    promised_limit = models.PositiveIntegerField("承诺时限（工作日）", help_text="0 表示即办件")
    has_fee = models.BooleanField("是否收费", default=False)
    fee_description = models.CharField("收费标准", max_length=200, blank=True)
    result_name = models.CharField("办理结果名称", max_length=80, help_text="如：安全生产许可证")
    certificate_type_code = models.CharField(
        "证照类型代码", max_length=20, blank=True, help_text="电子证照类型代码（GB/T 36904 标识中的类型段）"
    )
    online = models.BooleanField("可网上办理", default=True)
    visits = models.PositiveSmallIntegerField("到现场次数", default=1)
    review_levels = models.JSONField(
        "审查决定层级", default=list, help_text='按顺序的审查层级，如 ["province"]，或 ["county", "city", "province"]'
    )
    legal_basis = models.TextField("设定依据", blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "政务服务事项"
        ordering = ["department_id", "catalogue_code"]

    def __str__(self):
        return self.name

    @property
    def is_immediate(self):
        return self.promised_limit == 0

    # Read by accounts.policy: whose matter this is.
    @property
    def scope_region_code(self):
        return self.department.region_id if self.department_id else None

    @property
    def scope_department_function(self):
        return self.department.function if self.department_id else None

    def clean(self):
        errors = {}
        valid = {choice for choice, _ in Level.choices}
        if not self.levels or any(level not in valid for level in self.levels):
            errors["levels"] = "行使层级应为 province、city、county 中的一个或多个"
        if not self.review_levels or any(level not in valid for level in self.review_levels):
            errors["review_levels"] = "审查决定层级应为 province、city、county 的有序列表"
        if self.legal_limit is not None and self.promised_limit is not None and self.promised_limit > self.legal_limit:
            errors["promised_limit"] = "承诺时限不能超过法定时限"
        if (
            self.implementation_code
            and self.catalogue_code
            and not self.implementation_code.endswith(self.catalogue_code)
        ):
            errors["implementation_code"] = "实施编码末12位应与基本编码一致"
        if self.matter_type and self.catalogue_code and self.catalogue_code[:2] != self.matter_type:
            errors["catalogue_code"] = "基本编码前两位应与事项类型代码一致"
        if errors:
            raise ValidationError(errors)


class Situation(models.Model):
    """A variant of a matter (情形) with its own materials and criteria."""

    class Kind(models.TextChoices):
        NEW = "new", "新办"
        CHANGE = "change", "变更"
        RENEW = "renew", "延续"
        CANCEL = "cancel", "注销"
        REISSUE = "reissue", "补证"
        OTHER = "other", "其他"

    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.CASCADE, related_name="situations")
    item_code = models.CharField("业务办理项编码", max_length=33, unique=True, validators=[validate_item_code])
    name = models.CharField("情形名称", max_length=120)
    kind = models.CharField("情形类型", max_length=10, choices=Kind.choices)
    criteria = models.TextField("受理条件", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项情形"
        ordering = ["matter_id", "item_code"]

    def __str__(self):
        return f"{self.matter.name}（{self.name}）"

    @property
    def scope_region_code(self):
        return self.matter.scope_region_code

    @property
    def scope_department_function(self):
        return self.matter.scope_department_function

    def clean(self):
        if self.matter_id and self.item_code and not self.item_code.startswith(self.matter.implementation_code):
            raise ValidationError({"item_code": "业务办理项编码前31位应为所属事项的实施编码"})


class Material(models.Model):
    """A document an applicant hands in for one situation."""

    class Form(models.TextChoices):
        ORIGINAL = "original", "原件"
        COPY = "copy", "复印件"
        BOTH = "both", "原件和复印件"
        ELECTRONIC = "electronic", "电子材料"

    situation = models.ForeignKey(Situation, verbose_name="情形", on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=120)
    required = models.BooleanField("是否必需", default=True)
    form = models.CharField("材料形式", max_length=12, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    file_format = models.CharField("格式要求", max_length=60, blank=True, help_text="如：PDF、JPG，A4纸质")
    from_e_certificate = models.BooleanField("可调取电子证照免提交", default=False)
    e_certificate_name = models.CharField("电子证照名称", max_length=80, blank=True)
    notes = models.CharField("填报说明", max_length=200, blank=True)
    # 容缺受理 (国发〔2022〕5号): a secondary material that may follow within a
    # promised time after acceptance; the case page offers 容缺受理 only then.
    tolerable = models.BooleanField(
        "可容缺后补", default=False, help_text="容缺受理时，申请人可在受理后承诺的期限内补交"
    )
    only_if = models.ForeignKey(
        "GuideOption",
        verbose_name="仅在选择此项时需要",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="materials",
    )
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["situation_id", "position", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.from_e_certificate and not self.e_certificate_name:
            raise ValidationError({"e_certificate_name": "可调取电子证照的材料须注明电子证照名称"})


class GuideQuestion(models.Model):
    """A question that narrows a matter to one situation (引导式问答)."""

    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.CASCADE, related_name="questions")
    text = models.CharField("问题", max_length=200)
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "引导问题"
        ordering = ["matter_id", "position", "id"]

    def __str__(self):
        return self.text


class GuideOption(models.Model):
    """An answer: it keeps only its situations (none listed: narrows nothing)
    and may bring in materials that are needed only in that case."""

    question = models.ForeignKey(GuideQuestion, verbose_name="问题", on_delete=models.CASCADE, related_name="options")
    text = models.CharField("选项", max_length=120)
    situations = models.ManyToManyField(Situation, verbose_name="适用情形", blank=True, related_name="options")
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "引导选项"
        ordering = ["question_id", "position", "id"]

    def __str__(self):
        return self.text


class Manual(models.Model):
    """The clerk's acceptance manual (受理工作手册) of one situation.

    The department drafts it (梳理), the centre reviews it (审核) and approves
    or returns it with comments, and the department confirms it (确认). Every
    edit is a new `ManualVersion`; every step is a `ManualStep`."""

    class State(models.TextChoices):
        DRAFTED = "drafted", "已梳理（待审核）"
        RETURNED = "returned", "已退回修改"
        REVIEWED = "reviewed", "已审核（待确认）"
        CONFIRMED = "confirmed", "已确认"

    situation = models.OneToOneField(Situation, verbose_name="情形", on_delete=models.CASCADE, related_name="manual")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFTED)
    version = models.PositiveIntegerField("当前版本", default=0)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "受理工作手册"
        ordering = ["situation_id"]

    def __str__(self):
        return f"受理工作手册：{self.situation}"

    @property
    def scope_region_code(self):
        return self.situation.matter.scope_region_code

    @property
    def scope_department_function(self):
        return self.situation.matter.scope_department_function

    @property
    def current(self):
        return self.versions.filter(number=self.version).first()


class ManualVersion(models.Model):
    """One saved text of a manual; versions are only ever added."""

    manual = models.ForeignKey(Manual, verbose_name="手册", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    steps = models.TextField("受理步骤", help_text="每行一步")
    checks = models.JSONField(
        "材料审查要点", default=list, help_text='[{"material_id": 1, "material": "申请书", "check": "…"}]'
    )
    refusal_reasons = models.TextField("常见不予受理情形", blank=True, help_text="每行一条")
    correction_reasons = models.TextField("常见补正情形", blank=True, help_text="每行一条")
    legal_basis = models.TextField("法律依据", blank=True)
    note = models.CharField("修改说明", max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编写人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField("编写人名称", max_length=100)
    created_at = models.DateTimeField("保存时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "受理工作手册版本"
        ordering = ["manual_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["manual", "number"], name="manual_version_unique")]

    def __str__(self):
        return f"{self.manual.situation} 第{self.number}版"

    def step_lines(self):
        return [line for line in self.steps.splitlines() if line.strip()]

    def refusal_lines(self):
        return [line for line in self.refusal_reasons.splitlines() if line.strip()]

    def correction_lines(self):
        return [line for line in self.correction_reasons.splitlines() if line.strip()]


class ManualStep(models.Model):
    """One step of the review workflow: who did what to which version, when, and why."""

    class Action(models.TextChoices):
        DRAFT = "draft", "梳理"
        APPROVE = "approve", "审核通过"
        RETURN = "return", "退回修改"
        CONFIRM = "confirm", "确认"

    manual = models.ForeignKey(Manual, verbose_name="手册", on_delete=models.CASCADE, related_name="steps")
    version = models.PositiveIntegerField("版本号")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人名称", max_length=100)
    at = models.DateTimeField("时间", default=timezone.now)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "受理工作手册审核记录"
        ordering = ["manual_id", "at", "id"]

    def __str__(self):
        return f"{self.actor_name} {self.get_action_display()} 第{self.version}版"
