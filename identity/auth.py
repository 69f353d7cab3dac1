"""The JSON API accepts the provider's OAuth access tokens (a city platform
calls /api/v1 with the token its user signed in with), with a clear reason
when one is refused. Such a token reads only, and only if the person let the
platform have the `policy` scope: a platform a clerk signs in to must not
approve cases with the clerk's token."""

import hashlib

from django.utils import timezone
from oauth2_provider.models import get_access_token_model

EXPIRED = "访问令牌已过期，请用刷新令牌换取新令牌或重新登录"
UNKNOWN = "访问令牌无效或已被吊销（注销或撤销授权后令牌即失效）"
NO_SCOPE = "访问令牌未获 policy 范围授权，不能调用接口（登录时须申请 policy 范围）"
READ_ONLY = "接入平台的访问令牌只能查询（GET），不能修改数据"
API_SCOPE = "policy"
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def user_for_access_token(key, method="GET"):
    """(user, None) for a live token that may make this request; (None, reason) otherwise."""
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
    if API_SCOPE not in token.scope.split():
        return None, NO_SCOPE
    if method not in READ_METHODS:
        return None, READ_ONLY
    return token.user, None
