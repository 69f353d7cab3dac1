# Personal data encrypted at rest (issue 16, core.crypto): phone numbers and
# mail addresses become ciphertext, existing rows sealed in place.

import core.personal
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="address",
            field=core.personal.EncryptedCharField(mask="phone", max_length=120, verbose_name="发送地址"),
        ),
        migrations.AlterField(
            model_name="smsstandin",
            name="phone",
            field=core.personal.EncryptedCharField(mask="phone", max_length=20, verbose_name="手机号"),
        ),
        core.personal.sealing("messaging_delivery", ["address"]),
        core.personal.sealing("messaging_smsstandin", ["phone"]),
    ]
