# Personal data encrypted at rest (issue 16, core.crypto): the columns become
# text for the ciphertext, existing rows are sealed in place, and the resident
# ID's uniqueness moves to its keyed hash.

import core.personal
import core.validators
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_assurance_and_agent_scopes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=core.personal.EncryptedCharField(blank=True, mask="phone", max_length=20, verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="person",
            name="resident_id",
            field=core.personal.EncryptedCharField(
                mask="id",
                max_length=18,
                validators=[core.validators.validate_resident_id],
                verbose_name="身份证号",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=core.personal.EncryptedCharField(blank=True, mask="phone", max_length=20, verbose_name="手机号"),
        ),
        migrations.AddField(
            model_name="person",
            name="resident_id_hash",
            field=core.personal.LookupHashField(source="resident_id", verbose_name="身份证号检索散列"),
        ),
        core.personal.sealing("accounts_person", ["resident_id", "phone"], {"resident_id_hash": "resident_id"}),
        core.personal.sealing("accounts_user", ["phone"]),
        migrations.AlterField(
            model_name="person",
            name="resident_id_hash",
            field=core.personal.LookupHashField(source="resident_id", unique=True, verbose_name="身份证号检索散列"),
        ),
    ]
