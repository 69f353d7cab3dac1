"""Console forms of the policy library. Forms only collect input; the
services check it (文号 format, dates, industry codes, sizes…) and their
Chinese field errors are shown back on the form."""

from django import forms

from .models import BenefitItem, Interpretation
from .services import SIZES, join_articles


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    number = forms.CharField(label="文号", max_length=60, required=False, help_text="如：川办发〔2024〕17号")
    issuers = forms.CharField(label="发文机关", max_length=200, help_text="多个机关以顿号分隔")
    department = DepartmentChoiceField(label="维护部门", queryset=None, required=False, empty_label="本部门")
    region = forms.CharField(
        label="适用区划代码", max_length=6, required=False, help_text="6位行政区划代码；留空为维护部门所在区划"
    )
    issued_on = forms.DateField(label="发布日期", widget=_date_widget())
    effective_on = forms.DateField(label="施行日期", required=False, widget=_date_widget())
    expires_on = forms.DateField(label="失效日期", required=False, widget=_date_widget())
    topic = forms.CharField(label="政策主题", max_length=40, required=False, help_text="如：专精特新、稳岗返还")
    summary = forms.CharField(label="摘要", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    text = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="每条以“第一条”“第二条”……开头另起一行；系统按条拆分，惠企事项可引用其出处条款",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments

    @staticmethod
    def initial_from(doc):
        return {
            "title": doc.title,
            "number": doc.number,
            "issuers": doc.issuers,
            "department": doc.department_id,
            "region": doc.region_id,
            "issued_on": doc.issued_on,
            "effective_on": doc.effective_on,
            "expires_on": doc.expires_on,
            "topic": doc.topic,
            "summary": doc.summary,
            "text": join_articles(doc.articles.all()),
            "version": doc.version,
        }

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if not data.get("department"):
            data.pop("department", None)
        return data


class ItemForm(forms.Form):
    title = forms.CharField(label="事项名称", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=BenefitItem.Kind.choices)
    delivery = forms.ChoiceField(label="兑现方式", choices=BenefitItem.Delivery.choices)
    article = forms.TypedChoiceField(label="出处条款", required=False, coerce=int, empty_value=None)
    region = forms.CharField(label="适用区划代码", max_length=6, required=False, help_text="留空为认领部门所在区划")
    target = forms.CharField(label="惠及对象", widget=forms.Textarea(attrs={"rows": 2}))
    conditions = forms.CharField(label="申报条件", widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.CharField(
        label="支持标准",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="金额或计算规则，如：按研发投入的10%给予补助，最高50万元",
    )
    amount_cap = forms.DecimalField(label="最高金额（万元）", required=False, decimal_places=2, max_digits=12)
    apply_from = forms.DateField(label="申报开始", required=False, widget=_date_widget())
    apply_until = forms.DateField(label="申报截止", required=False, widget=_date_widget())
    apply_period = forms.CharField(label="申报时间", max_length=100, required=False, help_text="如：常年受理、每年3月")
    materials = forms.CharField(
        label="申报材料", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一项"
    )
    payout_method = forms.CharField(label="兑现方式说明", max_length=200, required=False)
    payout_days = forms.IntegerField(label="兑现时限（工作日）", required=False)
    phone = forms.CharField(label="咨询电话", max_length=40, required=False)
    industries = forms.CharField(
        label="适用行业",
        max_length=400,
        required=False,
        help_text="GB/T 4754-2017 行业代码或前缀，以空格分隔，如：C C39 I65；留空为不限",
    )
    sizes = forms.MultipleChoiceField(
        label="适用企业规模",
        required=False,
        choices=list(SIZES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="不选为不限",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        articles = list(document.articles.all()) if document else []
        self.fields["article"].choices = [("", "（不指定）")] + [
            (a.pk, f"{a.heading or a.ordinal} {a.text[:30]}") for a in articles
        ]

    @staticmethod
    def initial_from(item):
        return {
            "title": item.title,
            "kind": item.kind,
            "delivery": item.delivery,
            "article": item.article_id,
            "region": item.region_id,
            "target": item.target,
            "conditions": item.conditions,
            "amount": item.amount,
            "amount_cap": item.amount_cap,
            "apply_from": item.apply_from,
            "apply_until": item.apply_until,
            "apply_period": item.apply_period,
            "materials": item.materials,
            "payout_method": item.payout_method,
            "payout_days": item.payout_days,
            "phone": item.phone,
            "industries": " ".join(item.industries),
            "sizes": item.sizes,
            "version": item.version,
        }

    def service_data(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class InterpretationForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    kind = forms.ChoiceField(label="形式", choices=Interpretation.Kind.choices)
    text = forms.CharField(label="解读内容", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    url = forms.URLField(label="链接", required=False, help_text="视频解读须填写", assume_scheme="https")


class ReturnForm(forms.Form):
    comment = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    name = forms.CharField(label="附件名称", max_length=200, required=False)
    file = forms.FileField(label="文件", help_text="PDF、JPEG 或 PNG")


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件", help_text="Excel（.xlsx）或 JSON，表头见导出文件")
