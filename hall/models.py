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
    department = models.ForeignKey(Department, verbose_name="进驻部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="windows",
                                   help_text="专窗所属部门；综合窗口受理各部门事项，不填")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique")]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def scope_region_code(self):
        return self.hall.region_id
