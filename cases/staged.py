"""Uploads kept through a refused form (暂存材料): when an online application
comes back with an error, the files that passed the checks are kept for the
signed-in person (session), so they need not be chosen again; the page says
which files are kept and which must be chosen again.

Kept under MEDIA_ROOT/staged/ with random names; a successful application
moves them into the case (uploads.store_all) and removes them here."""

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from . import uploads

SESSION_KEY = "cases.staged"


def _all(request):
    return request.session.get(SESSION_KEY, {})


def kept(request, key):
    """{field name: original file name} of the files kept for `key` (one application form)."""
    return {field: row["name"] for field, row in _all(request).get(key, {}).items()}


def keep(request, key, form):
    """Keep every upload of `form` that passes the checks; returns the material
    names whose files must be chosen again (refused ones)."""
    store = _all(request)
    rows = store.get(key, {})
    again = []
    for name, material in form.material_fields:
        upload = form.files.get(name)
        if not upload:
            continue
        if uploads.problem(upload, material.name):
            again.append(material.name)
            continue
        content_type, extension = uploads.sniff(upload)
        upload.seek(0)
        path = default_storage.save(f"staged/{secrets.token_hex(16)}{extension}", ContentFile(upload.read()))
        upload.seek(0)
        if name in rows:
            default_storage.delete(rows[name]["path"])
        rows[name] = {"path": path, "name": (upload.name or "")[-200:]}
    store[key] = rows
    request.session[SESSION_KEY] = store
    return again


def take(request, key, form):
    """The kept files as uploads for the fields left empty this time."""
    rows = _all(request).get(key, {})
    out = []
    for name, material in form.material_fields:
        if form.cleaned_data.get(name) or name not in rows:
            continue
        with default_storage.open(rows[name]["path"], "rb") as handle:
            upload = ContentFile(handle.read(), name=rows[name]["name"])
        out.append((name, material, upload))
    return out


def clear(request, key):
    store = _all(request)
    for row in store.pop(key, {}).values():
        default_storage.delete(row["path"])
    request.session[SESSION_KEY] = store
