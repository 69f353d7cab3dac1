"""The public's case pages: apply online, answer a correction, rate, and
verify a certificate."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, CaseFile, Certificate, Evaluation

PDF = b"%PDF-1.4\n%%EOF\n"
Kind = CaseEvent.Kind


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def apply_online(client, matter):
    material = matter.situations.first().materials.first()
    response = client.post(
        reverse("cases:apply", args=[matter.pk]),
        {
            "situation": matter.situations.first().pk,
            "applicant": "person",
            "region": "510000",
            "contact_phone": "13800000000",
            "note": "网上申请",
            f"material_{material.pk}": SimpleUploadedFile("申请书.pdf", PDF),
        },
    )
    assert response.status_code == 302, response.content.decode()
    return Case.objects.order_by("-id").first()


def test_apply_page_needs_a_signed_in_person(client, demo_user, licence):
    url = reverse("cases:apply", args=[licence.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(demo_user("clerk"))
    assert client.get(url).status_code == 403  # staff do not apply online
    client.force_login(demo_user("citizen"))
    body = client.get(url).content.decode()
    assert "在线申请" in body and "申请书" in body and 'enctype="multipart/form-data"' in body


def test_a_citizen_applies_answers_a_correction_and_rates(client, demo_user, licence):
    citizen, clerk, reviewer = demo_user("citizen"), demo_user("clerk"), demo_user("reviewer")
    client.force_login(citizen)
    case = apply_online(client, licence)
    assert case.channel == "online" and case.state == Case.State.RECEIVED and case.window is None
    mine = client.get(reverse("cases:mine")).content.decode()
    assert case.number in mine and "已收件" in mine

    services.request_correction(clerk, case, [{"material": "申请书", "problem": "缺少签字页"}])
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "请补正材料" in page and "缺少签字页" in page and "王晓燕" in page
    case.refresh_from_db()
    material = licence.situations.first().materials.first()
    response = client.post(
        reverse("cases:answer", args=[case.number]),
        {
            "version": case.version,
            "note": "已补签字页",
            f"material_{material.pk}": SimpleUploadedFile("签字页.pdf", PDF),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.RECEIVED and CaseFile.objects.filter(case=case).count() == 2
    assert case.events.filter(kind=Kind.CORRECTION_ANSWERED, reason="已补签字页").exists()

    services.accept(clerk, case)
    services.transfer(clerk, case, to_department=licence.department)
    services.decide(reviewer, case, approved=True, opinion="准予")
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert level in page
    # A poor rating needs a comment.
    response = client.post(reverse("cases:evaluate", args=[case.number]), {"score": "2", "comment": ""})
    assert "评价为不满意时须填写意见" in response.content.decode()
    assert not Evaluation.objects.filter(case=case).exists()
    response = client.post(reverse("cases:evaluate", args=[case.number]), {"score": "5", "comment": "很快"})
    assert response.status_code == 302
    assert Evaluation.objects.get(case=case).score == 5
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "我的评价" in page and "非常满意" in page


def test_a_stale_correction_answer_is_refused(client, demo_user, licence):
    client.force_login(demo_user("citizen"))
    case = apply_online(client, licence)
    services.request_correction(demo_user("clerk"), case, [{"material": "申请书", "problem": "缺页"}])
    case.refresh_from_db()
    stale = case.version - 1
    response = client.post(reverse("cases:answer", args=[case.number]), {"version": stale, "note": "x"})
    assert response.status_code == 409 and "已被处理" in response.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.CORRECTION


def test_others_cannot_see_a_citizens_case(client, demo_user, licence):
    client.force_login(demo_user("citizen"))
    case = apply_online(client, licence)
    client.force_login(demo_user("agent"))
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 403
    assert case.number not in client.get(reverse("cases:mine")).content.decode()


def _certificate(demo_user, licence, client):
    client.force_login(demo_user("citizen"))
    case = apply_online(client, licence)
    clerk = demo_user("clerk")
    services.accept(clerk, case)
    services.transfer(clerk, case, to_department=licence.department)
    services.decide(demo_user("reviewer"), case, approved=True, opinion="准予")
    return services.issue(clerk, case, valid_years=5)[0]


def test_verification_shows_a_valid_certificate(client, demo_user, licence):
    cert = _certificate(demo_user, licence, client)
    client.logout()
    code = cert.verification_code
    response = client.get(reverse("cases:verify"), {"q": cert.e_certificate_id})
    assert response.status_code == 302 and response["Location"] == reverse("cases:verify_detail", args=[code])
    # The code as a person types it from the certificate: lower case, spaces.
    typed = client.get(reverse("cases:verify"), {"q": " " + code.lower().replace("-", " ") + " "})
    assert typed.status_code == 302 and typed["Location"] == reverse("cases:verify_detail", args=[code])
    body = client.get(reverse("cases:verify_detail", args=[code])).content.decode()
    assert "该证照真实有效" in body and cert.title in body and cert.issuer.name in body
    assert cert.holder_code not in body and f"{cert.holder_code[:6]}********{cert.holder_code[-4:]}" in body
    # The holder's name is masked (issue 16).
    assert cert.holder_name not in body and f"<dd>{cert.holder_name[0]}*" in body
    Certificate.objects.filter(pk=cert.pk).update(revoked=True)
    assert "已注销" in client.get(reverse("cases:verify_detail", args=[code])).content.decode()


def test_verification_cannot_be_enumerated_by_sequential_number(client, demo_user, licence):
    """A certificate's sequential number, or a code with its row number but a
    guessed digest, finds nothing (issue 16)."""
    cert = _certificate(demo_user, licence, client)
    client.logout()
    for guess in (
        cert.number,
        f"AAAA-AAAA-AAAA-{cert.pk}",
        # one letter of the digest changed (not the last digit: that is the row
        # number, and a row ending in 9 made this guess the real code)
        ("B" if cert.verification_code[0] != "B" else "C") + cert.verification_code[1:],
        "1.2.156.3005.2.长.x.0000001.001.Z",
    ):
        response = client.get(reverse("cases:verify"), {"q": guess})
        assert response.status_code == 404 and cert.holder_name not in response.content.decode()
        response = client.get(reverse("cases:verify_detail", args=[guess]))
        assert response.status_code == 404 and cert.title not in response.content.decode()


def test_verification_of_an_unknown_number_says_not_found(client, db):
    response = client.get(reverse("cases:verify"), {"q": "NO-SUCH-1"})
    assert response.status_code == 404
    assert "未找到电子证照标识或核验码为“NO-SUCH-1”的证照" in response.content.decode()
    response = client.get(reverse("cases:verify_detail", args=["9999"]))
    assert response.status_code == 404 and "未找到" in response.content.decode()
    assert client.get(reverse("cases:verify")).status_code == 200


def test_the_applicant_reads_who_acted_by_name_not_by_login(client, demo_user, licence, hall_window):
    from .conftest import receive_at_window

    clerk = demo_user("clerk")
    case = receive_at_window(clerk, licence, hall_window)
    services.request_correction(clerk, case, items=[{"material": "申请书", "problem": "缺少签字"}])
    client.force_login(demo_user("citizen"))
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f"<td>{clerk.name}</td>" in page and "（clerk）" not in page
    # The printed 告知书 the applicant takes home names the clerk the same way.
    client.force_login(clerk)
    notice = client.get(reverse("cases_console:notice", args=[case.number, "correction"])).content.decode()
    assert f"经办人：{clerk.name}" in notice and "（clerk）" not in notice
