from django import forms

from core.models import Department, Level, Region

from .models import Role


class RegisterForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    name = forms.CharField(label="姓名", max_length=60)
    resident_id = forms.CharField(label="身份证号", max_length=18, help_text="18位公民身份号码（GB 11643）")
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, help_text="至少8位，不能全为数字")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.full_name}"


def region_field(queryset=None):
    qs = queryset if queryset is not None else Region.objects.exclude(level=Level.PROVINCE)
    return RegionChoiceField(label="登记地", queryset=qs.select_related("parent"), empty_label="请选择")


class OrganisationForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, help_text="18位（GB 32100）")
    name = forms.CharField(label="名称", max_length=120)
    region = region_field()
    legal_representative = forms.CharField(label="法定代表人", max_length=60, required=False)
    address = forms.CharField(label="住所", max_length=200, required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions.select_related("parent")


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    resident_id = forms.CharField(label="身份证号", max_length=18, help_text="18位公民身份号码（GB 11643）")
    phone = forms.CharField(label="手机号", max_length=20, required=False)


class StaffForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    name = forms.CharField(label="姓名", max_length=60)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.all())
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)


class AgentForm(forms.Form):
    name = forms.CharField(label="被授权人姓名", max_length=60)
    resident_id = forms.CharField(label="被授权人身份证号", max_length=18)
    scopes = forms.MultipleChoiceField(
        label="授权范围",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=[("policy", "查询惠企政策"), ("claim", "申报兑现惠企政策"), ("case", "办理政务服务事项")],
    )
    expires_at = forms.DateTimeField(
        label="授权截止",
        required=False,
        help_text="格式 2027-06-30 18:00；不填为长期有效",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class VerifyPersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    resident_id = forms.CharField(label="身份证号", max_length=18)
    method = forms.ChoiceField(
        label="核验方式", choices=[("in_person", "窗口当面核验（查验身份证原件）"), ("certificate", "数字证书认证")]
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


class SystemTokenForm(forms.Form):
    """Another system's API token: the account it acts as, what it may reach, until when."""

    system_name = forms.CharField(
        label="系统名称", max_length=200, required=False, help_text="如：成都市政务服务自建平台"
    )
    username = forms.CharField(
        label="系统账户名",
        max_length=200,
        required=False,
        help_text="小写字母、数字和下划线，如 chengdu_platform；已登记的系统账户可再签发令牌",
    )
    role = forms.ChoiceField(label="以何种角色调用", required=False)
    department = forms.ModelChoiceField(
        label="所属部门", queryset=Department.objects.none(), required=False, empty_label="请选择"
    )
    scopes = forms.MultipleChoiceField(
        label="授权范围", widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )
    name = forms.CharField(label="用途", max_length=200, required=False, help_text="可不填，如：办件状态同步")
    expires_at = forms.DateField(
        label="有效期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD"},
        help_text="令牌在该日结束时失效，最长两年",
    )

    def __init__(self, *args, departments=None, **kwargs):
        from . import policy, services

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择")] + [(r.value, r.label) for r in services.SYSTEM_ROLES]
        self.fields["scopes"].choices = [(k, label) for k, (label, _) in policy.TOKEN_SCOPES.items()]
        if departments is not None:
            self.fields["department"].queryset = departments.select_related("region")
