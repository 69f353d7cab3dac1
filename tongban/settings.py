"""Settings for tongban.

Everything a deployment changes comes from the environment (see README,
"Configuration"); the defaults give a working embedded setup on SQLite.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name, default=False):
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


# Off unless asked: a debug page shows settings and paths to anyone (issue 16).
DEBUG = _env_bool("TONGBAN_DEBUG", False)
# The development key only serves the embedded demo; production sets its own.
SECRET_KEY = os.environ.get("TONGBAN_SECRET_KEY", "dev-only-not-secret-tongban-demo-key-change-me")
# Rotation: the previous key stays here until sessions and signed links made with it expire.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("TONGBAN_SECRET_KEY_FALLBACKS", "").split(",") if k]
ALLOWED_HOSTS = [h for h in os.environ.get("TONGBAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TONGBAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# The platform's own apps: their models are audited (core.signals).
TONGBAN_APPS = [
    "core",
    "accounts",
    "messaging",
    "hall",
    "catalog",
    "cases",
    "policies",
    "matching",
    "bulletin",
    "bundles",
    "revenue",
    "identity",
]

INSTALLED_APPS = [
    "core.admin_site.TongbanAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_prometheus",
    "oauth2_provider",
    *TONGBAN_APPS,
    "tongban",  # the composition root: setup_demo, the portal's front pages
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.AuditContextMiddleware",
    "identity.middleware.OnBehalfOfMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Turns a rate-limited request (core.ratelimits) into a 429 page.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Axes must come last: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "messaging.context_processors.unread",
            ],
        },
    },
]

# SQLite by default (embedded, nothing to run); DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"),
        conn_max_age=int(os.environ.get("TONGBAN_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers
    # queue instead of failing halfway; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Login throttling: five failures for one account from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("TONGBAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TONGBAN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "accounts.views.axes_username"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"  # shown to users; stored times are UTC (USE_TZ)
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TONGBAN_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("TONGBAN_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded application materials: largest file accepted (PDF, JPEG, PNG).
TONGBAN_UPLOAD_MAX_BYTES = int(os.environ.get("TONGBAN_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

# A form from an expired page is told in Chinese, not Django's English page.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts only from our own static
# files, never inline; nothing framed; forms post only to us. Inline style
# attributes stay allowed (htmx and Chart.js set styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # No form-action: browsers apply it to the redirects after a form, and signing in or
        # consenting at the identity provider ends at a city's own platform (registered
        # redirect URIs, checked by the provider itself).
        "frame-ancestors": [NONE],
    },
}

# Behind TLS (production: TONGBAN_HTTPS=1): cookies only over HTTPS, HSTS for
# a year, plain HTTP redirected (except the load balancer's /healthz). Off by
# default so that `make run` works on http://127.0.0.1.
TONGBAN_HTTPS = _env_bool("TONGBAN_HTTPS", False)
if TONGBAN_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("TONGBAN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _env_bool("TONGBAN_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # nginx terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Personal data at rest (core.crypto, docs/deployment.md "Data keys"): SM4
# keys newest first ("k2:base64,k1:base64"; the first encrypts, all decrypt)
# and the key of the lookup hash. Unset, public development keys serve the
# demo and the tests; production (TONGBAN_HTTPS=1) refuses to start on them.
TONGBAN_DATA_KEYS = os.environ.get("TONGBAN_DATA_KEYS", "")
TONGBAN_DATA_HASH_KEY = os.environ.get("TONGBAN_DATA_HASH_KEY", "")
TONGBAN_DATA_DEV_KEYS = _env_bool("TONGBAN_DATA_DEV_KEYS", not TONGBAN_HTTPS)

# Rate limits (core.ratelimits), per person or, anonymous, per address.
TONGBAN_RATE_LIMITS = {
    "login": os.environ.get("TONGBAN_RATE_LOGIN", "30/m"),
    "search": os.environ.get("TONGBAN_RATE_SEARCH", "60/m"),
    "suggest": os.environ.get("TONGBAN_RATE_SUGGEST", "120/m"),
    "ask": os.environ.get("TONGBAN_RATE_ASK", "10/m"),
    "verify": os.environ.get("TONGBAN_RATE_VERIFY", "30/m"),
}
RATELIMIT_VIEW = "core.ratelimits.rate_limited"
# The key of the public certificate verification codes (cases.identifiers).
TONGBAN_VERIFY_KEY = os.environ.get("TONGBAN_VERIFY_KEY", "")

# Background tasks: the database backend serves the embedded demo; production
# runs RQ on Redis (django-tasks-rq) with several workers, `manage.py
# rqworker --with-scheduler` (docs/deployment.md says why).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TONGBAN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
REDIS_URL = os.environ.get("TONGBAN_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 900}}

# A cache shared by every app server (rate limits, cached figures) when
# TONGBAN_CACHE_URL names a Redis; one process's memory otherwise.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["TONGBAN_CACHE_URL"]}
        if os.environ.get("TONGBAN_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Prometheus metrics at /metrics, answered only to these addresses.
TONGBAN_METRICS_ALLOWED = [a for a in os.environ.get("TONGBAN_METRICS_ALLOWED", "127.0.0.1,::1").split(",") if a]

# Logs: JSON lines with the request id (core/logs.py) unless
# TONGBAN_LOG_FORMAT=text; both to standard error, for the process manager.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": os.environ.get("TONGBAN_LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("TONGBAN_LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}

# The audit chain uses SM3 where this Python's OpenSSL provides it.
AUDIT_HASH = os.environ.get("TONGBAN_AUDIT_HASH", "")
TONGBAN_TRUST_PROXY = _env_bool("TONGBAN_TRUST_PROXY", False)

# The province's OpenID Connect provider (identity app, on django-oauth-toolkit).
from identity.keys import signing_keys  # noqa: E402

TONGBAN_OIDC_KEY_DIR = Path(os.environ.get("TONGBAN_OIDC_KEY_DIR", VAR_DIR / "oidc-keys"))
_ID_TOKEN_SECONDS = 900
_OIDC_KEY, _OIDC_OLD_KEYS = signing_keys(TONGBAN_OIDC_KEY_DIR, keep_seconds=_ID_TOKEN_SECONDS + 3600)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _OIDC_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _OIDC_OLD_KEYS,
    "OIDC_ISS_ENDPOINT": os.environ.get("TONGBAN_OIDC_ISSUER", ""),
    "OAUTH2_VALIDATOR_CLASS": "identity.validators.Validator",
    "SCOPES": {
        "openid": "确认您的身份",
        "profile": "姓名和实名认证等级",
        "id_card": "脱敏后的身份证号",
        "organisation": "您代办的组织、授权范围",
        "policy": "以您的身份查询惠企政策",
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],  # code flow only: no tokens in browser URLs
    "ACCESS_TOKEN_EXPIRE_SECONDS": 900,
    "ID_TOKEN_EXPIRE_SECONDS": _ID_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 8 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    # https only behind TLS; the embedded demo's cities answer on http://127.0.0.1.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if TONGBAN_HTTPS else ["http", "https"],
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, S256 PKCE only, tokens
    # only in headers, `iss` in the authorization response, tokens stored hashed.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
