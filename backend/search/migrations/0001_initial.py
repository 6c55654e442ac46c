"""Full-text search structures, per database vendor.

PostgreSQL: a ``preau_french`` text search configuration (accents removed, then the French
Snowball stemmer) and a GIN index over messages' search text. SQLite: an FTS5 table holding
the stems computed in Python (backend/search/text.py), since SQLite has no French stemmer.
"""

from django.db import migrations

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DO $$ BEGIN "
    "IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'preau_french') THEN "
    "CREATE TEXT SEARCH CONFIGURATION preau_french (COPY = french); "
    "ALTER TEXT SEARCH CONFIGURATION preau_french "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem; "
    "END IF; END $$",
    "CREATE INDEX IF NOT EXISTS messaging_message_search_idx ON messaging_message "
    "USING gin (to_tsvector('preau_french'::regconfig, COALESCE(search_text, '')))",
]
PG_DOWN = ["DROP INDEX IF EXISTS messaging_message_search_idx"]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_message_fts USING fts5(content, tokenize='unicode61')"
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS search_message_fts"]


def _run(statements_by_vendor):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from backend.search.indexing import document_text
    from backend.search.text import index_text

    Message = apps.get_model("messaging", "Message")
    sqlite = schema_editor.connection.vendor == "sqlite"
    for message in Message.objects.filter(deleted_at__isnull=True).iterator():
        message.search_text = document_text(message.body, message.documents or [])
        message.save(update_fields=["search_text"])
        if sqlite:
            schema_editor.execute(
                "INSERT INTO search_message_fts (rowid, content) VALUES (%s, %s)",
                [message.pk, index_text(message.search_text)],
            )


class Migration(migrations.Migration):
    initial = True
    dependencies = [("messaging", "0004_search_text")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": PG_DOWN, "sqlite": SQLITE_DOWN}),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
