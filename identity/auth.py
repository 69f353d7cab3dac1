"""The JSON API accepts the provider's OAuth access tokens (a city platform
calls /api/v1 with the token its user signed in with), with a clear reason
when one is refused."""

import hashlib

from django.utils import timezone
from oauth2_provider.models import get_access_token_model

EXPIRED = "访问令牌已过期，请用刷新令牌换取新令牌或重新登录"
UNKNOWN = "访问令牌无效或已被吊销（注销或撤销授权后令牌即失效）"


def user_for_access_token(key):
    """(user, None) for a live token; (None, reason) otherwise."""
    checksum = hashlib.sha256(key.encode("utf-8")).hexdigest()
    token = (
        get_access_token_model().objects.select_related("user", "application").filter(token_checksum=checksum).first()
    )
    if token is None or token.user is None:
        return None, UNKNOWN
    if token.expires <= timezone.now():
        return None, EXPIRED
    if not token.user.is_active:
        return None, UNKNOWN
    return token.user, None
