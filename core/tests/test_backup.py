"""Backup and restore (issue 16): a backup restored into a new SQLite
database holds every record and upload, and its audit chain verifies."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from accounts.models import Organisation
from core import audit
from core.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

CHECK = """
import django, os, json
os.environ['DJANGO_SETTINGS_MODULE'] = 'tongban.settings'
django.setup()
from django.conf import settings
from pathlib import Path
from core.audit import verify_chain
from core.backup import _counts
report = verify_chain()
print(json.dumps({"counts": _counts(), "chain_ok": report.ok, "checked": report.checked,
                  "file": (Path(settings.MEDIA_ROOT) / "cases/2026/12/材料.pdf").read_bytes().decode()}))
"""


def _manage(env, *args):
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**environ, **env}, capture_output=True, text=True, timeout=300
    )


def test_a_backup_restores_into_a_new_sqlite_database(tmp_path, settings, demo_user):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=settings.MEDIA_ROOT)
    storage.save("cases/2026/12/材料.pdf", ContentFile(b"%PDF-1.4 uploaded material"))
    with audit.acting_as(demo_user("admin"), "10.0.0.1"):
        org = Organisation.objects.create(uscc="91510100MA61234567", name="成都备份测试有限公司", region_id="510104")
        org.legal_representative = "李四"
        org.save()
    assert AuditEntry.objects.count() >= 2
    archive = tmp_path / "tongban.tar.gz"
    call_command("backup", str(archive))
    assert archive.exists() and archive.stat().st_size > 1000

    from core.backup import _counts

    expected = _counts()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        "TONGBAN_MEDIA_ROOT": str(tmp_path / "restored-media"),
        "TONGBAN_VAR_DIR": str(tmp_path),
    }
    migrated = _manage(env, "manage.py", "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    restored = _manage(env, "manage.py", "restore", str(archive))
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "审计链" in restored.stdout and "校验完整" in restored.stdout
    checked = _manage(env, "-c", CHECK)
    assert checked.returncode == 0, checked.stderr[-3000:]
    import json

    result = json.loads(checked.stdout.strip().splitlines()[-1])
    assert result["counts"] == expected  # every table, every record
    assert result["chain_ok"] and result["checked"] == AuditEntry.objects.count()
    assert result["file"] == "%PDF-1.4 uploaded material"

    # A database that already holds records is refused, and left as it was.
    again = _manage(env, "manage.py", "restore", str(archive))
    assert again.returncode != 0 and "已有数据" in again.stderr
