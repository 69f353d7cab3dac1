# Personal data encrypted at rest (issue 16, core.crypto): a bundle
# application's form contents (names, ID numbers, phones, addresses) become
# one ciphertext; existing rows are sealed in place.

from django.db import migrations

import core.personal


class Migration(migrations.Migration):
    dependencies = [
        ("bundles", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="facts",
            field=core.personal.EncryptedJSONField(blank=True, default=dict, verbose_name="表单内容"),
        ),
        migrations.AlterField(
            model_name="applicationchild",
            name="facts",
            field=core.personal.EncryptedJSONField(blank=True, default=dict, verbose_name="传给本事项的表单内容"),
        ),
        core.personal.sealing("bundles_application", ["facts"]),
        core.personal.sealing("bundles_applicationchild", ["facts"]),
    ]
