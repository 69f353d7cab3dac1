"""Forms of the revenue console pages; the services check everything again."""

import datetime as dt

from django import forms

from core.models import Level

from .models import FeeSource, MiningRight

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


class RightForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=MiningRight.Kind.choices)
    licence_no = forms.CharField(label="许可证号", max_length=40)
    name = forms.CharField(label="矿业权名称", max_length=120)
    holder_name = forms.CharField(label="矿业权人", max_length=120)
    holder_uscc = forms.CharField(label="矿业权人统一社会信用代码", max_length=18, help_text="18位，按 GB 32100 校验")
    region_code = forms.CharField(label="所在县（市、区）代码", max_length=6, help_text="6位行政区划代码（GB/T 2260）")
    area_km2 = forms.DecimalField(label="面积（平方公里）", max_digits=12, decimal_places=4, min_value=0.0001)
    mineral = forms.CharField(label="矿种", max_length=40)
    granting_level = forms.ChoiceField(label="出让登记层级", choices=Level.choices)
    contract_no = forms.CharField(label="出让合同编号", max_length=60)
    contract_date = forms.DateField(label="合同签订日期", widget=DATE)
    term_start = forms.DateField(label="有效期起", widget=DATE)
    term_end = forms.DateField(label="有效期止", widget=DATE)


class ChangeForm(forms.Form):
    date = forms.DateField(label="变更日期", widget=DATE)
    description = forms.CharField(label="变更内容", max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FeeSourceForm(forms.Form):
    kind = forms.ChoiceField(label="费源类型", choices=FeeSource.Kind.choices)
    amount = forms.DecimalField(label="应缴金额（元）", max_digits=16, decimal_places=2, min_value=0.01)
    trigger_date = forms.DateField(
        label="合同签订或变更日期", widget=DATE, help_text="须在其后10个工作日内推送税务部门"
    )
    due_date = forms.DateField(label="缴款期限", widget=DATE, required=False, help_text="一次缴纳时填写")
    instalments = forms.CharField(
        label="分期缴纳",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一期：缴款期限 金额，如 2027-03-31 4800000.00；一次缴纳时留空",
    )
    basis = forms.CharField(label="计征依据", max_length=300, required=False)
    period = forms.CharField(label="所属期", max_length=20, required=False)

    def clean_instalments(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["instalments"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                date, amount = line.split()
                rows.append((dt.date.fromisoformat(date), amount))
            except ValueError:
                raise forms.ValidationError(
                    f"分期缴纳第{number}行应为“缴款期限 金额”，如 2027-03-31 4800000.00"
                ) from None
        return rows


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label="审批意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    reason = forms.CharField(label="异议理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    filed_on = forms.DateField(label="申请日期", widget=DATE)


class AnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="复核结论", choices=[("1", "维持原金额"), ("0", "调整金额")], coerce=lambda v: v == "1"
    )
    answer = forms.CharField(label="复核意见", max_length=500)
    answered_on = forms.DateField(label="复核日期", widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)
