"""Reference data every domain shares: regions, departments, the working-day
calendar, and the append-only audit log."""

from django.core.exceptions import ValidationError
from django.db import models

from .validators import validate_region_code, validate_uscc


class Level(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class Region(models.Model):
    """A GB/T 2260 administrative division: the province, a city (市州) or a county."""

    code = models.CharField("行政区划代码", max_length=6, primary_key=True, validators=[validate_region_code])  # type: ignore[list-item]  # also returns the value
    name = models.CharField("名称", max_length=40)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        if self.level == Level.COUNTY and self.parent is not None:
            return f"{self.parent.name}{self.name}"
        return self.name

    def covers(self, other_code: str) -> bool:
        """True when `other_code` is this region or lies inside it."""
        from .regions import region_covers

        return region_covers(self.code, other_code)


class Department(models.Model):
    """A government body at one level in one region (厅、局、委 or the centre)."""

    function = models.CharField(
        "职能", max_length=40, help_text="同一职能在省、市、县三级的部门共用此标识，如 natural_resources"
    )
    name = models.CharField("名称", max_length=80)
    short_name = models.CharField("简称", max_length=40, blank=True)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="departments")
    is_centre = models.BooleanField("是否政务服务中心", default=False)
    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        blank=True,
        validators=[validate_uscc],  # type: ignore[list-item]  # also returns the value
        help_text="实施编码与电子证照标识中使用；演示数据为按规则生成的占位代码，上线前替换为真实代码",
    )
    # Kept by the centre in the console (hall.services): a department that
    # records name is stopped (active off), never deleted.
    parent = models.ForeignKey(
        "self", verbose_name="上级部门", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField("在用", default=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["region_id", "id"]
        constraints = [models.UniqueConstraint(fields=["function", "region"], name="department_function_region_unique")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.region_id and self.level and self.region.level != self.level:
            raise ValidationError({"level": f"部门层级（{self.get_level_display()}）须与所在区划层级一致"})


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days are known.

    Working days are only counted inside years listed here, so a deadline is
    never guessed from weekends alone.
    """

    year = models.PositiveIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=200, help_text="如：chinese-calendar 1.11.0，或国务院办公厅通知文号")
    # Statutory holidays computed before the State Council's notice: no 调休
    # yet, so a deadline counted in this year may still move.
    provisional = models.BooleanField("暂定", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历年度"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", primary_key=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        if self.date and not CalendarYear.objects.filter(year=self.date.year).exists():
            raise ValidationError({"date": f"请先登记{self.date.year}年的工作日历年度，再录入该年的节假日"})


class AppendOnly(models.Model):
    """A record that is only ever added: saving it again or deleting it is
    refused. `append_only_name` says what it is, for the message."""

    append_only_name = "记录"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{self.append_only_name}只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self.append_only_name}只能追加，不能删除")


class AuditEntry(AppendOnly):
    """One change made by a person. Rows are only ever added; each carries the
    hash of the one before it so that an edit anywhere breaks the chain."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    # DO_NOTHING: the actor's id is part of the hashed content, so deleting a
    # user must not rewrite the entries they made (SET_NULL would, and the
    # chain would then report those entries as tampered with).
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField("操作人名称", max_length=150)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    # The organisation an agent acted for (经办人代办), e.g. "名称（统一社会信用代码）".
    on_behalf_of = models.CharField("代表", max_length=200, blank=True, default="")
    action = models.CharField("操作", max_length=40)
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象标识", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    # The main object the entry belongs to (a case, for its events and files;
    # the row itself otherwise) and why it was done (a return's comment, a
    # refusal's reasons): "everything that happened to case X" and "why was
    # this returned" are one query each, as in Open Zaak's audit trail.
    subject_type = models.CharField("主对象类型", max_length=100, blank=True, default="")
    subject_id = models.CharField("主对象标识", max_length=64, blank=True, default="")
    reason = models.TextField("原因", blank=True, default="")
    algorithm = models.CharField("摘要算法", max_length=10)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("本条摘要", max_length=64)

    append_only_name = "审计日志"

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self):
        return f"#{self.seq} {self.actor_label} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """A single row locked while an entry is appended, so concurrent writers
    link the chain one after another."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")
