"""Backup and restore of the whole platform: every row of the database (as
Django's portable JSON, so a PostgreSQL backup restores into SQLite and back)
and the uploaded files, in one .tar.gz with a manifest of what it holds.

The rows are read in one transaction (REPEATABLE READ on PostgreSQL), so they
are one consistent moment even while people keep working; the files are
copied after, and uploads are only ever added under new names, so every file
a backed-up row names is there. A restore goes only into an empty, migrated
database, loads everything in one transaction, checks every table's count
against the manifest and the audit chain, and changes nothing if either fails."""

import datetime as dt
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

FORMAT = 1
# Rebuilt by `migrate` (content types, permissions), or passing state that a
# restored platform does not need (sessions, login-failure counters, task results).
EXCLUDED_APPS = {"contenttypes", "sessions", "axes", "django_tasks_db", "admin"}
EXCLUDED_MODELS = {"auth.permission"}


class BackupError(Exception):
    pass


def _models():
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in EXCLUDED_APPS or label in EXCLUDED_MODELS:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def _counts():
    return {model._meta.label: model._default_manager.count() for model in _models()}


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; the audit chain's digests
    cover the microseconds, so they are kept (the loader reads either)."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


def _objects():
    for model in _models():
        yield from model._default_manager.order_by("pk").iterator(chunk_size=2000)


def _dump(path):
    with open(path, "w", encoding="utf-8") as out:
        serializers.serialize("json", _objects(), stream=out, cls=_ExactEncoder, use_natural_foreign_keys=True)


def backup(destination):
    """Write the backup to `destination` (.tar.gz); returns its manifest."""
    destination = Path(destination)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:  # one snapshot for every table
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            counts = _counts()
            _dump(data)
            from .audit import verify_chain

            chain = verify_chain()
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "database": connection.vendor,
            "counts": counts,
            "files": len(files),
            "audit_entries": chain.checked,
            "audit_ok": chain.ok,
        }
        destination.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(destination, "w:gz") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            tar.add(data, arcname="data.json")
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
    return manifest


def _holds_records():
    return [label for label, count in _counts().items() if count]


def restore(source):
    """Load a backup into this (migrated, empty) database and its upload
    directory; returns the manifest. Raises BackupError, changing nothing."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}")
    held = _holds_records()
    if held:
        raise BackupError(
            "目标数据库已有数据（"
            + "、".join(held[:5])
            + (" 等" if len(held) > 5 else "")
            + "），只能恢复到新建并已迁移（migrate）的空数据库"
        )
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as tar:
        tar.extractall(tmp, filter="data")  # refuses absolute paths and ../
        manifest = json.loads((Path(tmp) / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式 {manifest.get('format')} 不是本版本可恢复的格式 {FORMAT}")
        with transaction.atomic():
            call_command("loaddata", str(Path(tmp) / "data.json"), verbosity=0)
            counts = _counts()
            missing = {
                label: (n, counts.get(label)) for label, n in manifest["counts"].items() if counts.get(label) != n
            }
            if missing:
                raise BackupError(
                    "恢复后的记录数与备份不符："
                    + "；".join(f"{label} 应为 {want}，实为 {got}" for label, (want, got) in missing.items())
                )
            from .audit import verify_chain

            chain = verify_chain()
            if not chain.ok:
                raise BackupError(chain.message())
            uploaded = Path(tmp) / "media"
            if uploaded.exists():
                for path in uploaded.rglob("*"):
                    if path.is_file():
                        target = media / path.relative_to(uploaded)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(path.read_bytes())
        manifest["audit_verified"] = chain.checked
    return manifest
