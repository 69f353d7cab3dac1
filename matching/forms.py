import json

from django import forms

from . import engine
from .models import GrantEntry


class UploadForm(forms.Form):
    file = forms.FileField(label="画像文件", help_text="CSV（UTF-8 或 GB18030 编码）或 Parquet；首行为列名")
    source = forms.CharField(
        label="来源部门", max_length=40, required=False, help_text="如“税务”；不填时按各属性的默认来源部门"
    )


def _numeric_attributes():
    return [("", "（不按比例）")] + [
        (a.name, f"{a.label}（{a.unit}）")
        for a in engine.ATTRIBUTES.values()
        if a.type == "number" and not a.derived and a.unit == "万元"
    ]


class RuleForm(forms.Form):
    rule = forms.CharField(
        label="匹配规则（JSON）", widget=forms.Textarea(attrs={"rows": 18, "class": "code", "spellcheck": "false"})
    )
    grant_amount = forms.DecimalField(
        label="免申即享兑现金额（万元）",
        required=False,
        min_value=0,
        decimal_places=2,
        help_text="固定金额；为空时按比例，再为空时按事项的最高金额",
    )
    grant_rate_attr = forms.ChoiceField(label="按属性比例兑现", required=False, choices=())
    grant_rate = forms.DecimalField(label="比例（%）", required=False, min_value=0, decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant_rate_attr"].choices = _numeric_attributes()

    def clean_rule(self):
        text = self.cleaned_data["rule"]
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"不是有效的JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}") from None


def _choices(name):
    return list(engine.ATTRIBUTES[name].choices.items())


class WhatIfForm(forms.Form):
    """Values to try; blank ones keep the profile's value."""

    revenue = forms.CharField(label="营业收入（万元）", required=False)
    employees = forms.CharField(label="从业人员（人）", required=False)
    total_assets = forms.CharField(label="资产总额（万元）", required=False)
    rd_spending = forms.CharField(label="研发投入（万元）", required=False)
    insured_employees = forms.CharField(label="参保职工人数（人）", required=False)
    credit_rating = forms.ChoiceField(label="纳税信用等级", required=False)
    qualifications = forms.MultipleChoiceField(label="资质认定", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, profile=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_rating"].choices = [("", "（不变）")] + list(reversed(_choices("credit_rating")))
        self.fields["qualifications"].choices = _choices("qualifications")
        if profile is not None and not self.is_bound:
            self.initial["qualifications"] = list(profile.qualifications or [])

    def values(self):
        data = {k: v for k, v in self.cleaned_data.items() if k != "qualifications" and v not in ("", None)}
        data["qualifications"] = self.cleaned_data.get("qualifications") or []
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="意愿", choices=[(GrantEntry.Decision.CONFIRMED, "同意享受"), (GrantEntry.Decision.DECLINED, "放弃享受")]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class OpenRoundForm(forms.Form):
    publicity_days = forms.IntegerField(label="公示期（工作日）", min_value=1, max_value=30, initial=5)


class ObjectionForm(forms.Form):
    entry = forms.ModelChoiceField(label="异议对象", queryset=GrantEntry.objects.none())
    raised_by = forms.CharField(label="异议人", max_length=120)
    text = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}))
    upheld = forms.BooleanField(label="经核实异议成立（取消该企业）", required=False)

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        if round_ is not None:
            self.fields["entry"].queryset = round_.entries.filter(
                decision=GrantEntry.Decision.CONFIRMED
            ).select_related("profile")
            self.fields["entry"].label_from_instance = lambda e: f"{e.profile.name}（{e.profile.uscc}）"
