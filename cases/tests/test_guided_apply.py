"""An online application keeps the guided answers end to end: the situation
is not picked again, a material the answers left out is not asked for, and
after an error the files that passed are kept and the page says so."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseFile
from catalog.tests.helpers import build_matter

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def guided(db):
    matter, (new, _, _), (first, _, agent) = build_matter()
    answers = {f"q{first.pk}": first.options.get(text="是").pk, f"q{agent.pk}": agent.options.get(text="本人办理").pk}
    return matter, new, answers


def test_the_guide_leads_to_the_application_with_its_answers(client, demo_user, guided):
    matter, new, answers = guided
    guide = client.get(reverse("catalog:guide", args=[matter.pk]), answers).content.decode()
    assert "按以上回答在线申请" in guide
    client.force_login(demo_user("citizen"))
    page = client.get(reverse("cases:apply", args=[matter.pk]), answers).content.decode()
    assert "请选择办理情形" not in page and "办理情形：<strong>新办</strong>" in page
    assert "是否委托代理人？ <strong>本人办理</strong>" in page
    assert "授权委托书" not in page  # 本人办理: the checklist left it out
    for name, value in answers.items():
        assert f'name="{name}" value="{value}"' in page


def test_an_error_keeps_the_answers_and_the_files(client, demo_user, guided):
    matter, new, answers = guided
    client.force_login(demo_user("citizen"))
    url = reverse("cases:apply", args=[matter.pk])
    material = new.materials.get(name="申请书")
    response = client.post(
        url,
        {
            **answers,
            "situation": new.pk,
            "applicant": "person",
            "region": "510000",
            "contact_phone": "",  # missing: the form says so
            f"material_{material.pk}": SimpleUploadedFile("申请书.pdf", PDF),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "以下文件已保留，无需重新选择" in body and "申请书.pdf" in body
    assert "授权委托书" not in body and "办理情形：<strong>新办</strong>" in body
    # Sent again without choosing the file again: the kept one goes in.
    response = client.post(
        url, {**answers, "situation": new.pk, "applicant": "person", "region": "510000", "contact_phone": "13800000000"}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    case = Case.objects.get()
    assert CaseFile.objects.get(case=case).original_name == "申请书.pdf"
    receive = case.events.get(seq=1)
    assert {"question": "是否委托代理人？", "answer": "本人办理"} in receive.data["answers"]


def test_a_refused_file_is_named_to_be_chosen_again(client, demo_user, guided):
    matter, new, answers = guided
    client.force_login(demo_user("citizen"))
    material = new.materials.get(name="申请书")
    response = client.post(
        reverse("cases:apply", args=[matter.pk]),
        {
            **answers,
            "situation": new.pk,
            "applicant": "person",
            "region": "510000",
            "contact_phone": "13800000000",
            f"material_{material.pk}": SimpleUploadedFile("申请书.pdf", b"not a pdf"),
        },
    )
    body = response.content.decode()
    assert "以下材料的文件未通过检查，请重新选择：申请书" in body and not Case.objects.exists()


def test_a_phone_number_that_is_not_one_is_refused_naming_the_rule(client, demo_user, guided):
    matter, new, answers = guided
    client.force_login(demo_user("citizen"))
    fields = {**answers, "situation": new.pk, "applicant": "person", "region": "510000"}
    response = client.post(reverse("cases:apply", args=[matter.pk]), {**fields, "contact_phone": "12345"})
    body = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "联系电话应为11位手机号（如13800000000）或带区号的固定电话（如028-86000000）" in body
    assert "办理情形：<strong>新办</strong>" in body and 'value="12345"' in body  # what was typed is kept
    # A fixed line with its area code, spaces and all, is a phone number.
    material = new.materials.get(name="申请书")
    response = client.post(
        reverse("cases:apply", args=[matter.pk]),
        {**fields, "contact_phone": "028 8601 2345", f"material_{material.pk}": SimpleUploadedFile("申请书.pdf", PDF)},
    )
    assert response.status_code == 302 and Case.objects.get().contact_phone == "02886012345"
