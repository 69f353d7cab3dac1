"""Cases (办件) at the comprehensive windows and their append-only event log.

A case's state is what its events say; the Case row keeps the latest state
and deadline so worklists can be queried, and is changed only by
cases.services together with the event that explains the change.
Statistics count events, never the Case row.
"""

from django.db import models

from accounts.models import Organisation, Person, User
from catalog.models import Material, Matter, Situation
from core import masking
from core.models import AppendOnly, Department, Region
from core.personal import EncryptedCharField, LookupHashField
from hall.models import Window


class Channel(models.TextChoices):
    WINDOW = "window", "窗口"
    ONLINE = "online", "网上"
    POST = "post", "邮寄"


class EventChannel(models.TextChoices):
    """The channel an event is counted under: a case's channel, or for an
    online policy question (no case) its own, so the two never mix."""

    WINDOW = "window", "窗口"
    ONLINE = "online", "网上"
    POST = "post", "邮寄"
    POLICY = "policy", "网上政策咨询"


class Case(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "已收件"
        CORRECTION = "correction", "待补正"
        ACCEPTED = "accepted", "已受理"
        REVIEWING = "reviewing", "审查中"
        SUSPENDED = "suspended", "特别程序"
        REFUSED = "refused", "不予受理"
        APPROVED = "approved", "办结（准予）"
        DENIED = "denied", "办结（不予许可）"
        ISSUED = "issued", "已出证"
        DELIVERED = "delivered", "已送达"

    number = models.CharField("办件编号", max_length=32, unique=True)
    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.PROTECT, related_name="cases")
    situation = models.ForeignKey(Situation, verbose_name="情形", on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    applicant_person = models.ForeignKey(
        Person, verbose_name="申请人（自然人）", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    applicant_organisation = models.ForeignKey(
        Organisation,
        verbose_name="申请人（法人）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    agent = models.ForeignKey(
        Person, verbose_name="经办人", null=True, blank=True, on_delete=models.PROTECT, related_name="agent_cases"
    )
    applicant_name = models.CharField("申请人", max_length=120)
    # Personal data, encrypted at rest (core.crypto); the code is found again by its keyed hash.
    applicant_code = EncryptedCharField("申请人证件号码", max_length=18, mask=masking.CODE)
    applicant_code_hash = LookupHashField("申请人证件号码检索散列", source="applicant_code", db_index=True)
    contact_phone = EncryptedCharField("联系电话", max_length=20, blank=True, mask=masking.PHONE)
    region = models.ForeignKey(Region, verbose_name="办理地", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        Window, verbose_name="收件窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    holder = models.ForeignKey(Department, verbose_name="当前承办部门", on_delete=models.PROTECT, related_name="+")
    at_window = models.BooleanField("在窗口", default=True, help_text="办件当前在窗口（收件、补正、出件）而非部门后台")
    review_step = models.PositiveSmallIntegerField(
        "审查环节", default=0, help_text="已完成的审查层级数，对应事项的审查决定层级"
    )
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField("收件时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    due_date = models.DateField("承诺办结日期", null=True, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The time of its newest event, written with that event (cases.services._event),
    # so the worklist orders by it without reading the event log.
    moved_at = models.DateTimeField("最近办理时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    delivery = models.CharField(
        "送达方式", max_length=10, blank=True, choices=[("window", "窗口领取"), ("post", "邮寄送达")]
    )
    delivery_address = EncryptedCharField("邮寄地址", max_length=200, blank=True, mask=masking.ADDRESS)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["holder", "state", "due_date"]),
            models.Index(fields=["state", "due_date"]),
            # 待我处理: at the window (clerks) or in one department, newest move first.
            models.Index(fields=["at_window", "-moved_at"], name="cases_case_desk_moved_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.matter.name}"

    policy_kind = "case"

    @property
    def scope_region_code(self):
        return self.region_id

    @property
    def scope_department_function(self):
        return self.holder.function

    def is_applicant(self, person):
        """True for the applicant, or an agent of the applicant organisation."""
        if self.applicant_person_id:
            return self.applicant_person_id == person.pk
        return self.applicant_organisation.agent_set.filter(person=person).exists()

    @staticmethod
    def applicant_q(person):
        return models.Q(applicant_person=person) | models.Q(applicant_organisation__agent__person=person)

    # Read by accounts.policy: a department keeps sight of every case it held.
    def handled_by(self, department_id):
        return self.events.filter(department_id=department_id).exists()

    @staticmethod
    def handled_q(department_id):
        return models.Q(
            pk__in=CaseEvent.objects.filter(department_id=department_id, case__isnull=False).values("case_id")
        )


class CaseEvent(AppendOnly):
    """One step in a case's life, or a consultation (no case). Never changed.

    Matter, department, window and channel are copied onto the event when it
    is written, so counts by any of them need no joins and cannot drift."""

    audited = False  # it is itself an append-only record of who did what, when
    append_only_name = "办件环节"

    class Kind(models.TextChoices):
        CONSULT = "consult", "咨询"
        RECEIVE = "receive", "收件"
        CORRECTION_REQUESTED = "correction_requested", "一次性告知补正"
        CORRECTION_ANSWERED = "correction_answered", "补正材料提交"
        ACCEPT = "accept", "受理"
        REFUSE = "refuse", "不予受理"
        TRANSFER = "transfer", "流转"
        REVIEW = "review", "审查"
        SUSPEND = "suspend", "特别程序开始"
        RESUME = "resume", "特别程序结束"
        CONCLUDE = "conclude", "办结"
        ISSUE = "issue", "颁发证照"
        HANDOVER = "handover", "送达"
        EVALUATE = "evaluate", "评价"

    case = models.ForeignKey(
        Case, verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    seq = models.PositiveIntegerField("环节序号", default=0)
    kind = models.CharField("环节", max_length=24, choices=Kind.choices)
    at = models.DateTimeField("时间", db_index=True)
    # The Beijing calendar day of `at`, so counts over days need no time-zone
    # arithmetic per row; fixed when the event is written, like the rest of it.
    day = models.DateField("日期")
    actor = models.ForeignKey(
        User, verbose_name="经办人员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("经办人员名称", max_length=150, blank=True)
    matter = models.ForeignKey(
        Matter, verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("渠道", max_length=10, choices=EventChannel.choices)
    reason = models.TextField("意见或原因", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件环节"
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]
        indexes = [
            models.Index(fields=["kind", "day"], name="cases_casee_kind_day_idx"),
            # Covers the dashboard's breakdowns, so they read the index alone.
            models.Index(
                fields=["day", "kind", "department", "window", "matter", "channel"], name="cases_event_stats_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CaseFile(models.Model):
    """An uploaded material, stored under a random name outside the web root."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="files")
    material = models.ForeignKey(
        Material, verbose_name="材料", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("摘要", max_length=64)
    uploaded_by = models.ForeignKey(
        User, verbose_name="上传人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件材料文件"

    def __str__(self):
        return f"{self.material.name}：{self.original_name}" if self.material_id else self.original_name


class Certificate(models.Model):
    """A result document issued for a case (证照), with its e-certificate identifier."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField("证照编号", max_length=40, unique=True)
    e_certificate_id = models.CharField("电子证照标识", max_length=100, unique=True)
    title = models.CharField("证照名称", max_length=80)
    holder_name = models.CharField("持证主体", max_length=120)
    holder_code = EncryptedCharField("持证主体代码", max_length=18, mask=masking.CODE)
    holder_code_hash = LookupHashField("持证主体代码检索散列", source="holder_code", db_index=True)
    issuer = models.ForeignKey(Department, verbose_name="发证机关", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("颁发时间")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    revoked = models.BooleanField("已注销", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "证照"

    def __str__(self):
        return f"{self.title} {self.number}"

    @property
    def verification_code(self):
        """Printed on the certificate; the public verification page asks for it."""
        from .identifiers import verification_code

        return verification_code(self.pk, self.e_certificate_id)


class Evaluation(models.Model):
    """The applicant's rating of a concluded case (好差评)."""

    class Score(models.IntegerChoices):
        VERY_SATISFIED = 5, "非常满意"
        SATISFIED = 4, "满意"
        BASIC = 3, "基本满意"
        DISSATISFIED = 2, "不满意"
        VERY_DISSATISFIED = 1, "非常不满意"

    case = models.OneToOneField(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="evaluation")
    score = models.PositiveSmallIntegerField("评价", choices=Score.choices)
    comment = models.TextField("意见", blank=True)
    at = models.DateTimeField("评价时间")
    # A poor rating (不满意 or worse) opens a follow-up due in 15 working days.
    follow_up_due = models.DateField("整改期限", null=True, blank=True)
    follow_up_closed_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    follow_up_result = models.TextField("整改及回访情况", blank=True)
    follow_up_by = models.ForeignKey(
        User, verbose_name="整改人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "好差评"

    @property
    def is_poor(self):
        return self.score <= self.Score.DISSATISFIED


class Counter(models.Model):
    """Serial numbers handed out under a lock, so two clerks never get the same one."""

    audited = False  # bookkeeping, changed by no one in particular

    key = models.CharField(max_length=60, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数器"


class DaySummary(models.Model):
    """Counts of events per Beijing day and every way the statistics break
    down, derived from the event log (cases.summary keeps it in the same
    transaction as each event, and rebuilds any period from the events).

    The dimensions are plain ids with 0 / "" for "none", not foreign keys:
    a unique key with NULLs in it would never collide, and the upsert needs
    it to. Never the source of truth; the event log is."""

    audited = False  # derived from the append-only event log, rebuilt at will

    day = models.DateField("日期")
    kind = models.CharField("环节", max_length=24, choices=CaseEvent.Kind.choices)
    department = models.IntegerField("部门", default=0)
    window = models.IntegerField("窗口", default=0)
    matter = models.IntegerField("事项", default=0)
    channel = models.CharField("渠道", max_length=10, choices=EventChannel.choices)
    region = models.CharField("地区", max_length=12, default="")
    events = models.PositiveIntegerField("环节数", default=0)
    # 办结 only: for the average handling time and the on-time rate
    working_days = models.IntegerField("用时合计（工作日）", default=0)
    timed = models.PositiveIntegerField("计用时件数", default=0)
    on_time = models.PositiveIntegerField("按时件数", default=0)
    judged = models.PositiveIntegerField("计按时件数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办件日汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "department", "window", "matter", "channel", "region"],
                name="case_day_summary_key",
            )
        ]


class SummaryStamp(models.Model):
    """One row a day: a number raised by every event counted on that day and
    by every rebuild of it (cases.summary), in the same transaction. Equal
    numbers for a month's days mean equal summary rows, so a grouping of them
    made at that number can be read again (cases.stats); one small query
    (a row a day) tells whether it stands, in every process."""

    audited = False  # derived, like the summary

    day = models.DateField("日期", primary_key=True)
    version = models.PositiveBigIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办件日汇总版本"
