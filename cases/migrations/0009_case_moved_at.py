"""The case's last move (最近办理时间): the time of its newest event, kept on
the row by the services so the worklist orders without reading the event log.
Existing cases take it from their events."""

from django.db import migrations, models

BACKFILL = """
UPDATE cases_case SET moved_at = (
    SELECT MAX(e.at) FROM cases_caseevent e WHERE e.case_id = cases_case.id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_personal_data_encrypted"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="moved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近办理时间"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["at_window", "-moved_at"], name="cases_case_desk_moved_idx"),
        ),
    ]
