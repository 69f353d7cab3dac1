"""高效办成一件事: bundles of matters done as one application, and the problem list.

A Bundle (一件事) joins matters of several departments and levels; it is
drafted, reviewed and confirmed like an acceptance manual, every saved text
kept as a BundleVersion. An Application is one applicant's bundle: one
questionnaire, one form, one set of materials; submitting fans it out into
one ordinary case per matter (ApplicationChild → cases.Case). The parent and
child link lives here, so cases knows nothing of bundles.

Source of the modes and rules: 《国务院关于进一步优化政务服务提升行政效能
推动“高效办成一件事”的指导意见》（国发〔2024〕3号）.
"""

from django.conf import settings
from django.db import models

from accounts.models import Organisation, Person
from catalog.models import Matter, Situation
from core.models import AppendOnly, Department
from core.personal import EncryptedJSONField


class Mode(models.TextChoices):
    # 国发〔2024〕3号 三、(二): the ways several matters are done as one.
    LINKED = "linked", "关联事项集成办"
    CROSS_REGION = "cross_region", "跨域办"
    NO_APPLICATION = "no_application", "免申办"


class Bundle(models.Model):
    class State(models.TextChoices):
        DRAFTED = "drafted", "已梳理（待审核）"
        RETURNED = "returned", "已退回修改"
        REVIEWED = "reviewed", "已审核（待确认）"
        CONFIRMED = "confirmed", "已确认"

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    mode = models.CharField("办理模式", max_length=20, choices=Mode.choices, default=Mode.LINKED)
    deferral = models.BooleanField(
        "容缺后补", default=False, help_text="允许以书面承诺缺少非关键材料先行受理，限期补齐"
    )
    for_enterprise = models.BooleanField("面向企业", default=True)
    lead = models.ForeignKey(Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="+")
    cooperating = models.ManyToManyField(Department, verbose_name="协同部门", blank=True, related_name="+")
    summary = models.TextField("说明", blank=True)
    # [{"key", "label", "kind": text|date|number|choice, "required", "choices": [...], "max_length"}]
    fields = models.JSONField("一表申请字段", default=list, blank=True)
    # [{"key", "text", "options": [...]}]: the bundle's own questions, beside the matters' guiding questions
    questions = models.JSONField("一次告知问题", default=list, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFTED)
    version = models.PositiveIntegerField("当前版本", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事"
        ordering = ["pk"]

    def __str__(self):
        return self.name

    @property
    def scope_region_code(self):
        return self.lead.region_id

    @property
    def published(self):
        return self.state == self.State.CONFIRMED


class BundleItem(models.Model):
    """A matter of the bundle, in declared order. `after` lists the positions
    whose results it needs: it starts when they are concluded approved."""

    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.PROTECT, related_name="+")
    situation = models.ForeignKey(Situation, verbose_name="情形", on_delete=models.PROTECT, related_name="+")
    after = models.JSONField("前置事项序号", default=list, blank=True)
    # {"the matter's label": "form field key"}: which facts of the one form this matter receives
    field_map = models.JSONField("字段对应", default=dict, blank=True)
    # {"question": key, "option": text}: the item applies only on this answer (empty: always)
    only_if = models.JSONField("适用条件", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事事项"
        ordering = ["bundle_id", "position"]
        constraints = [models.UniqueConstraint(fields=["bundle", "position"], name="bundle_item_position_unique")]

    def __str__(self):
        return f"{self.position}. {self.matter.name}"


class BundleVersion(models.Model):
    """One saved text of a bundle (its items, form and questions); only ever added."""

    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    content = models.JSONField("内容")
    note = models.CharField("修改说明", max_length=200, blank=True)
    author_name = models.CharField("编写人", max_length=100)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事版本"
        ordering = ["bundle_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["bundle", "number"], name="bundle_version_unique")]


class BundleStep(models.Model):
    class Action(models.TextChoices):
        DRAFT = "draft", "梳理"
        APPROVE = "approve", "审核通过"
        RETURN = "return", "退回修改"
        CONFIRM = "confirm", "确认"

    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.CASCADE, related_name="steps")
    version = models.PositiveIntegerField("版本号")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    actor_name = models.CharField("操作人", max_length=100)
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事审核记录"
        ordering = ["bundle_id", "at", "id"]


class Application(models.Model):
    """One applicant's bundle (一件事申请): the parent of its child cases."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "办理中"
        CORRECTION = "correction", "待补正"
        COMPLETED = "completed", "已办结"
        PARTLY_REFUSED = "partly_refused", "部分事项未通过"

    number = models.CharField("申请编号", max_length=32, unique=True)
    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.PROTECT, related_name="applications")
    bundle_version = models.PositiveIntegerField("一件事版本")
    applicant_person = models.ForeignKey(
        Person, verbose_name="申请人（自然人）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_organisation = models.ForeignKey(
        Organisation, verbose_name="申请人（法人）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_name = models.CharField("申请人", max_length=120)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField("问卷回答", default=dict, blank=True)
    # Names, ID numbers, phones and addresses in one: encrypted at rest (core.crypto).
    facts = EncryptedJSONField("表单内容", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    completed_at = models.DateTimeField("全部办结时间", null=True, blank=True)
    demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "一件事申请"
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.bundle.name}"

    policy_kind = "bundle_application"

    def is_applicant(self, person):
        if self.applicant_person_id:
            return self.applicant_person_id == person.pk
        return self.applicant_organisation.agent_set.filter(person=person).exists()


class ApplicationChild(models.Model):
    """One matter of an application: waiting for its inputs, or started as a case."""

    application = models.ForeignKey(Application, verbose_name="申请", on_delete=models.CASCADE, related_name="children")
    item = models.ForeignKey(BundleItem, verbose_name="事项", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        "cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_child"
    )
    facts = EncryptedJSONField("传给本事项的表单内容", default=dict, blank=True)
    started_at = models.DateTimeField("开始办理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事子办件"
        ordering = ["application_id", "item__position"]


class ApplicationMaterial(models.Model):
    """A material given once for the whole application: an uploaded file, or a
    certificate the platform issued, attached by reference."""

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField("材料名称", max_length=120)
    file = models.FileField("文件", upload_to="bundles/%Y/%m/", blank=True)
    sha256 = models.CharField("摘要", max_length=64, blank=True)
    certificate = models.ForeignKey(
        "cases.Certificate", verbose_name="引用证照", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    children = models.ManyToManyField(ApplicationChild, verbose_name="用于", related_name="materials")

    class Meta:
        verbose_name = verbose_name_plural = "一件事申请材料"
        ordering = ["application_id", "pk"]


class Deferral(models.Model):
    """容缺后补: a material accepted as missing on a written promise to supply it
    by a date; tracked until supplied, or the acceptance is withdrawn."""

    class State(models.TextChoices):
        OPEN = "open", "待补齐"
        SUPPLIED = "supplied", "已补齐"
        WITHDRAWN = "withdrawn", "已撤销受理"

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.CASCADE, related_name="deferrals"
    )
    material = models.CharField("容缺材料", max_length=120)
    promise = models.TextField("书面承诺")
    due_date = models.DateField("承诺补齐日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField("补齐或撤销时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "容缺后补承诺"
        ordering = ["due_date", "pk"]


class Problem(models.Model):
    """An entry of the problem list (问题清单) of a bundle."""

    class Kind(models.TextChoices):
        SYSTEM = "system", "部门系统对接"
        FORM = "form", "表单字段"
        RULE = "rule", "规则阻断"
        OTHER = "other", "其他"

    class Source(models.TextChoices):
        LIST = "list", "梳理发现"
        WINDOW = "window", "窗口工单"
        APPLICANT = "applicant", "办事人反映"

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        HANDLING = "handling", "处理中"
        HANDLED = "handled", "已处理"

    bundle = models.ForeignKey(Bundle, verbose_name="一件事", on_delete=models.PROTECT, related_name="problems")
    title = models.CharField("问题", max_length=120)
    description = models.TextField("问题描述", blank=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.LIST)
    owner = models.ForeignKey(Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+")
    measures = models.TextField("解决措施", blank=True)
    deadline = models.DateField("完成时限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    # The Beijing calendar day it was handled, so the bulletin counts a week without time-zone arithmetic.
    handled_on = models.DateField("处理日期", null=True, blank=True, db_index=True)
    reported_by = models.CharField("反映人", max_length=100, blank=True)
    demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "一件事问题清单"
        ordering = ["state", "deadline", "pk"]

    def __str__(self):
        return self.title

    @property
    def scope_region_code(self):
        return self.owner.region_id


class ProblemChange(AppendOnly):
    """Who changed a problem, when, and what it was before and after."""

    audited = False  # itself an append-only record of who did what
    append_only_name = "问题处理记录"

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField("时间")
    actor_label = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=20)
    before = models.JSONField("修改前", default=dict, blank=True)
    after = models.JSONField("修改后", default=dict, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题处理记录"
        ordering = ["problem_id", "at", "id"]
