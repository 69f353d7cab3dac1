from django.db import migrations, models
from django.utils import timezone


def fill_days(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for event in CaseEvent.objects.filter(day__isnull=True).only("pk", "at").iterator(chunk_size=2000):
        CaseEvent.objects.filter(pk=event.pk).update(day=timezone.localdate(event.at))


class Migration(migrations.Migration):

    dependencies = [("cases", "0002_initial")]

    operations = [
        migrations.AddField(model_name="caseevent", name="day", field=models.DateField("日期", null=True)),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
        migrations.AlterField(model_name="caseevent", name="day", field=models.DateField("日期")),
        migrations.RemoveIndex(model_name="caseevent", name="cases_casee_kind_736884_idx"),
        migrations.AddIndex(model_name="caseevent",
                            index=models.Index(fields=["kind", "day"], name="cases_casee_kind_day_idx")),
    ]
