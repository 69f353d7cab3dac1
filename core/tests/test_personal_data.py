"""Personal data at rest (issue 16, core.crypto and core.personal): SM4-GCM
ciphertext with a key id in the row, keyed-hash lookups, key rotation by
`manage.py rotate_data_key`, and refusal on a missing or wrong key."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from accounts.demo import make_resident_id
from accounts.models import Person, User
from core import crypto, masking
from core.models import AuditEntry
from core.personal import matching

ROOT = Path(__file__).resolve().parents[2]
RESIDENT_ID = make_resident_id("510104", "19900101", "321")
OLD = "k1:" + base64.b64encode(b"0123456789abcdef").decode()
NEW = "k2:" + base64.b64encode(b"fedcba9876543210").decode()
HASH_KEY = base64.b64encode(b"h" * 32).decode()
DEV = crypto.DEV_KEYS  # the demo accounts loaded for every test were sealed with it


def _stored(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings):
    """Keys from the environment: k1 encrypts; the development key (the demo
    accounts') still decrypts, and the hash key stays the one they were hashed with."""
    settings.TONGBAN_DATA_KEYS, settings.TONGBAN_DATA_HASH_KEY = f"{OLD},{DEV}", crypto.DEV_HASH_KEY
    return settings


def test_round_trip_binds_the_column_and_refuses_tampering():
    token = crypto.encrypt(RESIDENT_ID, "accounts_person.resident_id")
    assert token.startswith("sm4g$dev$") and RESIDENT_ID not in token
    assert crypto.decrypt(token, "accounts_person.resident_id") == RESIDENT_ID
    assert crypto.encrypt(RESIDENT_ID, "accounts_person.resident_id") != token  # a fresh nonce each time
    with pytest.raises(crypto.DataKeyError, match="无法解密"):
        crypto.decrypt(token, "cases_case.contact_phone")  # moved to another column
    raw = bytearray(base64.b64decode(token.split("$")[2]))
    raw[15] ^= 1
    forged = "sm4g$dev$" + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(crypto.DataKeyError, match="数据被篡改"):
        crypto.decrypt(forged, "accounts_person.resident_id")


@pytest.mark.django_db
def test_the_person_row_holds_no_plaintext_and_is_found_by_its_hash(keys):
    person = Person.objects.create(name="郑敏", resident_id=RESIDENT_ID, phone="13700001111")
    stored_id = _stored("accounts_person", "resident_id", person.pk)
    stored_phone = _stored("accounts_person", "phone", person.pk)
    assert stored_id.startswith("sm4g$k1$") and RESIDENT_ID not in stored_id
    assert "13700001111" not in stored_phone
    assert _stored("accounts_person", "resident_id_hash", person.pk) == crypto.lookup_hash(RESIDENT_ID)
    assert Person.objects.get(matching("resident_id", RESIDENT_ID.lower())).phone == "13700001111"
    with pytest.raises(FieldError, match="已加密存储"):
        Person.objects.filter(resident_id=RESIDENT_ID).exists()


@pytest.mark.django_db
def test_a_second_person_with_the_same_id_number_is_refused(keys):
    from django.db import IntegrityError, transaction

    Person.objects.create(name="郑敏", resident_id=RESIDENT_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="冒名", resident_id=RESIDENT_ID)


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_newest_key_and_old_keys_still_decrypt(keys, demo_user):
    person = Person.objects.create(name="郑敏", resident_id=RESIDENT_ID, phone="13700001111")
    staff = demo_user("clerk")
    User.objects.filter(pk=staff.pk).update(phone="13600002222")

    keys.TONGBAN_DATA_KEYS = f"{NEW},{OLD},{DEV}"  # k2 first: new writes use it, k1 rows still open
    assert Person.objects.get(pk=person.pk).resident_id == RESIDENT_ID
    assert _stored("accounts_person", "resident_id", person.pk).startswith("sm4g$k1$")

    call_command("rotate_data_key", stdout=open(os.devnull, "w"))
    assert _stored("accounts_person", "resident_id", person.pk).startswith("sm4g$k2$")
    assert _stored("accounts_user", "phone", staff.pk).startswith("sm4g$k2$")
    entries = AuditEntry.objects.filter(action="rotate_data_key")
    assert entries.filter(object_id="accounts_person").exists()
    assert all(e.actor_id is None and e.actor_label == "系统：数据密钥轮换" for e in entries)

    # Again: nothing left to do, nothing written, nothing more audited (idempotent, resumable).
    count = entries.count()
    call_command("rotate_data_key", stdout=open(os.devnull, "w"))
    assert AuditEntry.objects.filter(action="rotate_data_key").count() == count

    keys.TONGBAN_DATA_KEYS = NEW  # the old key retired
    fresh = Person.objects.get(matching("resident_id", RESIDENT_ID))
    assert (fresh.resident_id, fresh.phone) == (RESIDENT_ID, "13700001111")


@pytest.mark.django_db
def test_a_row_sealed_with_a_key_no_longer_configured_is_refused_clearly(keys):
    person = Person.objects.create(name="郑敏", resident_id=RESIDENT_ID)
    keys.TONGBAN_DATA_KEYS = f"{NEW},{DEV}"  # k1 dropped before rotating
    with pytest.raises(crypto.DataKeyError, match="密钥 k1"):
        Person.objects.get(pk=person.pk)
    keys.TONGBAN_DATA_KEYS = "k1:" + base64.b64encode(b"wrong-key-16byte").decode() + f",{DEV}"  # wrong k1
    with pytest.raises(crypto.DataKeyError, match="无法解密"):
        Person.objects.get(pk=person.pk)


def test_malformed_keys_are_refused_with_the_setting_named():
    for text, message in (
        ("k1:short", "base64"),
        ("k1:" + base64.b64encode(b"x" * 8).decode(), "16字节"),
        ("bad id:" + base64.b64encode(b"x" * 16).decode(), "密钥标识"),
        (f"{OLD},{OLD}", "重复"),
    ):
        with pytest.raises(crypto.DataKeyError, match=message):
            crypto.parse_keys(text)


def _manage(args, env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_DATA")}
    environ.update({"TONGBAN_VAR_DIR": "/tmp/tongban-check", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300
    )


def test_production_refuses_to_start_without_data_keys():
    result = _manage(["check"], {"TONGBAN_HTTPS": "1"})
    assert result.returncode != 0 and "TONGBAN_DATA_KEYS" in result.stderr
    result = _manage(["check"], {"TONGBAN_DATA_KEYS": "k1:not-a-key!", "TONGBAN_DATA_HASH_KEY": HASH_KEY})
    assert result.returncode != 0 and "密钥 k1 不是有效的 base64" in result.stderr
    result = _manage(["check", "--deploy", "--tag", "security"], {})
    assert "tongban.E001" in result.stdout + result.stderr  # the development keys in use
    ok = _manage(["check"], {"TONGBAN_HTTPS": "1", "TONGBAN_DATA_KEYS": NEW, "TONGBAN_DATA_HASH_KEY": HASH_KEY})
    assert ok.returncode == 0, ok.stderr


def test_masks():
    assert masking.mask(RESIDENT_ID, masking.ID) == RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:]
    assert masking.mask("13912345678", masking.PHONE) == "139****5678"
    assert masking.mask("028-86012345", masking.PHONE) == "028*****2345"
    assert masking.mask("6123", masking.PHONE) == "****"
    assert masking.mask("成都市武侯区人民南路四段11号", masking.ADDRESS) == "成都市武侯区******"
    assert masking.mask("", masking.PHONE) == ""
