from django.apps import AppConfig

# The provider's audit entries about a relying party, as the audit page words them.
PARTY_WORDS = {
    "token_grant": "登录接入平台“{}”（签发令牌）",
    "token_refused": "向接入平台“{}”的令牌请求被拒绝",
    "authorization_refused": "拒绝向接入平台“{}”提供信息",
    "login_step_up": "登录接入平台“{}”时被要求提升认证等级",
    "backchannel_logout": "被通知接入平台“{}”退出登录（后端注销）",
    "backchannel_logout_failed": "的后端注销通知未能送达接入平台“{}”，将重试",
}


ACTIONS = {
    "token_grant": "签发令牌",
    "token_refused": "拒绝令牌请求",
    "authorization_refused": "拒绝授权",
    "login_step_up": "要求提升认证等级",
    "backchannel_logout": "后端注销",
    "backchannel_logout_failed": "后端注销未送达",
    "login_refused": "登录失败",
}


def party_phrase(entry):
    words = PARTY_WORDS.get(entry.action)
    return words.format(entry.object_repr) if words else None


def login_refused_phrase(entry):
    return f"记录：以用户名“{entry.object_repr}”登录失败" if entry.action == "login_refused" else None


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "统一身份认证"

    def ready(self):
        from core import audit_display

        from . import signals  # noqa: F401

        audit_display.register_phrase("oauth2_provider.Application", party_phrase)
        audit_display.register_phrase("accounts.User", login_refused_phrase)
        for action, label in ACTIONS.items():
            audit_display.ACTIONS.setdefault(action, label)
