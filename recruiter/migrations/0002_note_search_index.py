"""The GIN index behind the notes search (recruiter/search.py), on PostgreSQL only.

SQLite has no GIN index and searches with icontains, so the SQL runs only where the connection
is PostgreSQL. Replaced by a stored vector column in 0004.
"""

from __future__ import annotations

from django.db import migrations

INDEX = "recruiter_note_text_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON recruiter_prospectnote "
        "USING gin (to_tsvector('simple'::regconfig, text))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("recruiter", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
