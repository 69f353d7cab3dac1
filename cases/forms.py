"""Forms of the case pages. They only read input; every change goes through
cases.services, whose ServiceError is put back on the form (show_service_error)."""

import datetime as dt
import re

from django import forms
from django.core.validators import RegexValidator
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from accounts.models import Organisation
from core.models import Level, Region
from hall.models import Window

from . import services
from .models import Channel, Evaluation, EventChannel

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionForm(forms.Form):
    """Every step form carries the version of the case it was shown for."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": "页面已过期，请刷新后重试", "invalid": "页面已过期，请刷新后重试"},
    )

    def clean(self):
        data = super().clean()
        if "version" in self._errors:
            # A hidden field's error would not show: say it on the form.
            self.add_error(None, self._errors["version"][0])
        return data


class AcceptForm(VersionForm):
    pass


class RefuseForm(VersionForm):
    reasons = forms.CharField(label="不予受理理由", widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(
        label="法律依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：《中华人民共和国行政许可法》第三十二条第一款",
    )


class CorrectionForm(VersionForm):
    items = forms.CharField(
        label="需补正的材料及问题",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项，写成“材料：问题”，如“申请书：缺少法定代表人签字”；一次告知全部问题",
    )

    def item_list(self):
        rows = []
        for line in self.cleaned_data["items"].splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in ("：", ":"):
                if sep in line:
                    material, problem = line.split(sep, 1)
                    break
            else:
                material, problem = "", line
            rows.append({"material": material.strip(), "problem": problem.strip()})
        return rows


class TransferForm(VersionForm):
    to = forms.ChoiceField(label="流转至")
    reason = forms.CharField(label="流转说明", required=False, max_length=200)

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", "请选择")] + list(destinations)


class ReviewForm(VersionForm):
    opinion = forms.CharField(label="审查意见", widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(VersionForm):
    procedure = forms.CharField(label="特别程序种类", max_length=60, help_text="如：听证、专家评审、现场核查")
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}))


class ResumeForm(VersionForm):
    result = forms.CharField(label="特别程序结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(VersionForm):
    approved = forms.TypedChoiceField(
        label="决定", choices=[("1", "准予"), ("0", "不予许可")], coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="决定意见", widget=forms.Textarea(attrs={"rows": 3}))


class IssueForm(VersionForm):
    copies = forms.IntegerField(label="证照数量", min_value=1, max_value=1000, initial=1)
    valid_years = forms.IntegerField(
        label="有效期（年）", min_value=1, max_value=50, required=False, help_text="长期有效的证照不填"
    )


class HandOverForm(VersionForm):
    method = forms.ChoiceField(
        label="送达方式",
        choices=[("window", "窗口领取"), ("post", "邮寄送达")],
        widget=forms.RadioSelect,
        initial="window",
    )
    address = forms.CharField(label="邮寄地址", required=False, max_length=200)


class WindowCorrectionForm(VersionForm):
    """The corrected materials brought to the window, recorded by the clerk."""

    note = forms.CharField(
        label="补正情况", widget=forms.Textarea(attrs={"rows": 2}), help_text="如：申请人已到窗口补交签字后的申请书"
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        add_material_fields(self, materials, required=False)


class TolerantAcceptForm(VersionForm):
    """容缺受理: which secondary materials follow, and by when."""

    pending = forms.MultipleChoiceField(
        label="容缺后补的材料", widget=forms.CheckboxSelectMultiple, error_messages={"required": "请选择容缺后补的材料"}
    )
    promise_days = forms.IntegerField(
        label="承诺补齐期限（工作日）", min_value=1, max_value=services.TOLERANT_MAX_DAYS, initial=5
    )
    note = forms.CharField(
        label="容缺受理说明", required=False, max_length=200, help_text="如：申请人已签署容缺受理承诺书"
    )

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pending"].choices = [(m.name, m.name) for m in materials]


class FollowUpForm(forms.Form):
    result = forms.CharField(label="整改及回访情况", widget=forms.Textarea(attrs={"rows": 3}))


STEP_FORMS = {
    "accept": AcceptForm,
    "refuse": RefuseForm,
    "correct": CorrectionForm,
    "transfer": TransferForm,
    "review": ReviewForm,
    "suspend": SuspendForm,
    "resume": ResumeForm,
    "decide": DecideForm,
    "issue": IssueForm,
    "hand_over": HandOverForm,
    "follow_up": FollowUpForm,
    "answer_correction": WindowCorrectionForm,
    "accept_tolerant": TolerantAcceptForm,
}


def _windows():
    return Window.objects.filter(active=True).select_related("hall")


class WindowChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.name}"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.full_name}"


# A mobile number (11 digits, 1[3-9]…) or a fixed line with its area code
# (0xx-xxxxxxx(x), an extension after a second hyphen); spaces are dropped.
PHONE = RegexValidator(
    re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$"),
    "联系电话应为11位手机号（如13800000000）或带区号的固定电话（如028-86000000）",
)


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=20, validators=[PHONE], **kwargs)

    def to_python(self, value):
        return "".join(super().to_python(value).split())


class ConsultationForm(forms.Form):
    asker = forms.CharField(label="咨询人", max_length=60)
    phone = PhoneField(label="联系电话", required=False)
    matter = forms.ModelChoiceField(label="咨询事项", queryset=None, required=False, empty_label="（未指定事项）")
    question = forms.CharField(label="咨询内容", widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(
        label="咨询渠道",
        choices=[(Channel.WINDOW, "窗口"), (Channel.ONLINE, "网上"), (Channel.POST, "电话或信函")],
        initial=Channel.WINDOW,
    )
    window = WindowChoiceField(label="窗口", queryset=None, required=False, empty_label="（不在窗口）")

    def __init__(self, *args, **kwargs):
        from catalog.models import Matter

        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = Matter.objects.filter(active=True).order_by("name")
        self.fields["window"].queryset = _windows()


class IntakeForm(forms.Form):
    """收件 at the window, for one chosen matter."""

    situation = forms.ModelChoiceField(label="办理情形", queryset=None, empty_label="请选择")
    region = RegionChoiceField(
        label="办理地", queryset=None, empty_label="请选择", help_text="该事项由此区划的部门受理"
    )
    applicant_kind = forms.ChoiceField(
        label="申请人类型",
        choices=[("person", "自然人"), ("organisation", "法人及其他组织")],
        widget=forms.RadioSelect,
        initial="person",
    )
    resident_id = forms.CharField(
        label="身份证号", max_length=18, required=False, help_text="自然人填写；未登记的将按姓名和身份证号登记"
    )
    person_name = forms.CharField(label="姓名", max_length=60, required=False)
    uscc = forms.CharField(
        label="统一社会信用代码",
        max_length=18,
        required=False,
        help_text="法人填写；未登记的将按名称、信用代码和登记地登记",
    )
    organisation_name = forms.CharField(label="单位名称", max_length=120, required=False)
    organisation_region = RegionChoiceField(label="单位登记地", queryset=None, required=False, empty_label="请选择")
    contact_phone = PhoneField(label="联系电话", required=False)
    window = WindowChoiceField(label="收件窗口", queryset=None, empty_label="请选择")
    note = forms.CharField(label="收件说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, matter, **kwargs):
        super().__init__(*args, **kwargs)
        self.matter = matter
        self.fields["situation"].queryset = matter.situations.all()
        _limit_regions(self.fields["region"], matter)
        if matter.situations.count() == 1:
            self.fields["situation"].initial = matter.situations.first()
        self.fields["organisation_region"].queryset = Region.objects.exclude(level=Level.PROVINCE).select_related(
            "parent"
        )
        self.fields["window"].queryset = _windows()

    def clean(self):
        data = super().clean()
        if data.get("applicant_kind") == "person":
            if not (data.get("resident_id") or "").strip():
                self.add_error("resident_id", "自然人申请须填写身份证号")
        elif data.get("applicant_kind") == "organisation":
            if not (data.get("uscc") or "").strip():
                self.add_error("uscc", "法人申请须填写统一社会信用代码")
        return data


def _limit_regions(field, matter):
    """Offer the regions where the matter is received; for provincial
    matters there is only the province, so the choice is not shown."""
    level = services.receiving_level(matter)
    regions = Region.objects.filter(level=level).select_related("parent")
    field.queryset = regions
    if level == Level.PROVINCE:
        field.initial = regions.first()
        field.widget = forms.HiddenInput()


class ApplyForm(forms.Form):
    """An online application for one situation, with one upload per material."""

    applicant = forms.ChoiceField(label="申请人")
    region = RegionChoiceField(label="办理地", queryset=None, empty_label="请选择")
    contact_phone = PhoneField(label="联系电话")
    note = forms.CharField(label="申请说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, matter, situation, person, materials=None, kept=None, **kwargs):
        """`materials`: (material, needed, because) as the guided answers left
        them (default: all of the situation's); `kept`: {field: file name}
        of files kept from an earlier attempt, which need not be chosen again."""
        super().__init__(*args, **kwargs)
        choices = [("person", f"本人：{person.name}（{person.masked_id}）")]
        for org in Organisation.objects.filter(agent__person=person).order_by("name"):
            choices.append((f"org:{org.pk}", f"代办：{org.name}"))
        self.fields["applicant"].choices = choices
        _limit_regions(self.fields["region"], matter)
        self.fields["contact_phone"].initial = person.phone
        if materials is None:
            materials = [(m, True, "") for m in situation.materials.all()]
        self.materials = [m for m, _, _ in materials]
        add_material_fields(self, self.materials, required=True)
        kept = kept or {}
        for (name, _material), (_, needed, because) in zip(self.material_fields, materials):
            field = self.fields[name]
            if not needed:
                field.required = False
                field.help_text = f"{because}；" + field.help_text if because else field.help_text
            if name in kept:
                field.required = False
                field.help_text = (
                    f"已保留上次选择的文件“{kept[name]}”，无需重新选择；如需更换请重新选择。" + field.help_text
                )

    def applicant_objects(self, person):
        value = self.cleaned_data["applicant"]
        if value == "person":
            return person, None
        return None, Organisation.objects.get(pk=int(value.split(":", 1)[1]))


def add_material_fields(form, materials, required):
    """One file input per material; a material that can be drawn from an
    e-certificate, or is optional, needs no upload."""
    from . import uploads

    form.material_fields = []
    for material in materials:
        name = f"material_{material.pk}"
        needed = required and material.required and not material.from_e_certificate
        help_text = f"{uploads.ALLOWED_LABEL}，不超过{uploads.size_label(uploads.max_bytes())}"
        if material.from_e_certificate:
            help_text = f"可调取“{material.e_certificate_name}”电子证照，无需上传；" + help_text
        form.fields[name] = forms.FileField(
            label=material.name,
            required=needed,
            help_text=help_text,
            widget=forms.ClearableFileInput(
                attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
            ),
            error_messages={"required": f"请上传“{material.name}”"},
        )
        form.material_fields.append((name, material))


def uploads_of(form):
    return [
        (name, material, form.cleaned_data[name])
        for name, material in form.material_fields
        if form.cleaned_data.get(name)
    ]


class AnswerCorrectionForm(VersionForm):
    note = forms.CharField(label="补正说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        add_material_fields(self, materials, required=False)


class EvaluationForm(forms.Form):
    score = forms.TypedChoiceField(label="评价", choices=Evaluation.Score.choices, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="选择“不满意”或“非常不满意”时须写明原因",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("score") is not None
            and data["score"] <= Evaluation.Score.DISSATISFIED
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", "评价为不满意时须填写意见")
        return data


class VerifyForm(forms.Form):
    q = forms.CharField(label="电子证照标识或核验码", max_length=100)


def _plain_choices(choices):
    """A model field's choices read with one plain query: iterated as Django
    does, they open a server-side cursor on PostgreSQL (three round trips
    each, for every select of the dashboard's form)."""
    if not isinstance(choices, forms.models.ModelChoiceIterator):
        return choices
    field = choices.field
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    return empty + [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in list(choices.queryset)]


class QuickSelect(forms.Select):
    """A select drawn in one pass. The dashboard's matter list has over a
    thousand options; Django draws each through its own template, which was
    most of the year-to-date dashboard's time (docs/performance.md)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for option, label in _plain_choices(self.choices):
            option = "" if option is None else str(option)
            selected = " selected" if option in chosen else ""
            options.append(f'<option value="{escape(option)}"{selected}>{escape(label)}</option>')
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), mark_safe("".join(options)))


class StatsForm(forms.Form):
    PERIODS = [("week", "本周"), ("ytd", "今年以来"), ("custom", "自定义")]
    period = forms.ChoiceField(label="统计期间", choices=PERIODS, required=False)
    start = forms.DateField(label="起始日期", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="截止日期", required=False, widget=DATE_INPUT)
    department = forms.ModelChoiceField(
        label="部门", queryset=None, required=False, empty_label="全部部门", widget=QuickSelect
    )
    window = WindowChoiceField(label="窗口", queryset=None, required=False, empty_label="全部窗口", widget=QuickSelect)
    matter = forms.ModelChoiceField(
        label="事项", queryset=None, required=False, empty_label="全部事项", widget=QuickSelect
    )
    channel = forms.ChoiceField(label="渠道", choices=[("", "全部渠道")] + list(EventChannel.choices), required=False)
    # 本周 and 今年以来 are of the day asked, not of the machine's today
    on = forms.DateField(label="所在日期", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, departments, matters, windows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["matter"].queryset = matters
        self.fields["window"].queryset = _windows() if windows is None else windows

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "截止日期不能早于起始日期")
        if start and end and (end - start) > dt.timedelta(days=366 * 3):
            self.add_error("end", "统计期间不能超过三年")
        return data
