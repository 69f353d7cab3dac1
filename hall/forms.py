"""Forms of the hall pages: they read input; hall.services decides and saves."""

from django import forms

from core import figures
from core.models import Department

from .models import ActivityReport, Window

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "日期格式应为 YYYY-MM-DD"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ActivityForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_INPUT, error_messages=DATE_ERRORS, required=False)
    title = forms.CharField(label="标题", required=False, max_length=200)
    kind = forms.ChoiceField(label="类别", choices=[("", "请选择")] + list(ActivityReport.Kind.choices), required=False)
    text = forms.CharField(
        label="内容",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="写清时间、地点、做了什么、效果如何，编辑采用后编入工作周报“政务工作动态”",
    )


class SubmitActivityForm(ActivityForm):
    window = forms.ModelChoiceField(
        label="报送窗口", queryset=Window.objects.filter(active=True), required=False, empty_label="（以部门名义报送）"
    )
    photos = MultipleFileField(label="照片", required=False, help_text="可选，JPEG 或 PNG，每张不超过5 MB，最多6张")


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class EditActivityForm(ActivityForm, VersionForm):
    pass


class ReturnActivityForm(VersionForm):
    comment = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DutyShiftForm(forms.Form):
    leader_name = forms.CharField(label="姓名", required=False, max_length=80)
    leader_title = forms.CharField(label="职务", required=False, max_length=160)
    department = forms.ModelChoiceField(
        label="部门", required=False, queryset=Department.objects.filter(region_id="510000")
    )
    date = forms.DateField(label="值守日期", widget=DATE_INPUT, error_messages=DATE_ERRORS, required=False)
    window = forms.ModelChoiceField(label="值守窗口", queryset=Window.objects.filter(active=True), required=False)


class DutyNotesForm(VersionForm):
    notes = forms.CharField(label="值守情况", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class KeyWorkForm(forms.Form):
    name = forms.CharField(label="名称", required=False, max_length=120)
    order = forms.IntegerField(label="排序", min_value=0, initial=0, required=False)
    sources = forms.MultipleChoiceField(
        label="平台数据来源", choices=figures.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class KeyWorkNoteForm(forms.Form):
    text = forms.CharField(label="本周进展", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- the centre's records: departments and windows (hall.services decides) ---


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.region.full_name if obj.region_id else ''}）"


class DepartmentForm(forms.Form):
    name = forms.CharField(label="部门名称", required=False, max_length=200)
    short_name = forms.CharField(label="简称", required=False, max_length=200)
    function = forms.CharField(
        label="职能标识",
        required=False,
        max_length=200,
        help_text="同一职能在省、市、县三级的部门共用此标识，如 natural_resources；小写字母、数字和下划线",
    )
    region = forms.CharField(
        label="所在区划代码",
        required=False,
        max_length=200,
        help_text="6位行政区划代码（GB/T 2260），如 510000 四川省、510100 成都市、510104 锦江区；层级随区划确定",
    )
    parent = DepartmentChoiceField(
        label="上级部门", required=False, queryset=Department.objects.none(), empty_label="（无）"
    )
    uscc = forms.CharField(
        label="统一社会信用代码", required=False, max_length=200, help_text="可不填；18位（GB 32100）"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents.select_related("region", "region__parent")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.username}，{obj.department.short_name or obj.department.name}）"


class WindowForm(forms.Form):
    number = forms.CharField(label="窗口号", required=False, max_length=200, help_text="同一大厅内不重复，如 A01")
    name = forms.CharField(label="窗口名称", required=False, max_length=200)
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择")] + list(Window.Kind.choices), required=False)
    department = DepartmentChoiceField(
        label="进驻部门",
        required=False,
        queryset=Department.objects.none(),
        empty_label="（综合窗口、统一出件窗口不填）",
        help_text="专窗必填：在此窗口受理事项的部门",
    )
    staff = StaffChoiceField(
        label="窗口人员",
        required=False,
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="在本窗口工作的窗口人员，可多选",
    )
    active = forms.BooleanField(label="启用", required=False, initial=True, help_text="停用的窗口不再出现在收件登记中")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, departments=None, clerks=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments.select_related("region", "region__parent")
        if clerks is not None:
            self.fields["staff"].queryset = clerks.select_related("department")
