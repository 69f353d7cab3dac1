"""Uploaded materials: checked by content (not by name or the browser's word),
limited in size, stored under MEDIA_ROOT with random names, sha256 kept.

`check_all` looks at every upload of a request first and refuses the whole
request with one Chinese message per refused file (naming the material and
the rule); only when all pass does `store_all` write anything.
"""

import hashlib
import secrets

from django.conf import settings

from core.errors import ServiceError

from .models import CaseFile

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# (content type, extension, leading bytes)
SIGNATURES = [
    ("application/pdf", ".pdf", b"%PDF-"),
    ("image/jpeg", ".jpg", b"\xff\xd8\xff"),
    ("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
]
ALLOWED_LABEL = "PDF、JPEG、PNG"


def max_bytes():
    return int(getattr(settings, "TONGBAN_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def size_label(size):
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def sniff(upload):
    """(content type, extension) from the file's first bytes, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, extension, magic in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def problem(upload, material_name):
    """The Chinese reason an upload is refused, or ''."""
    limit = max_bytes()
    if upload.size == 0:
        return f"“{material_name}”的文件为空，请重新选择"
    if upload.size > limit:
        return f"“{material_name}”的文件大小为{size_label(upload.size)}，超过{size_label(limit)}的上限"
    if sniff(upload) is None:
        return f"“{material_name}”的文件类型不符合要求：只接受 {ALLOWED_LABEL} 格式（按文件内容判断）"
    return ""


def check_all(items):
    """items: (form field name, material or None, upload). Raises ServiceError listing every refused file."""
    errors = {}
    for field, material, upload in items:
        reason = problem(upload, material.name if material else upload.name)
        if reason:
            errors.setdefault(field, []).append(reason)
    if errors:
        first = next(iter(errors.values()))[0]
        message = first if len(errors) == 1 else f"有{len(errors)}个文件不符合要求，均未保存，请按提示更换"
        raise ServiceError(message, errors=errors, code="upload_refused")


def _store(case, material, upload, user):
    content_type, extension = sniff(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    record = CaseFile(
        case=case,
        material=material,
        original_name=(upload.name or "")[-200:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record.file.save(secrets.token_hex(16) + extension, upload, save=False)
    record.save()
    return record


def store_all(case, items, user):
    """Save uploads that `check_all` passed. Files written for a request that
    then fails are removed again, so a refused request leaves nothing."""
    check_all(items)
    written = []

    try:
        for _, material, upload in items:
            written.append(_store(case, material, upload, user))
    except Exception:
        discard(written)
        raise
    return written


def discard(records):
    """Remove the stored files of records whose transaction did not commit."""
    for record in records:
        record.file.storage.delete(record.file.name)
