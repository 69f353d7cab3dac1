"""The provider's RSA signing keys, kept as PEM files in one directory.

The newest key signs; keys it replaced stay published in the JWKS until every
token they signed has expired (KEEP_SECONDS after being replaced), so relying
parties can still check those tokens. `manage.py rotate_signing_key` adds a
new key; a restart (or reload) of the servers picks it up. No Django import:
settings.py reads this."""

import os
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SUFFIX = ".pem"


def new_key(directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # Named by creation time (ns) so the newest sorts last.
    path = directory / f"{time.time_ns()}{SUFFIX}"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(pem)
    return path


def _files(directory):
    return sorted(Path(directory).glob(f"*{SUFFIX}"), key=lambda p: int(p.stem))


def signing_keys(directory, keep_seconds, now=None):
    """(active PEM, [PEMs still published]); a key is made when there is none.
    A replaced key is dropped keep_seconds after its successor was made."""
    files = _files(directory)
    if not files:
        files = [new_key(directory)]
    now = time.time() if now is None else now
    active = files[-1]
    inactive = []
    for older, successor in zip(files, files[1:]):
        if now - int(successor.stem) / 1e9 < keep_seconds:
            inactive.append(older.read_text())
    return active.read_text(), inactive
