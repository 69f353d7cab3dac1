"""Settings of one city's platform, all from the environment:

CITY_CODE          the city's GB/T 2260 code (510100 成都, 510700 绵阳, 510600 德阳, 511500 宜宾, 510500 泸州)
CITY_DB            its own SQLite file (default var/city-<code>.sqlite3)
CITY_SECRET_KEY    its own Django secret
CITY_DEBUG         1 for Django's debug pages (off by default)
TONGBAN_ISSUER     the province's issuer, e.g. http://127.0.0.1:8000/oidc
TONGBAN_API        the province's API root, e.g. http://127.0.0.1:8000/api/v1
CITY_CLIENT_ID / CITY_CLIENT_SECRET   as registered in the province's console
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# name, colour: each city shows as its own site (white text on it at 4.5:1 or more, WCAG AA).
CITIES = {
    "510100": ("成都", "#c0392b"),
    "510700": ("绵阳", "#1f6fb2"),
    "510600": ("德阳", "#23704a"),
    "511500": ("宜宾", "#8e44ad"),
    "510500": ("泸州", "#b34700"),
}
CITY_CODE = os.environ.get("CITY_CODE", "510100")
CITY_NAME, CITY_COLOUR = CITIES[CITY_CODE]

DEBUG = os.environ.get("CITY_DEBUG", "0") == "1"  # off unless asked for, like the platform
SECRET_KEY = os.environ.get("CITY_SECRET_KEY", f"dev-only-city-{CITY_CODE}-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "city",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "cityplatform.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "city.views.site",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("CITY_DB", str(BASE_DIR.parent / "var" / f"city-{CITY_CODE}.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Sessions in the database, so a back-channel logout can end one by its key.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Browsers share cookies between ports of one host: each city names its own.
SESSION_COOKIE_NAME = f"city{CITY_CODE}_session"
CSRF_COOKIE_NAME = f"city{CITY_CODE}_csrftoken"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

TONGBAN_ISSUER = os.environ.get("TONGBAN_ISSUER", "http://127.0.0.1:8000/oidc")
TONGBAN_API = os.environ.get("TONGBAN_API", TONGBAN_ISSUER.rsplit("/oidc", 1)[0] + "/api/v1")
# The standard OpenID Connect client: Authlib's Django integration, configured
# from the province's discovery document, with PKCE (S256).
AUTHLIB_OAUTH_CLIENTS = {
    "tongban": {
        "client_id": os.environ.get("CITY_CLIENT_ID", f"city-{CITY_CODE}"),
        "client_secret": os.environ.get("CITY_CLIENT_SECRET", ""),
        "server_metadata_url": f"{TONGBAN_ISSUER}/.well-known/openid-configuration",
        "client_kwargs": {
            "scope": "openid profile organisation policy",
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
