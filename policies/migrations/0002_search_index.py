"""The full-text index over SearchEntry.tokens: SQLite FTS5 on the embedded
database, a GIN index on PostgreSQL. Filled in by policies.search.

SQLite: an external-content FTS5 table over the already segmented tokens
(unicode61 splits them at the spaces; remove_diacritics 0 keeps letters as
written), kept in step with policies_searchentry by triggers, so bulk inserts
and deletes need no extra code. PostgreSQL: a stored generated tsvector
column ('simple' configuration: no stemming, tokens as they are) with a GIN
index, so ranking does not re-parse the tokens of every match.
"""
from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE policies_searchentry_fts USING fts5(
        tokens, content='policies_searchentry', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0")""",
    """CREATE TRIGGER policies_searchentry_fts_ai AFTER INSERT ON policies_searchentry BEGIN
        INSERT INTO policies_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END""",
    """CREATE TRIGGER policies_searchentry_fts_ad AFTER DELETE ON policies_searchentry BEGIN
        INSERT INTO policies_searchentry_fts(policies_searchentry_fts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens); END""",
    """CREATE TRIGGER policies_searchentry_fts_au AFTER UPDATE ON policies_searchentry BEGIN
        INSERT INTO policies_searchentry_fts(policies_searchentry_fts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
        INSERT INTO policies_searchentry_fts(rowid, tokens) VALUES (new.id, new.tokens); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS policies_searchentry_fts_au",
    "DROP TRIGGER IF EXISTS policies_searchentry_fts_ad",
    "DROP TRIGGER IF EXISTS policies_searchentry_fts_ai",
    "DROP TABLE IF EXISTS policies_searchentry_fts",
]
POSTGRES = [
    """ALTER TABLE policies_searchentry ADD COLUMN tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED""",
    "CREATE INDEX policies_searchentry_tsv ON policies_searchentry USING gin (tsv)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS policies_searchentry_tsv",
    "ALTER TABLE policies_searchentry DROP COLUMN IF EXISTS tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}), elidable=False),
    ]
