"""core.exchange.import_file: the one import flow of the catalogue and the
policy library (read → check → write → audit), here with a small table of
the hall's key works written for real."""

import pytest
from django.core.exceptions import PermissionDenied

from core import exchange
from core.exchange import ImportFailed
from core.models import AuditEntry
from hall.models import KeyWork

pytestmark = pytest.mark.django_db

CONTENT = (
    b'{"\\u91cd\\u70b9\\u5de5\\u4f5c": [{"\\u540d\\u79f0": "\\u8425\\u5546\\u73af\\u5883"}, {"\\u540d\\u79f0": ""}]}'
)


def read(content, filename):
    return exchange.read_file(content, filename, ["重点工作"])


def check(tables, actor):
    rows = tables["重点工作"]
    problems = [f"{row.where()} 名称：必填" for row in rows if not row.get("名称")]
    if problems:
        raise ImportFailed(problems)
    return [row.get("名称") for row in rows]


def write(names):
    for name in names:
        KeyWork.objects.create(name=name)
    return {"created": len(names)}


def run(actor, content):
    return exchange.import_file(
        actor,
        content,
        "重点工作.json",
        permission="catalog.import",
        read=read,
        check=check,
        write=write,
        object_type="hall.KeyWork",
        title="导入重点工作",
    )


def test_a_file_with_a_bad_row_changes_nothing_and_lists_the_row(demo_user):
    with pytest.raises(ImportFailed) as refused:
        run(demo_user("admin"), CONTENT)
    assert refused.value.rows == ["重点工作 第2条 名称：必填"]
    assert not KeyWork.objects.filter(name="营商环境").exists()
    assert not AuditEntry.objects.filter(action="import").exists()


def test_a_good_file_is_written_and_audited_once(demo_user):
    good = CONTENT.replace(b', {"\\u540d\\u79f0": ""}', b"")
    assert run(demo_user("admin"), good) == {"created": 1}
    entry = AuditEntry.objects.get(action="import")
    assert (entry.object_repr, entry.after, entry.actor_label) == (
        "导入重点工作 重点工作.json",
        {"created": 1},
        "郑国平（admin）",
    )


def test_the_permission_is_asked_first(demo_user):
    with pytest.raises(PermissionDenied):
        run(demo_user("citizen"), CONTENT)
