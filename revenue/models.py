"""自然资源非税收入 (mineral revenue): mining rights, the fee sources (费源信息)
natural-resources staff decide and approve, what the tax bureau sends back
(缴款通知书, 缴费信息, 复核结果), and the exchange's outbox and inbox.

Rules: collection by the county tax office where the right lies (财综〔2021〕19号;
川自然资规〔2025〕2号); 出让收益 by amount or by rate (财综〔2023〕10号); 使用费
per km² per year (国务院令第240号、第241号; 财建〔2003〕530号). Rates and shares are
dated `Parameter` rows, never constants in code.
"""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from core.models import Level, Region
from core.validators import validate_uscc

FEN = Decimal("0.01")


class Parameter(models.Model):
    """A rate or share in force from a date until the next row of the same name."""

    class Name(models.TextChoices):
        LATE_FEE_DAILY = "late_fee_daily", "出让收益滞纳金日费率"
        USE_FEE_LATE_DAILY = "use_fee_late_daily", "使用费滞纳金日费率"
        MINING_USE_FEE = "mining_use_fee", "采矿权使用费（元/平方公里·年）"
        EXPLORATION_USE_FEE_BASE = "exploration_use_fee_base", "探矿权使用费起点（元/平方公里·年）"
        EXPLORATION_USE_FEE_STEP = "exploration_use_fee_step", "探矿权使用费第四年起每年增加"
        EXPLORATION_USE_FEE_CAP = "exploration_use_fee_cap", "探矿权使用费上限"
        CENTRAL_SHARE = "central_share", "中央分成比例"
        PROVINCE_SHARE_OF_LOCAL = "province_share", "地方部分省级比例"
        CITY_SHARE_OF_LOCAL = "city_share", "地方部分市级比例"
        CITY_APPROVAL_FROM = "city_approval_from", "报市级审批的金额起点（元）"
        PROVINCE_APPROVAL_FROM = "province_approval_from", "报省级审批的金额起点（元）"

    name = models.CharField("参数", max_length=40, choices=Name.choices)
    # Local shares may differ by the level that granted the right (川财规〔2023〕10号).
    granting_level = models.CharField(
        "出让登记层级",
        max_length=10,
        choices=Level.choices,
        blank=True,
        help_text="仅分成比例按出让层级区分；其余参数留空",
    )
    value = models.DecimalField("数值", max_digits=16, decimal_places=6)
    effective_from = models.DateField("起始日期")
    source = models.CharField("依据", max_length=200)
    confirmed = models.BooleanField(
        "已核实原文", default=True, help_text="未取得文件原文核实的数值标为未核实，页面上提示"
    )

    class Meta:
        verbose_name = verbose_name_plural = "征收参数"
        ordering = ["name", "granting_level", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "granting_level", "effective_from"], name="revenue_parameter_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_name_display()} {self.value}（{self.effective_from} 起）"


class MiningRight(models.Model):
    class Kind(models.TextChoices):
        EXPLORATION = "exploration", "探矿权"
        MINING = "mining", "采矿权"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    licence_no = models.CharField("许可证号", max_length=40, unique=True)
    name = models.CharField("矿业权名称", max_length=120)
    holder_name = models.CharField("矿业权人", max_length=120)
    holder_uscc = models.CharField("矿业权人统一社会信用代码", max_length=18, validators=[validate_uscc])
    region = models.ForeignKey(Region, verbose_name="所在县（市、区）", on_delete=models.PROTECT, related_name="+")
    area_km2 = models.DecimalField(
        "面积（平方公里）", max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    mineral = models.CharField("矿种", max_length=40)
    granting_level = models.CharField("出让登记层级", max_length=10, choices=Level.choices)
    contract_no = models.CharField("出让合同编号", max_length=60)
    contract_date = models.DateField("合同签订日期")
    term_start = models.DateField("有效期起")
    term_end = models.DateField("有效期止")
    created_by = models.ForeignKey("accounts.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "矿业权"
        ordering = ["region_id", "licence_no"]

    def __str__(self):
        return f"{self.name}（{self.licence_no}）"

    @property
    def scope_region_code(self):
        return self.region_id


class RightChange(models.Model):
    """A change of contract or licence (变更): the fee source follows within 10 working days."""

    right = models.ForeignKey(MiningRight, verbose_name="矿业权", on_delete=models.CASCADE, related_name="changes")
    date = models.DateField("变更日期")
    description = models.CharField("变更内容", max_length=300)
    by = models.ForeignKey("accounts.User", verbose_name="登记人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "矿业权变更"
        ordering = ["right_id", "date", "id"]

    def __str__(self):
        return f"{self.right} {self.date} {self.description}"


class FeeSource(models.Model):
    """费源信息: what a right holder owes, decided and approved by natural resources
    and passed to the tax office within 10 working days (川自然资规〔2025〕2号)."""

    class Kind(models.TextChoices):
        PROCEEDS_AMOUNT = "proceeds_amount", "矿业权出让收益（按金额）"
        PROCEEDS_RATE = "proceeds_rate", "矿业权出让收益（按收益率）"
        USE_FEE = "use_fee", "探矿权采矿权使用费"

    class State(models.TextChoices):
        PENDING = "pending", "审批中"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已审批待推送"
        SENT = "sent", "已推送税务"
        NOTIFIED = "notified", "已送达缴款通知书"
        PARTLY_PAID = "partly_paid", "部分缴纳"
        PAID = "paid", "已缴清"

    right = models.ForeignKey(MiningRight, verbose_name="矿业权", on_delete=models.PROTECT, related_name="fee_sources")
    kind = models.CharField("费源类型", max_length=20, choices=Kind.choices)
    amount = models.DecimalField("应缴金额（元）", max_digits=16, decimal_places=2, validators=[MinValueValidator(FEN)])
    basis = models.CharField(
        "计征依据",
        max_length=300,
        blank=True,
        help_text="如：出让合同金额；按率征收的销售收入与收益率；使用费的面积、年度和单价",
    )
    period = models.CharField("所属期", max_length=20, blank=True, help_text="如 2026 或 2026Q3")
    trigger_date = models.DateField("合同签订或变更日期", help_text="10个工作日推送时限由此起算")
    region = models.ForeignKey(Region, verbose_name="所在县（市、区）", on_delete=models.PROTECT, related_name="+")
    granting_level = models.CharField("出让登记层级", max_length=10, choices=Level.choices)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING)
    chain = models.JSONField("审批链", default=list, help_text="依次需要审批的层级")
    step = models.PositiveSmallIntegerField("当前审批环节", default=0)
    created_by = models.ForeignKey("accounts.User", verbose_name="填报人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    approved_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    sent_at = models.DateTimeField("推送时间", null=True, blank=True)
    # History loaded before the exchange existed (demo year): reconciled already.
    historical = models.BooleanField("历史数据", default=False)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "费源信息"
        ordering = ["-trigger_date", "-id"]
        indexes = [models.Index(fields=["region", "state"], name="revenue_fs_region_state")]

    def __str__(self):
        return f"费源{self.pk} {self.right.name} {self.get_kind_display()}"

    @property
    def scope_region_code(self):
        return self.region_id

    @property
    def current_level(self):
        return self.chain[self.step] if self.state == self.State.PENDING and self.step < len(self.chain) else None


class Instalment(models.Model):
    """One part of what a fee source asks (分期缴纳, 财综〔2023〕10号); one row when paid at once."""

    fee_source = models.ForeignKey(FeeSource, verbose_name="费源", on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("缴款期限")
    amount = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "分期"
        ordering = ["fee_source_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["fee_source", "seq"], name="revenue_instalment_unique")]

    def __str__(self):
        return f"第{self.seq}期 {self.amount}元（{self.due_date} 前）"


class ApprovalStep(models.Model):
    class Decision(models.TextChoices):
        SUBMIT = "submit", "提交"
        APPROVE = "approve", "同意"
        RETURN = "return", "退回"

    fee_source = models.ForeignKey(FeeSource, verbose_name="费源", on_delete=models.CASCADE, related_name="steps")
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    decision = models.CharField("意见", max_length=10, choices=Decision.choices)
    comment = models.CharField("审批意见", max_length=500, blank=True)
    by = models.ForeignKey("accounts.User", verbose_name="审批人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批记录"
        ordering = ["fee_source_id", "at", "id"]

    def __str__(self):
        return f"{self.get_level_display()} {self.get_decision_display()}"


class PaymentNotice(models.Model):
    """缴款通知书 served by the tax office (within 7 working days, 川自然资规〔2025〕2号)."""

    fee_source = models.OneToOneField(FeeSource, verbose_name="费源", on_delete=models.CASCADE, related_name="notice")
    notice_no = models.CharField("通知书编号", max_length=40, unique=True)
    issued_on = models.DateField("送达日期")
    amount = models.DecimalField("通知金额（元）", max_digits=16, decimal_places=2)
    message_id = models.CharField("消息标识", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "缴款通知书"

    def __str__(self):
        return self.notice_no


class Payment(models.Model):
    """缴费信息 from the tax bureau; one row per message, never twice."""

    fee_source = models.ForeignKey(FeeSource, verbose_name="费源", on_delete=models.PROTECT, related_name="payments")
    instalment_seq = models.PositiveSmallIntegerField("期次")
    paid_on = models.DateField("缴款日期")
    amount = models.DecimalField("缴纳本金（元）", max_digits=16, decimal_places=2)
    late_fee = models.DecimalField("滞纳金（元）", max_digits=16, decimal_places=2, default=Decimal(0))
    tax_ref = models.CharField("税票号", max_length=40, unique=True)
    message_id = models.CharField("消息标识", max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "缴费信息"
        ordering = ["fee_source_id", "paid_on", "id"]
        indexes = [models.Index(fields=["paid_on"], name="revenue_payment_paid_on")]

    def __str__(self):
        return f"{self.tax_ref} {self.amount}元"


class Review(models.Model):
    """复核: amount-based 出让收益 at natural resources, rate-based and 使用费 at tax;
    answered within 10 working days; the payer pays per the notice meanwhile
    (川自然资规〔2025〕2号)."""

    class Route(models.TextChoices):
        NATURAL_RESOURCES = "natural_resources", "自然资源主管部门"
        TAX = "tax", "税务部门"

    class State(models.TextChoices):
        OPEN = "open", "复核中"
        UPHELD = "upheld", "维持原金额"
        CHANGED = "changed", "调整金额"

    fee_source = models.ForeignKey(FeeSource, verbose_name="费源", on_delete=models.PROTECT, related_name="reviews")
    route = models.CharField("复核机关", max_length=20, choices=Route.choices)
    reason = models.CharField("异议理由", max_length=500)
    filed_on = models.DateField("申请日期")
    due_on = models.DateField("复核期限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.CharField("复核意见", max_length=500, blank=True)
    answered_on = models.DateField("复核日期", null=True, blank=True)
    message_id = models.CharField("消息标识", max_length=64, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "复核"
        ordering = ["-filed_on", "-id"]

    def __str__(self):
        return f"复核{self.pk}（{self.fee_source}）"

    @property
    def scope_region_code(self):
        return self.fee_source.region_id


# What the messages of the exchange carry, as staff read it (not field choices:
# the simulator may add kinds, and a kind the platform does not know is kept as is).
MESSAGE_KINDS = {
    "fee_source": "费源信息",
    "review_request": "复核申请",
    "notice": "缴款通知书",
    "payment": "缴费信息",
    "review_outcome": "复核结果",
    "received": "收妥回执",
}


class OutboxMessage(models.Model):
    """A message to the tax bureau, written in the same transaction as the change
    it reports; delivered by the worker with retries until acknowledged."""

    audited = False  # bookkeeping: the approval it carries is audited; replays are audited explicitly

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已送达"
        DEAD = "dead", "发送失败"

    message_id = models.UUIDField("消息标识", default=uuid.uuid4, unique=True)
    idempotency_key = models.CharField("幂等键", max_length=80, unique=True)
    kind = models.CharField("类型", max_length=30)
    fee_source = models.ForeignKey(
        FeeSource, verbose_name="费源", null=True, on_delete=models.PROTECT, related_name="outbox"
    )
    payload = models.JSONField("内容")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("写入时间", auto_now_add=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发消息"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="revenue_outbox_due")]

    def __str__(self):
        return f"{self.kind_label} {self.idempotency_key}"

    @property
    def kind_label(self):
        return MESSAGE_KINDS.get(self.kind, self.kind)


class InboxMessage(models.Model):
    """A message from the tax bureau, kept by its id so it is applied once."""

    audited = False  # what it applies is audited under the exchange's system actor

    message_id = models.CharField("消息标识", max_length=64, unique=True)
    kind = models.CharField("类型", max_length=30)
    payload = models.JSONField("内容")
    received_at = models.DateTimeField("收到时间", auto_now_add=True)
    applied_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "收到消息"
        ordering = ["received_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.message_id}"


class ExchangeCursor(models.Model):
    """How far the platform has read the tax bureau's message feed."""

    audited = False
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    after = models.BigIntegerField(default=0)


class Reconciliation(models.Model):
    """对账: the platform's figures against the tax bureau's, per fee source."""

    run_at = models.DateTimeField("对账时间", auto_now_add=True)
    checked = models.PositiveIntegerField("核对费源数")
    differences = models.JSONField("差异", default=list)
    error = models.CharField("未能对账的原因", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "对账"
        ordering = ["-run_at", "-id"]

    def __str__(self):
        return f"对账 {self.run_at:%Y-%m-%d %H:%M}"
