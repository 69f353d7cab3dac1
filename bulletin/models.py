"""The weekly bulletin (工作周报): a draft of blocks per section, built from the
hall's records and the case event log, edited in the browser, exported to
DOCX/PDF and issued (the issued files are kept byte for byte)."""

from django.db import models


class DistributionList(models.Model):
    """A saved distribution block (报 …; 发 …; 共印N份)."""

    name = models.CharField("名称", max_length=60, unique=True)
    report_to = models.TextField("报")
    send_to = models.TextField("发")
    copies = models.PositiveIntegerField("印数（份）")
    is_default = models.BooleanField("默认", default=False)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "分送范围"
        ordering = ["-is_default", "name"]

    def __str__(self):
        return self.name


class Bulletin(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已印发"

    year = models.PositiveIntegerField("年度")
    number = models.PositiveIntegerField("期号")
    week_start = models.DateField("周一", unique=True)
    week_end = models.DateField("周五")
    issuing_unit = models.CharField("印发单位", max_length=80)
    dated = models.DateField("印发日期")
    report_to = models.TextField("报", blank=True)
    send_to = models.TextField("发", blank=True)
    copies = models.PositiveIntegerField("印数（份）", default=0)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    built_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    built_at = models.DateTimeField("生成时间")
    refreshed_at = models.DateTimeField("数据刷新时间")
    issued_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工作周报"
        ordering = ["-week_start"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="bulletin_year_number_unique")]

    def __str__(self):
        return f"{self.year}年第{self.number}期"

    @property
    def is_issued(self):
        return self.state == self.State.ISSUED


class Block(models.Model):
    """One paragraph of a section. `template` is the editor's text; `{key}`
    placeholders stand for figures the platform computed (kept in `figures`
    with their source and when they were computed), so refreshing the data
    changes the numbers but never the editor's words."""

    class Section(models.TextChoices):
        ACTIVITY = "activity", "一、政务工作动态"
        KEY_WORK = "key_work", "二、重点工作推进情况"
        DUTY = "duty", "三、厅(局)长进大厅"
        WINDOWS = "windows", "（一）省本级综窗办件情况"
        OTHER = "other", "（二）其他工作开展情况"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="blocks")
    section = models.CharField("栏目", max_length=12, choices=Section.choices)
    order = models.PositiveIntegerField("顺序", default=0)
    heading = models.CharField("小标题", max_length=60, blank=True)
    template = models.TextField("正文")
    source = models.CharField(
        "来源", max_length=40, blank=True, help_text="由平台数据生成的段落记下来源，如 activity:12；编辑新增的段落为空"
    )
    edited = models.BooleanField("已人工修改", default=False)
    figures = models.JSONField("平台数据", default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "周报段落"
        ordering = ["bulletin", "section", "order", "pk"]


class BulletinFile(models.Model):
    """An exported file. Issued files are kept as issued (the bytes, their
    sha256), so downloading later gives the very same file."""

    audited = False  # bytes; the bulletin's own changes are audited

    class Kind(models.TextChoices):
        DOCX = "docx", "Word (DOCX)"
        PDF = "pdf", "PDF"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    bulletin_version = models.PositiveIntegerField()
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField("用时（秒）", default=0)

    class Meta:
        ordering = ["-created_at"]
