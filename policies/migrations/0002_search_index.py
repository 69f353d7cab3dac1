"""The full-text index over SearchEntry.tokens: SQLite FTS5 on the embedded
database, a GIN index on PostgreSQL. Filled in by policies.search."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = []
