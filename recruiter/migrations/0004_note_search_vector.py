"""Full-text search reads a stored vector, filled by a job after each sync (PostgreSQL only).

Computing to_tsvector inside the sync's insert (the expression index of 0002) cost more than
the rest of the write together: about 5 s of PostgreSQL time per 100,000 notes. Like Zulip, we
store the vector in a column that recruiter.search.index_pending_notes fills after the sync, and
search both it and, for the few notes not indexed yet, the text itself (a partial index finds
those). The column stays out of the Django model so that listing notes never loads it.
"""

from __future__ import annotations

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS recruiter_note_text_fts",
    "ALTER TABLE recruiter_prospectnote ADD COLUMN search_vector tsvector",
    "UPDATE recruiter_prospectnote SET search_vector = to_tsvector('simple'::regconfig, text)",
    # Partial: a note the sync just wrote (NULL vector) costs the GIN index nothing.
    "CREATE INDEX recruiter_note_search ON recruiter_prospectnote USING gin (search_vector) "
    "WHERE search_vector IS NOT NULL",
    "CREATE INDEX recruiter_note_unindexed ON recruiter_prospectnote (id) "
    "WHERE search_vector IS NULL",
]
BACKWARD = [
    "DROP INDEX IF EXISTS recruiter_note_unindexed",
    "DROP INDEX IF EXISTS recruiter_note_search",
    "ALTER TABLE recruiter_prospectnote DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS recruiter_note_text_fts ON recruiter_prospectnote "
    "USING gin (to_tsvector('simple'::regconfig, text))",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("recruiter", "0003_note_bulk_write")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
