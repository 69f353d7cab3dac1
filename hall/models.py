"""The service hall and its windows."""

from django.db import models

from core.models import Department, Region


class Hall(models.Model):
    name = models.CharField("名称", max_length=80, unique=True)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name="主管单位", on_delete=models.PROTECT, related_name="halls")
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政务服务大厅"

    def __str__(self):
        return self.name


class Window(models.Model):
    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", "综合窗口"
        DEDICATED = "dedicated", "专窗"
        HANDOVER = "handover", "统一出件窗口"

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="windows")
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="进驻部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
        help_text="专窗所属部门；综合窗口受理各部门事项，不填",
    )
    active = models.BooleanField("启用", default=True)
    staff = models.ManyToManyField(
        "accounts.User", verbose_name="窗口人员", blank=True, related_name="windows", help_text="在本窗口工作的窗口人员"
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique")]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def scope_region_code(self):
        return self.hall.region_id


# --- Hall operations: activity reports, leaders on duty, key work ---


class ActivityReport(models.Model):
    """An item of 政务工作动态 sent in by a window or department; the bulletin
    editor edits it and accepts it (it then goes into the week's bulletin) or
    returns it with a comment."""

    class Kind(models.TextChoices):
        HOME_SERVICE = "home_service", "上门服务"
        PUBLICITY = "publicity", "宣传活动"
        INSPECTION = "inspection", "调研督导"
        MEETING = "meeting", "会议活动"
        REFORM = "reform", "改革创新"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待采用"
        ACCEPTED = "accepted", "已采用"
        RETURNED = "returned", "已退回"

    date = models.DateField("日期")
    title = models.CharField("标题", max_length=100)
    text = models.TextField("内容")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    department = models.ForeignKey(Department, verbose_name="报送部门", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        Window, verbose_name="报送窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.SUBMITTED)
    comment = models.TextField("编辑意见", blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", verbose_name="报送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="编辑", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间")
    decided_at = models.DateTimeField("采用/退回时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "政务工作动态"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.title


class ActivityPhoto(models.Model):
    report = models.ForeignKey(ActivityReport, verbose_name="动态", on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("照片", upload_to="activity/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "动态照片"


class DutyShift(models.Model):
    """A department leader's shift in the hall (厅(局)长进大厅)."""

    leader_name = models.CharField("姓名", max_length=40)
    leader_title = models.CharField("职务", max_length=80)
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("值守日期")
    window = models.ForeignKey(
        Window, verbose_name="值守窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_in_by = models.ForeignKey(
        "accounts.User", verbose_name="签到登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField("值守情况", blank=True, help_text="值守期间协调解决的事项")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "厅(局)长进大厅"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date} {self.leader_name}"


class KeyWork(models.Model):
    """One of the centre's priority projects (重点工作推进)."""

    # The figures the demo and tests name; the choices offered are whatever
    # the apps publish in the figure registry (core.figures).
    class Source(models.TextChoices):
        POLICY_ZONE = "policy_zone", "惠企政策专区统计"
        MANUAL_PROGRESS = "manual_progress", "受理工作手册进度"
        PROBLEMS_HANDLED = "problems_handled", "“一件事”问题处理数"

    name = models.CharField("名称", max_length=60, unique=True)
    order = models.PositiveIntegerField("排序", default=0)
    sources = models.JSONField("平台数据来源", default=list, blank=True, help_text="周报中自动引用的平台实时数据")
    active = models.BooleanField("在办", default=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "重点工作"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class KeyWorkNote(models.Model):
    """A week's progress note on one key work."""

    key_work = models.ForeignKey(KeyWork, verbose_name="重点工作", on_delete=models.CASCADE, related_name="notes")
    week_start = models.DateField("所在周（周一）")
    text = models.TextField("本周进展")
    author = models.ForeignKey(
        "accounts.User", verbose_name="填写人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "重点工作周进展"
        ordering = ["week_start", "key_work__order"]
        constraints = [models.UniqueConstraint(fields=["key_work", "week_start"], name="keywork_note_week_unique")]
