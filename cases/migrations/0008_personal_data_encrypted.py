# Personal data encrypted at rest (issue 16, core.crypto): the columns become
# text for the ciphertext, existing rows are sealed in place, and the codes get
# keyed-hash columns to be found by (indexed once filled).

import core.personal
from django.db import migrations


def seal_events(apps, schema_editor):
    """A handover's address and a consultation's phone inside event data (cases.personal)."""
    from cases.personal import seal_event_data

    _rewrite_events(apps, seal_event_data)


def unseal_events(apps, schema_editor):
    from cases.personal import EVENT_FIELDS, event_value

    _rewrite_events(apps, lambda data: {k: event_value(data, k) if k in EVENT_FIELDS else v for k, v in data.items()})


def _rewrite_events(apps, change):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    rows = CaseEvent.objects.filter(kind__in=["handover", "consult"]).values_list("id", "data")
    for pk, data in rows.iterator(chunk_size=5000):
        new = change(data or {})
        if new != (data or {}):
            CaseEvent.objects.filter(pk=pk).update(data=new)


def _hash(source, verbose_name, **kwargs):
    return core.personal.LookupHashField(source=source, verbose_name=verbose_name, **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_event_log_partitions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="applicant_code",
            field=core.personal.EncryptedCharField(mask="code", max_length=18, verbose_name="申请人证件号码"),
        ),
        migrations.AlterField(
            model_name="case",
            name="contact_phone",
            field=core.personal.EncryptedCharField(blank=True, mask="phone", max_length=20, verbose_name="联系电话"),
        ),
        migrations.AlterField(
            model_name="case",
            name="delivery_address",
            field=core.personal.EncryptedCharField(blank=True, mask="address", max_length=200, verbose_name="邮寄地址"),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="holder_code",
            field=core.personal.EncryptedCharField(mask="code", max_length=18, verbose_name="持证主体代码"),
        ),
        migrations.AddField(
            model_name="case",
            name="applicant_code_hash",
            field=_hash("applicant_code", "申请人证件号码检索散列"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="holder_code_hash",
            field=_hash("holder_code", "持证主体代码检索散列"),
        ),
        core.personal.sealing(
            "cases_case",
            ["applicant_code", "contact_phone", "delivery_address"],
            {"applicant_code_hash": "applicant_code"},
        ),
        core.personal.sealing("cases_certificate", ["holder_code"], {"holder_code_hash": "holder_code"}),
        migrations.RunPython(seal_events, unseal_events),
        migrations.AlterField(
            model_name="case",
            name="applicant_code_hash",
            field=_hash("applicant_code", "申请人证件号码检索散列", db_index=True),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="holder_code_hash",
            field=_hash("holder_code", "持证主体代码检索散列", db_index=True),
        ),
    ]
