"""Policy matching (政策匹配): enterprise profiles (企业画像) gathered from several
departments, each benefit item's rule as data, the stored match set that
pushes (推送) and auto-grant (免申即享) read, the enterprise's inbox, and the
auto-grant rounds: confirmation (意愿确认), publicity (公示) and payout (兑现).

The rule language and its evaluation live in matching.engine (no Django);
state changes go through matching.services.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.models import Region
from core.validators import validate_uscc


class Size(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class CreditRating(models.TextChoices):
    A = "A", "A级"
    B = "B", "B级"
    M = "M", "M级"
    C = "C", "C级"
    D = "D", "D级"


# Profile columns that are the engine's attributes, in the order forms and files use.
PROFILE_ATTRIBUTES = [
    "region",
    "industry",
    "size",
    "founded_on",
    "registered_capital",
    "employees",
    "insured_employees",
    "revenue",
    "total_assets",
    "tax_paid",
    "rd_spending",
    "rd_ratio",
    "exports",
    "patents",
    "credit_rating",
    "qualifications",
    "is_listed",
    "is_individual",
]
# Attributes worked out from others, never entered.
DERIVED_ATTRIBUTES = {"size", "rd_ratio"}
_AMOUNT = {
    "max_digits": 16,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(Decimal("0"))],
}


class EnterpriseProfile(models.Model):
    """What is known about one market entity (企业画像), attribute by attribute,
    with the department each value came from and when it was last updated."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField("企业名称", max_length=120)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="法人登记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="profiles",
    )
    region = models.ForeignKey(Region, verbose_name="所在区县", on_delete=models.PROTECT, related_name="+")
    industry = models.CharField("国民经济行业", max_length=5, blank=True, help_text="GB/T 4754-2017 代码")
    size = models.CharField(
        "企业规模",
        max_length=6,
        choices=Size.choices,
        blank=True,
        help_text="按行业由从业人员、营业收入、资产总额划型，不手工填写",
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    registered_capital = models.DecimalField("注册资本（万元）", **_AMOUNT)
    employees = models.PositiveIntegerField("从业人员（人）", null=True, blank=True)
    revenue = models.DecimalField("营业收入（万元）", **_AMOUNT)
    total_assets = models.DecimalField("资产总额（万元）", **_AMOUNT)
    rd_spending = models.DecimalField("研发投入（万元）", **_AMOUNT)
    rd_ratio = models.DecimalField(
        "研发投入占营业收入比例（%）",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="由研发投入和营业收入计算",
    )
    credit_rating = models.CharField("纳税信用等级", max_length=1, choices=CreditRating.choices, blank=True)
    qualifications = models.JSONField("资质标签", default=list, blank=True)
    insured_employees = models.PositiveIntegerField("参保职工（人）", null=True, blank=True)
    exports = models.DecimalField("出口额（万元）", **_AMOUNT)
    tax_paid = models.DecimalField("纳税总额（万元）", **_AMOUNT)
    patents = models.PositiveIntegerField("有效发明专利数（件）", null=True, blank=True)
    is_listed = models.BooleanField("上市企业", null=True, blank=True)
    is_individual = models.BooleanField("个体工商户", null=True, blank=True)
    sources = models.JSONField(
        "数据来源", default=dict, blank=True, help_text="每项属性的来源部门和最近更新日期：{属性: {source, updated_on}}"
    )
    version = models.PositiveIntegerField("版本", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "企业画像"
        ordering = ["uscc"]
        indexes = [models.Index(fields=["region"], name="profile_region")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.derive()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"size", "rd_ratio"}
        super().save(*args, **kwargs)

    def derive(self):
        """Fill the derived attributes from the entered ones."""
        from .engine import classify_size

        self.size = classify_size(self.industry or None, self.employees, self.revenue, self.total_assets) or ""
        if self.rd_spending is not None and self.revenue:
            self.rd_ratio = (Decimal(self.rd_spending) * 100 / Decimal(self.revenue)).quantize(Decimal("0.01"))
        else:
            self.rd_ratio = None

    def attributes(self) -> dict:
        """The profile as the engine reads it: missing values are left out."""
        out = {}
        for name in PROFILE_ATTRIBUTES:
            value = self.region_id if name == "region" else getattr(self, name)
            if value is None or value == "":
                continue
            if isinstance(value, Decimal):
                value = float(value)
            out[name] = value
        out.setdefault("qualifications", [])
        return out


class ItemRule(models.Model):
    """A benefit item's conditions as data, checked by the engine when saved,
    and how much an auto-grant pays."""

    item = models.OneToOneField(
        "policies.BenefitItem", verbose_name="惠企事项", on_delete=models.CASCADE, related_name="rule"
    )
    rule = models.JSONField("匹配规则")
    description = models.TextField("规则说明", blank=True, help_text="由规则自动生成")
    grant_amount = models.DecimalField(
        "免申即享兑现金额（万元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="固定金额；为空时按比例或事项的最高金额",
    )
    grant_rate_attr = models.CharField(
        "按属性比例兑现", max_length=30, blank=True, help_text="如 rd_spending：按研发投入的一定比例"
    )
    grant_rate = models.DecimalField(
        "比例（%）", max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    version = models.PositiveIntegerField("版本", default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最近修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项匹配规则"

    def __str__(self):
        return f"{self.item} 的规则"

    def save(self, *args, **kwargs):
        # A rule the engine refuses is never stored, whoever saves it.
        from .engine import describe

        self.clean()
        self.description = describe(self.rule)
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        from .engine import validate

        problems = validate(self.rule)
        if problems:
            raise ValidationError({"rule": [f"{p.path}：{p.message}" if p.path else p.message for p in problems]})


class Match(models.Model):
    """One enterprise–item pair that meets: the stored match set pushes and
    auto-grant read. Rebuilt by the engine, so not audited row by row."""

    audited = False

    profile = models.ForeignKey(
        EnterpriseProfile, verbose_name="企业", on_delete=models.CASCADE, related_name="matches"
    )
    item = models.ForeignKey(
        "policies.BenefitItem", verbose_name="惠企事项", on_delete=models.CASCADE, related_name="matches"
    )
    matched_at = models.DateTimeField("匹配时间")

    class Meta:
        verbose_name = verbose_name_plural = "匹配结果"
        constraints = [models.UniqueConstraint(fields=["item", "profile"], name="match_item_profile_unique")]
        indexes = [models.Index(fields=["profile", "item"], name="match_profile_item")]


class Notice(models.Model):
    """A message in an enterprise's inbox. Each push is one notice, so the
    push count is a count of notices."""

    class Kind(models.TextChoices):
        MATCH = "match", "政策推送"
        GRANT = "grant", "免申即享意愿确认"
        PUBLICITY = "publicity", "公示"
        PAYOUT = "payout", "兑现"

    profile = models.ForeignKey(
        EnterpriseProfile, verbose_name="企业", on_delete=models.CASCADE, related_name="notices"
    )
    item = models.ForeignKey(
        "policies.BenefitItem", verbose_name="惠企事项", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.MATCH, db_index=True)
    text = models.TextField("内容")
    created_at = models.DateTimeField("推送时间", db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "推送消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["profile", "read_at"], name="notice_profile_read")]

    def __str__(self):
        return self.text[:40]


class GrantRound(models.Model):
    """One auto-grant (免申即享) round of an item: the matched enterprises are
    listed and confirm, the list is published for objections, then paid."""

    class State(models.TextChoices):
        CONFIRMING = "confirming", "意愿确认中"
        PUBLICITY = "publicity", "公示中"
        PAID = "paid", "已兑现"

    item = models.ForeignKey(
        "policies.BenefitItem", verbose_name="惠企事项", on_delete=models.PROTECT, related_name="grant_rounds"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.CONFIRMING, db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("发起时间")
    publicity_days = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_until = models.DateField("公示截止", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公示发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="兑现经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField("兑现时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "免申即享批次"
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"{self.item}（{self.opened_at:%Y-%m-%d}）"

    @property
    def scope_region_code(self):
        return self.item.region_id

    @property
    def scope_department_function(self):
        return self.item.department.function


class GrantEntry(models.Model):
    """One matched enterprise in a round and its confirmation (意愿确认)."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "同意享受"
        DECLINED = "declined", "放弃享受"

    round = models.ForeignKey(GrantRound, verbose_name="批次", on_delete=models.CASCADE, related_name="entries")
    profile = models.ForeignKey(
        EnterpriseProfile, verbose_name="企业", on_delete=models.PROTECT, related_name="grant_entries"
    )
    amount = models.DecimalField("拟兑现金额（万元）", max_digits=12, decimal_places=2)
    decision = models.CharField(
        "意愿", max_length=10, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    excluded = models.BooleanField("因异议取消", default=False)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "免申即享名单"
        ordering = ["round_id", "profile__uscc"]
        constraints = [models.UniqueConstraint(fields=["round", "profile"], name="grantentry_round_profile_unique")]

    def __str__(self):
        return f"{self.profile}：{self.get_decision_display()}"


class Objection(models.Model):
    """An objection raised during publicity (公示异议) and how it was settled."""

    entry = models.ForeignKey(GrantEntry, verbose_name="异议对象", on_delete=models.CASCADE, related_name="objections")
    text = models.TextField("异议内容")
    raised_by = models.CharField("异议人", max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")
    upheld = models.BooleanField("异议成立", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return self.text[:40]


class Payout(models.Model):
    """Money paid to one enterprise at the end of a round (兑现记录)."""

    entry = models.OneToOneField(GrantEntry, verbose_name="名单记录", on_delete=models.PROTECT, related_name="payout")
    amount = models.DecimalField("兑现金额（万元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("兑现日期")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "兑现记录"
        ordering = ["entry__round_id", "id"]

    def __str__(self):
        return f"{self.entry.profile} {self.amount}万元"
