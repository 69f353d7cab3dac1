"""Personal data at rest: resident ID numbers, phone numbers and addresses
are stored encrypted with SM4 (GB/T 32907-2016) in GCM mode (RFC 8998),
which also authenticates them, and found again by a keyed SM3 hash.

A stored value reads `sm4g$<key id>$<base64(nonce | ciphertext | tag)>`:
the key id lets keys rotate (TONGBAN_DATA_KEYS, newest first: the first
encrypts, all decrypt; `manage.py rotate_data_key` re-encrypts old rows).
The column's name is bound in as associated data, so a value copied into
another column does not decrypt. Lookups use `lookup_hash`: HMAC-SM3 with
its own key (TONGBAN_DATA_HASH_KEY), so the same ID number gives the same
hash in every table without the hash revealing it.

Without configured keys a fixed development key serves the embedded demo
and the tests; production refuses to start without real ones
(core.checks, docs/deployment.md "Data keys").
"""

import base64
import binascii
import os
import re
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "sm4g"
NONCE_BYTES = 12  # GCM's natural nonce length (RFC 8998 §3.1)
TAG_BYTES = 16
KEY_BYTES = 16  # SM4 has 128-bit keys
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# Development keys: public, in the repository; good for the demo only.
DEV_KEYS = "dev:" + base64.b64encode(b"tongban-dev-sm4!").decode()
DEV_HASH_KEY = base64.b64encode(b"tongban-dev-lookup-hash-key-32b!").decode()


class DataKeyError(ImproperlyConfigured):
    """A data key is missing, malformed, or does not open a stored value."""


def parse_keys(text):
    """`k2:base64,k1:base64` → [(id, key bytes)], newest first."""
    keys: list[tuple[str, bytes]] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        kid, _, encoded = part.partition(":")
        if not KEY_ID.match(kid):
            raise DataKeyError(f"TONGBAN_DATA_KEYS：密钥标识“{kid}”只能由字母、数字、-、_ 组成（至多16位）")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise DataKeyError(f"TONGBAN_DATA_KEYS：密钥 {kid} 不是有效的 base64") from None
        if len(key) != KEY_BYTES:
            raise DataKeyError(f"TONGBAN_DATA_KEYS：密钥 {kid} 须为16字节（SM4 密钥长度），现为{len(key)}字节")
        if any(kid == seen for seen, _ in keys):
            raise DataKeyError(f"TONGBAN_DATA_KEYS：密钥标识 {kid} 重复")
        keys.append((kid, key))
    return keys


def configured():
    """True when real keys come from the environment (not the development ones)."""
    return bool(settings.TONGBAN_DATA_KEYS) and bool(settings.TONGBAN_DATA_HASH_KEY)


@lru_cache(maxsize=8)
def _keyring(keys_text, hash_text):
    keys = parse_keys(keys_text)
    if not keys:
        raise DataKeyError("TONGBAN_DATA_KEYS 未配置数据密钥")
    try:
        hash_key = base64.b64decode(hash_text, validate=True)
    except binascii.Error:
        raise DataKeyError("TONGBAN_DATA_HASH_KEY 不是有效的 base64") from None
    if len(hash_key) < 32:
        raise DataKeyError("TONGBAN_DATA_HASH_KEY 须至少32字节")
    return keys, dict(keys), hash_key


def keyring():
    """(keys newest first, keys by id, hash key) from the settings."""
    if configured():
        return _keyring(settings.TONGBAN_DATA_KEYS, settings.TONGBAN_DATA_HASH_KEY)
    if not getattr(settings, "TONGBAN_DATA_DEV_KEYS", True):
        raise DataKeyError(
            "生产环境必须配置 TONGBAN_DATA_KEYS 和 TONGBAN_DATA_HASH_KEY（见 docs/deployment.md “数据密钥”）"
        )
    return _keyring(settings.TONGBAN_DATA_KEYS or DEV_KEYS, settings.TONGBAN_DATA_HASH_KEY or DEV_HASH_KEY)


def current_key_id():
    return keyring()[0][0][0]


def new_key():
    """A fresh SM4 key, base64 (`manage.py rotate_data_key --new-key`)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def is_ciphertext(value):
    return isinstance(value, str) and value.startswith(PREFIX + "$")


def key_id_of(token):
    return token.split("$", 2)[1] if is_ciphertext(token) else None


def encrypt(plaintext, context):
    """`plaintext` sealed with the newest key, bound to `context` (the column)."""
    (kid, key), *_ = keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(f"{kid}|{context}".encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return f"{PREFIX}${kid}${base64.b64encode(nonce + body + encryptor.tag).decode()}"


def decrypt(token, context):
    """The plaintext of a stored value; DataKeyError if no configured key opens it."""
    try:
        prefix, kid, encoded = token.split("$", 2)
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        raise DataKeyError(f"{context}：不是有效的加密数据") from None
    if prefix != PREFIX or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DataKeyError(f"{context}：不是有效的加密数据")
    key = keyring()[1].get(kid)
    if key is None:
        raise DataKeyError(f"{context}：数据由密钥 {kid} 加密，但 TONGBAN_DATA_KEYS 中没有该密钥")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(f"{kid}|{context}".encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag:
        raise DataKeyError(f"{context}：密钥 {kid} 无法解密（密钥错误或数据被篡改）") from None


def normalise_code(value):
    """ID numbers are compared without spaces and with an upper-case check digit X."""
    return "".join((value or "").split()).upper()


def lookup_hash(value):
    """The keyed hash that finds a resident ID number (or credit code) again:
    HMAC-SM3 (GB/T 32905-2016), from cryptography's own OpenSSL so that every
    machine computes the same hash."""
    value = normalise_code(value)
    if not value:
        return ""
    mac = crypto_hmac.HMAC(keyring()[2], hashes.SM3())
    mac.update(value.encode())
    return mac.finalize().hex()


def fingerprint(value, context):
    """A short keyed digest that tells the audit log a value changed without showing it."""
    if not value:
        return ""
    mac = crypto_hmac.HMAC(keyring()[2], hashes.SM3())
    mac.update(f"audit|{context}|{value}".encode())
    return mac.finalize().hex()[:8]
