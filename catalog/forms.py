from django import forms

from core.models import Department, Level

from .models import Material, MatterType, Situation

REVIEW_CHAINS = [
    ("province", "省级审查决定"),
    ("city,province", "市级初审 → 省级决定"),
    ("county,city,province", "县级初审 → 市级审查 → 省级决定"),
]


def provincial_departments():
    return Department.objects.filter(level=Level.PROVINCE, is_centre=False).order_by("pk")


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.short_name or obj.name


class MatterForm(forms.Form):
    name = forms.CharField(label="事项名称", max_length=120)
    matter_type = forms.ChoiceField(label="事项类型", choices=MatterType.choices)
    department = DepartmentChoiceField(label="实施部门", queryset=Department.objects.none(), empty_label="请选择")
    catalogue_code = forms.CharField(
        label="基本编码", max_length=12, help_text="12位：事项类型2位、主项5位、子项3位、版本2位"
    )
    implementation_code = forms.CharField(
        label="实施编码",
        max_length=31,
        help_text="31位：实施部门统一社会信用代码18位、层级1位（省级为1）、基本编码12位",
    )
    levels = forms.MultipleChoiceField(label="行使层级", choices=Level.choices, widget=forms.CheckboxSelectMultiple)
    review_levels = forms.ChoiceField(label="审查决定层级", choices=REVIEW_CHAINS)
    legal_limit = forms.IntegerField(label="法定时限（工作日）", min_value=0)
    promised_limit = forms.IntegerField(label="承诺时限（工作日）", min_value=0, help_text="0 表示即办件")
    has_fee = forms.BooleanField(label="是否收费", required=False)
    fee_description = forms.CharField(label="收费标准", max_length=200, required=False)
    result_name = forms.CharField(label="办理结果名称", max_length=80)
    certificate_type_code = forms.CharField(label="证照类型代码", max_length=20, required=False)
    online = forms.BooleanField(label="可网上办理", required=False, initial=True)
    visits = forms.IntegerField(label="到现场次数", min_value=0, initial=0)
    legal_basis = forms.CharField(label="设定依据", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else provincial_departments()

    def service_data(self):
        data = dict(self.cleaned_data)
        data["review_levels"] = data["review_levels"].split(",")
        order = [v for v, _ in Level.choices]
        data["levels"] = sorted(data["levels"], key=order.index)
        return data

    @staticmethod
    def initial_from(matter):
        return {
            "name": matter.name,
            "matter_type": matter.matter_type,
            "department": matter.department_id,
            "catalogue_code": matter.catalogue_code,
            "implementation_code": matter.implementation_code,
            "levels": matter.levels,
            "review_levels": ",".join(matter.review_levels),
            "legal_limit": matter.legal_limit,
            "promised_limit": matter.promised_limit,
            "has_fee": matter.has_fee,
            "fee_description": matter.fee_description,
            "result_name": matter.result_name,
            "certificate_type_code": matter.certificate_type_code,
            "online": matter.online,
            "visits": matter.visits,
            "legal_basis": matter.legal_basis,
            "active": matter.active,
        }


class SituationForm(forms.Form):
    item_code = forms.CharField(label="业务办理项编码", max_length=33, help_text="33位：实施编码31位加2位情形序号")
    name = forms.CharField(label="情形名称", max_length=120)
    kind = forms.ChoiceField(label="情形类型", choices=Situation.Kind.choices)
    criteria = forms.CharField(label="受理条件", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MaterialForm(forms.Form):
    name = forms.CharField(label="材料名称", max_length=120)
    required = forms.BooleanField(label="是否必需", required=False, initial=True)
    form = forms.ChoiceField(label="材料形式", choices=Material.Form.choices)
    copies = forms.IntegerField(label="份数", min_value=0, initial=1)
    file_format = forms.CharField(label="格式要求", max_length=60, required=False)
    from_e_certificate = forms.BooleanField(label="可调取电子证照免提交", required=False)
    e_certificate_name = forms.CharField(label="电子证照名称", max_length=80, required=False)
    tolerable = forms.BooleanField(
        label="可容缺后补",
        required=False,
        help_text="容缺受理（国发〔2022〕5号）：缺少此材料时窗口可先受理，申请人在承诺期限内补交",
    )
    notes = forms.CharField(label="填报说明", max_length=200, required=False)
    only_if = forms.ChoiceField(label="仅在选择此项时需要", required=False)
    position = forms.IntegerField(label="序号", min_value=0, initial=1)

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["only_if"].choices = [("", "（始终需要）")] + [
            (str(o.pk), f"{o.question.text} → {o.text}") for o in options
        ]

    def clean_only_if(self):
        value = self.cleaned_data.get("only_if")
        return int(value) if value else None


class QuestionForm(forms.Form):
    text = forms.CharField(label="问题", max_length=200)
    options = forms.CharField(
        label="选项",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一个选项，格式：选项内容｜适用情形序号（业务办理项编码末两位，多个用逗号分隔；不限定情形的留空）。"
        "例如：是，首次申请｜01",
    )

    def parse(self, situations):
        """[{"text", "situations": [ids]}] from the textarea; unknown serials are reported."""
        by_serial = {s.item_code[-2:]: s.pk for s in situations}
        out, bad = [], []
        for line in self.cleaned_data["options"].splitlines():
            if not line.strip():
                continue
            text, _, serials = line.replace("|", "｜").partition("｜")
            ids = []
            for serial in serials.replace("，", ",").split(","):
                serial = serial.strip()
                if not serial:
                    continue
                serial = serial.zfill(2)
                if serial not in by_serial:
                    bad.append(serial)
                else:
                    ids.append(by_serial[serial])
            out.append({"text": text.strip(), "situations": ids})
        return out, bad

    @staticmethod
    def initial_from(question):
        lines = []
        for o in question.options.all():
            serials = ",".join(sorted(s.item_code[-2:] for s in o.situations.all()))
            lines.append(f"{o.text}｜{serials}" if serials else o.text)
        return {"text": question.text, "options": "\n".join(lines)}


class ImportForm(forms.Form):
    file = forms.FileField(label="目录文件", help_text="由本系统导出的 Excel（.xlsx）或 JSON 文件")


class ManualForm(forms.Form):
    steps = forms.CharField(label="受理步骤", widget=forms.Textarea(attrs={"rows": 8}), help_text="每行一步")
    refusal_reasons = forms.CharField(
        label="常见不予受理情形", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一条"
    )
    correction_reasons = forms.CharField(
        label="常见补正情形", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一条"
    )
    legal_basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    note = forms.CharField(label="修改说明", max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        for m in self.materials:
            self.fields[f"check_{m.pk}"] = forms.CharField(
                label=f"审查要点：{m.name}",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="仅在引导问答选择相应选项时收取" if m.only_if_id else "",
            )

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("check_") and k != "version"}
        data["checks"] = {m.pk: self.cleaned_data.get(f"check_{m.pk}", "") for m in self.materials}
        return data

    @staticmethod
    def initial_from(manual, version, materials):
        initial = {"version": manual.version if manual else 0}
        if version is not None:
            initial.update(
                steps=version.steps,
                refusal_reasons=version.refusal_reasons,
                correction_reasons=version.correction_reasons,
                legal_basis=version.legal_basis,
            )
            by_id = {c.get("material_id"): c.get("check", "") for c in version.checks}
            by_name = {c.get("material"): c.get("check", "") for c in version.checks}
            for m in materials:
                initial[f"check_{m.pk}"] = by_id.get(m.pk) or by_name.get(m.name, "")
        return initial


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结论", choices=[("approve", "审核通过"), ("return", "退回修改")], widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="审核意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="退回修改时必须写明需要修改的内容",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    comment = forms.CharField(label="确认意见", max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
