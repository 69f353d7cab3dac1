"""The policy zone's library (惠企政策直达快享): policy documents with their
articles and attachments, interpretations, benefit items broken out of a
document and claimed by a department in a region, and consultation tickets.

Each record belongs to a department (who maintains it) and a region (where it
applies); the centre reviews and publishes. Changes go through
policies.services.
"""

from django.conf import settings
from django.db import models

from core.models import Department, Level, Region


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审核"
    PUBLISHED = "published", "已发布"
    EXPIRED = "expired", "已失效"
    WITHDRAWN = "withdrawn", "已撤回"


# Documents and items that the zone shows: expired ones stay findable, marked.
LISTED = (Status.PUBLISHED, Status.EXPIRED)


class Scoped(models.Model):
    """A record maintained by one department for one region."""

    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="适用区划", on_delete=models.PROTECT, related_name="+")
    city_code = models.CharField(
        "所属市州",
        max_length=6,
        blank=True,
        db_index=True,
        help_text="区划所在市州的代码；省级记录为空。市州专区按此筛选",
    )

    class Meta:
        abstract = True

    @property
    def scope_region_code(self):
        return self.region_id

    @property
    def scope_department_function(self):
        return self.department.function


class PolicyDocument(Scoped):
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issuers = models.CharField("发文机关", max_length=200, help_text="多个机关以顿号分隔")
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    issued_on = models.DateField("发布日期")
    effective_on = models.DateField("施行日期", null=True, blank=True)
    expires_on = models.DateField("失效日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    summary = models.TextField("摘要", blank=True)
    topic = models.CharField(
        "政策主题",
        max_length=40,
        blank=True,
        db_index=True,
        help_text="如：稳岗返还、专精特新；用于专区分类浏览和检索评测",
    )
    published_at = models.DateTimeField("上线时间", null=True, blank=True)
    breakdown_due = models.DateField(
        "事项拆解期限", null=True, blank=True, help_text="发布后7个工作日内须拆解为惠企事项"
    )
    review_comment = models.TextField("审核意见", blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策文件"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["status", "city_code"], name="policydoc_status_city")]

    def __str__(self):
        return self.title


class PolicyArticle(models.Model):
    """One article (条) of a document's full text."""

    document = models.ForeignKey(
        PolicyDocument, verbose_name="政策文件", on_delete=models.CASCADE, related_name="articles"
    )
    ordinal = models.PositiveIntegerField("序号")
    heading = models.CharField("条目", max_length=60, blank=True, help_text="如：第三条、一、（二）")
    text = models.TextField("正文")

    class Meta:
        verbose_name = verbose_name_plural = "政策条款"
        ordering = ["document_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["document", "ordinal"], name="policyarticle_ordinal_unique")]

    def __str__(self):
        return f"{self.heading or self.ordinal}"


class PolicyAttachment(models.Model):
    document = models.ForeignKey(
        PolicyDocument, verbose_name="政策文件", on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to="policies/%Y/%m/")
    content_type = models.CharField("类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "政策附件"

    def __str__(self):
        return self.name


class Interpretation(Scoped):
    class Kind(models.TextChoices):
        TEXT = "text", "文字解读"
        GRAPHIC = "graphic", "图解"
        VIDEO = "video", "视频链接"

    document = models.ForeignKey(
        PolicyDocument, verbose_name="政策文件", on_delete=models.CASCADE, related_name="interpretations"
    )
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("形式", max_length=10, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField("解读内容", blank=True)
    url = models.URLField("链接", blank=True)
    image = models.FileField("图解图片", upload_to="policies/graphics/%Y/", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField("上线时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "政策解读"
        ordering = ["document_id", "id"]

    def __str__(self):
        return self.title


class BenefitItem(Scoped):
    """One claimable benefit (惠企事项) broken out of a document, claimed by the
    department that delivers it in its region (认领事项)."""

    class Kind(models.TextChoices):
        RELIEF = "relief", "减免"
        SUBSIDY = "subsidy", "奖补"
        ENTITLEMENT = "entitlement", "权益"
        QUALIFICATION = "qualification", "资质"

    class Delivery(models.TextChoices):
        AUTO_GRANT = "auto_grant", "免申即享"
        FAST_CLAIM = "fast_claim", "快申快享"
        ON_APPLICATION = "on_application", "依申请"

    document = models.ForeignKey(
        PolicyDocument, verbose_name="政策文件", on_delete=models.PROTECT, related_name="items"
    )
    article = models.ForeignKey(
        PolicyArticle, verbose_name="出处条款", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    code = models.CharField("事项编码", max_length=40, unique=True)
    title = models.CharField("事项名称", max_length=200)
    kind = models.CharField("类别", max_length=15, choices=Kind.choices)
    delivery = models.CharField("兑现方式", max_length=15, choices=Delivery.choices)
    target = models.TextField("惠及对象")
    conditions = models.TextField("申报条件")
    amount = models.TextField("支持标准", help_text="金额或计算规则，如：按研发投入的10%给予补助，最高50万元")
    amount_cap = models.DecimalField("最高金额（万元）", max_digits=12, decimal_places=2, null=True, blank=True)
    apply_from = models.DateField("申报开始", null=True, blank=True)
    apply_until = models.DateField("申报截止", null=True, blank=True)
    apply_period = models.CharField("申报时间", max_length=100, blank=True, help_text="如：常年受理、每年3月")
    materials = models.TextField("申报材料", blank=True)
    payout_method = models.CharField("兑现方式说明", max_length=200, blank=True)
    payout_days = models.PositiveSmallIntegerField("兑现时限（工作日）", null=True, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    industries = models.JSONField(
        "适用行业", default=list, blank=True, help_text="GB/T 4754-2017 行业代码或其前缀；空表示不限"
    )
    sizes = models.JSONField("适用企业规模", default=list, blank=True, help_text="large/medium/small/micro；空表示不限")
    topic = models.CharField("政策主题", max_length=40, blank=True, db_index=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    published_at = models.DateTimeField("上线时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "惠企事项"
        ordering = ["document_id", "id"]
        indexes = [models.Index(fields=["status", "city_code"], name="benefititem_status_city")]

    def __str__(self):
        return self.title


class PolicyTicket(Scoped):
    """A consultation that the answer card did not settle, routed to the
    claiming department and answered within a set number of working days."""

    class State(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"
        CLOSED = "closed", "已办结"

    asker = models.ForeignKey(
        "accounts.User", verbose_name="提问人", on_delete=models.PROTECT, related_name="policy_tickets"
    )
    question = models.TextField("问题")
    card = models.JSONField("答复卡片", default=dict, blank=True, help_text="提问时给出的自动答复及其出处")
    item = models.ForeignKey(
        BenefitItem, verbose_name="相关事项", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name="相关文件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    due_date = models.DateField("答复期限")
    reply = models.TextField("答复", blank=True)
    replied_by = models.ForeignKey(
        "accounts.User", verbose_name="答复人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField("提问时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "政策咨询工单"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.question[:40]


class SearchEntry(models.Model):
    """The search index's row for one document, interpretation, item or
    article: segmented text plus the fields search filters on. Kept by
    policies.search; the full-text index itself (SQLite FTS5 or a PostgreSQL
    GIN index) is built over `tokens` by the search migrations."""

    audited = False  # derived from the library, rebuilt at will

    class Kind(models.TextChoices):
        DOCUMENT = "document", "政策文件"
        INTERPRETATION = "interpretation", "政策解读"
        ITEM = "item", "惠企事项"
        ARTICLE = "article", "政策条款"

    kind = models.CharField("类型", max_length=15, choices=Kind.choices)
    object_id = models.BigIntegerField("对象")
    document_id = models.BigIntegerField("政策文件")
    title = models.CharField("标题", max_length=200)
    text = models.TextField("正文")
    tokens = models.TextField("分词", help_text="标题与正文的分词结果，以空格分隔")
    region_code = models.CharField("区划", max_length=6)
    city_code = models.CharField("市州", max_length=6, blank=True)
    department_id = models.BigIntegerField("部门")
    item_kind = models.CharField("事项类别", max_length=15, blank=True)
    delivery = models.CharField("兑现方式", max_length=15, blank=True)
    industries = models.CharField("行业", max_length=400, blank=True, help_text="以空格分隔的行业代码")
    sizes = models.CharField("规模", max_length=40, blank=True)
    status = models.CharField("状态", max_length=10)
    date = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "检索条目"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_kind_object_unique")]
        indexes = [models.Index(fields=["city_code", "status"], name="searchentry_city_status")]


class VocabularyEntry(models.Model):
    """A line of the search vocabulary proposed in the console: a synonym
    group (colloquial, abbreviated and older names of a policy term), a
    query stopword or an aspect word, with its source. The centre reviews it;
    only approved entries join the vocabulary shipped in
    policies/search/*.txt (policies.vocabulary)."""

    class Kind(models.TextChoices):
        SYNONYM = "synonym", "同义词组"
        STOPWORD = "stopword", "查询停用词"
        ASPECT = "aspect", "方面词"

    class State(models.TextChoices):
        PROPOSED = "proposed", "待复核"
        APPROVED = "approved", "已采用"
        REJECTED = "rejected", "未采用"

    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    words = models.CharField("词语", max_length=400, help_text="以空格分隔；同义词组至少两个词")
    source = models.CharField("来源", max_length=300, help_text="政策原文（文号、条款）或公开出处")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PROPOSED)
    note = models.CharField("复核意见", max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="提出人"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="复核人",
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "检索词表条目"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.words}"
