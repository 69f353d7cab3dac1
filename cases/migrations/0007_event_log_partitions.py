"""PostgreSQL only: the event log becomes a table partitioned by month
(cases/partitions.py says how Django still sees it). SQLite is unchanged."""

from django.db import migrations

TABLE = "cases_caseevent"
OLD = "cases_caseevent_unpartitioned"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from cases import partitions

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{OLD}"')
        # the indexes and foreign keys to make again, under their own names
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
            [OLD, OLD],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f'",
            [OLD],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(f'CREATE TABLE "{TABLE}" (LIKE "{OLD}" INCLUDING DEFAULTS) PARTITION BY RANGE (day)')
        # identity columns cannot be on a partitioned table before PostgreSQL 17: a sequence it owns
        cursor.execute(f'ALTER TABLE "{TABLE}" ALTER COLUMN id DROP IDENTITY IF EXISTS')
        cursor.execute(f'CREATE TABLE "{partitions.DEFAULT}" PARTITION OF "{TABLE}" DEFAULT')
        cursor.execute(f'SELECT MIN(day), MAX(day) FROM "{OLD}"')
        first, last = cursor.fetchone()
    partitions.ensure(since=first, until=last and max(last, partitions.next_month(last)))
    partitions.ensure()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "{OLD}"')
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{OLD}"')
        top = cursor.fetchone()[0]
        cursor.execute(f'DROP TABLE "{OLD}"')
        cursor.execute(f'CREATE SEQUENCE "{TABLE}_id_seq" OWNED BY "{TABLE}".id')
        cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s, %s)", [max(top, 1), top > 0])
        cursor.execute(f"ALTER TABLE \"{TABLE}\" ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY (id, day)')
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "case_event_seq_unique" UNIQUE (case_id, seq, day)')
        for name, definition in indexes:
            cursor.execute(
                definition.replace(f" ON public.{OLD} ", f" ON public.{TABLE} ").replace(f" ON {OLD} ", f" ON {TABLE} ")
            )
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_summary_stamp")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
