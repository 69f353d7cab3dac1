"""System checks of the deployment's own settings (`manage.py check --deploy`)."""

from django.core.checks import Error, Tags, register

from . import crypto


@register(Tags.security, deploy=True)
def data_keys(app_configs, **kwargs):
    """Personal data must not be sealed with the public development keys (issue 16)."""
    if crypto.configured():
        return []
    return [
        Error(
            "个人信息加密密钥未配置：设置 TONGBAN_DATA_KEYS 和 TONGBAN_DATA_HASH_KEY，否则使用的是公开的开发密钥",
            hint="docs/deployment.md “数据密钥”：生成、配置和轮换",
            id="tongban.E001",
        )
    ]
