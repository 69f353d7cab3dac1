"""The five cities' own platforms (cityplatform/, run five times) registered
as relying parties of the province for the demo. Their secrets are fixed
demo values handed to them by scripts/cities; a real city is registered in
the console and given a secret shown once."""

from django.db import transaction
from oauth2_provider.models import get_application_model

from accounts.models import Role, User
from core import audit

from .models import RelyingParty
from .services import register_party

# (code, name, lowest assurance level): 宜宾 asks for level two, to show step-up.
CITIES = [
    ("510100", "成都", 1),
    ("510700", "绵阳", 1),
    ("510600", "德阳", 1),
    ("511500", "宜宾", 2),
    ("510500", "泸州", 1),
]
SCOPES = ["openid", "profile", "organisation", "policy"]


def client_id(code):
    return f"city-{code}"


def demo_secret(code):
    return f"demo-city-{code}-secret"


def city_urls(host, port):
    base = f"http://{host}:{port}"
    return {
        "redirect_uris": f"{base}/oidc/callback/",
        "post_logout_redirect_uris": f"{base}/",
        "backchannel_logout_uri": f"{base}/oidc/backchannel-logout/",
    }


@transaction.atomic
def register_cities(host="127.0.0.1", base_port=8001, codes=None):
    """Register (or point at new ports) the demo cities; returns [(code, name, port)]."""
    admin = User.objects.filter(role=Role.SYSADMIN, is_active=True).order_by("pk").first()
    Application = get_application_model()
    done = []
    with audit.acting_as(admin):
        for i, (code, name, level) in enumerate(CITIES):
            if codes and code not in codes:
                continue
            port = base_port + i
            urls = city_urls(host, port)
            app = Application.objects.filter(client_id=client_id(code)).first()
            if app is None:
                register_party(
                    admin,
                    name=f"{name}市惠企政策申兑平台",
                    scopes=SCOPES,
                    required_level=level,
                    region=code,
                    client_id=client_id(code),
                    secret=demo_secret(code),
                    **urls,
                )
            else:
                app.redirect_uris, app.post_logout_redirect_uris = (
                    urls["redirect_uris"],
                    urls["post_logout_redirect_uris"],
                )
                app.save()
                RelyingParty.objects.filter(application=app).update(
                    backchannel_logout_uri=urls["backchannel_logout_uri"], required_level=level, scopes=" ".join(SCOPES)
                )
            done.append((code, name, port))
    return done
