"""Uploads: checked by content and size, stored under random names with their
sha256; a refused upload names the material and the rule and saves nothing."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Agent, Organisation
from cases import uploads
from cases.models import Case, CaseFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def apply(client, matter, content, name="申请书.pdf"):
    material = matter.situations.first().materials.first()
    return client.post(
        reverse("cases:apply", args=[matter.pk]),
        {
            "situation": matter.situations.first().pk,
            "applicant": "person",
            "region": "510000",
            "contact_phone": "13800000000",
            f"material_{material.pk}": SimpleUploadedFile(name, content),
        },
    )


@pytest.mark.parametrize("content, extension", [(PDF, ".pdf"), (PNG, ".png"), (JPEG, ".jpg")])
def test_accepted_types_are_stored_under_random_names(client, demo_user, licence, media, content, extension):
    client.force_login(demo_user("citizen"))
    response = apply(client, licence, content, name="我的申请书.bin")
    assert response.status_code == 302, response.content.decode()
    record = CaseFile.objects.get()
    assert record.sha256 == hashlib.sha256(content).hexdigest() and record.size == len(content)
    assert record.original_name == "我的申请书.bin" and record.material.name == "申请书"
    assert record.file.name.endswith(extension) and "申请书" not in record.file.name
    assert [p.read_bytes() for p in stored_files(media)] == [content]
    assert str(media) in record.file.path


def test_a_file_of_the_wrong_type_is_refused_by_its_content(client, demo_user, licence, media):
    client.force_login(demo_user("citizen"))
    # Named .pdf, but it is an executable script.
    response = apply(client, licence, b"#!/bin/sh\nrm -rf /\n", name="申请书.pdf")
    body = response.content.decode()
    assert response.status_code == 200
    assert "“申请书”的文件类型不符合要求" in body and "PDF、JPEG、PNG" in body
    assert not Case.objects.exists() and not CaseFile.objects.exists() and not stored_files(media)


def test_a_file_over_the_limit_is_refused(client, demo_user, licence, media, settings):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 1024
    client.force_login(demo_user("citizen"))
    response = apply(client, licence, PDF + b"0" * 2048)
    body = response.content.decode()
    assert "“申请书”的文件大小为" in body and "超过1 KB的上限" in body
    assert not Case.objects.exists() and not CaseFile.objects.exists() and not stored_files(media)


def test_the_default_limit_is_ten_megabytes():
    assert uploads.max_bytes() == 10 * 1024 * 1024
    big = SimpleUploadedFile("a.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert "超过10 MB的上限" in uploads.problem(big, "申请书")
    assert uploads.problem(SimpleUploadedFile("a.pdf", PDF), "申请书") == ""
    assert "为空" in uploads.problem(SimpleUploadedFile("a.pdf", b""), "申请书")


def test_a_required_material_must_be_uploaded(client, demo_user, licence, media):
    client.force_login(demo_user("citizen"))
    response = client.post(
        reverse("cases:apply", args=[licence.pk]),
        {
            "situation": licence.situations.first().pk,
            "applicant": "person",
            "region": "510000",
            "contact_phone": "13800000000",
        },
    )
    assert "请上传“申请书”" in response.content.decode()
    assert not Case.objects.exists()


def test_files_download_only_for_staff_who_can_view_the_case(client, demo_user, licence, media):
    client.force_login(demo_user("citizen"))
    apply(client, licence, PDF)
    case, record = Case.objects.get(), CaseFile.objects.get()
    url = reverse("cases_console:file", args=[case.number, record.pk])
    assert client.get(url).status_code == 403  # the public never downloads from the console
    client.force_login(demo_user("reviewer_jinjiang"))
    assert client.get(url).status_code == 403  # a county reviewer does not reach a provincial case
    client.force_login(demo_user("clerk"))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    page = client.get(reverse("cases_console:detail", args=[case.number])).content.decode()
    assert url in page


def test_an_agent_applies_for_the_organisation(client, demo_user, licence, media):
    agent = demo_user("agent")
    org = Agent.objects.get(person__user=agent).organisation
    client.force_login(agent)
    material = licence.situations.first().materials.first()
    response = client.post(
        reverse("cases:apply", args=[licence.pk]),
        {
            "situation": licence.situations.first().pk,
            "applicant": f"org:{org.pk}",
            "region": "510000",
            "contact_phone": "13800000000",
            f"material_{material.pk}": SimpleUploadedFile("a.png", PNG),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.applicant_organisation == org and case.agent.user == agent
    other = Organisation.objects.exclude(pk=org.pk).first()
    response = client.post(
        reverse("cases:apply", args=[licence.pk]),
        {
            "situation": licence.situations.first().pk,
            "applicant": f"org:{other.pk}",
            "region": "510000",
            "contact_phone": "13800000000",
            f"material_{material.pk}": SimpleUploadedFile("a.png", PNG),
        },
    )
    assert response.status_code == 200 and Case.objects.count() == 1
