"""Full-text search over fiches, as over messages (backend/search/migrations/0001_initial):
a GIN index with the ``preau_french`` configuration on PostgreSQL, an FTS5 table of French stems
on SQLite."""

from django.db import migrations

PG_UP = [
    "CREATE INDEX IF NOT EXISTS fiches_fiche_search_idx ON fiches_fiche "
    "USING gin (to_tsvector('preau_french'::regconfig, COALESCE(search_text, '')))",
]
PG_DOWN = ["DROP INDEX IF EXISTS fiches_fiche_search_idx"]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS fiches_fiche_fts USING fts5(content, tokenize='unicode61')"
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS fiches_fiche_fts"]


def _run(statements_by_vendor):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("fiches", "0001_fiches"), ("search", "0001_initial")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
