# The notes' counters on PostgreSQL without transition tables on the sync's path.
#
# Statement-level triggers capture every row a statement writes into a transition table: for
# the sync's merge that was a fifth more PostgreSQL time per note. Now the merge counts what it
# inserts itself, inside the same statement (recruiter/upsert_postgres.py), and marks its
# transaction so that the row-level INSERT trigger below skips its rows; every other insert
# (the ORM, a push tombstone, a script) is counted by that trigger. Updates are counted by a
# row-level trigger whose WHEN clause lets through only the rows whose counted columns changed
# (a deactivation, an edit's new last_modified), so the search indexing job's updates of
# search_vector alone cost nothing. Deletions keep the statement-level trigger (rare: erasure,
# the admin). SQLite keeps its row-level triggers.

from __future__ import annotations

from django.db import migrations

BUCKET = "to_timestamp(floor(extract(epoch FROM {0}.created) / 900) * 900)"
ADD_TO_BUCKET = """
IF {0}.created IS NOT NULL THEN
    INSERT INTO recruiter_notebucket (start, count) VALUES ({bucket}, {delta})
    ON CONFLICT (start) DO UPDATE SET count = recruiter_notebucket.count + EXCLUDED.count;
END IF;"""
ADD_TO_SEAT = """
UPDATE recruiter_seat
SET note_count = note_count + CASE WHEN NEW.active THEN 1 ELSE 0 END,
    last_activity = GREATEST(last_activity, NEW.last_modified)
WHERE id = NEW.owner_id;"""
REMOVE_FROM_SEAT = """
UPDATE recruiter_seat SET note_count = note_count - 1 WHERE id = OLD.owner_id AND OLD.active;"""


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$;"
    )


def _bucket(row: str, delta: int) -> str:
    return ADD_TO_BUCKET.format(row, bucket=BUCKET.format(row), delta=delta)


FORWARD = [
    "DROP TRIGGER IF EXISTS recruiter_note_inserted ON recruiter_prospectnote",
    "DROP TRIGGER IF EXISTS recruiter_note_updated ON recruiter_prospectnote",
    _function("recruiter_note_row_inserted", ADD_TO_SEAT + _bucket("NEW", 1)),
    _function(
        "recruiter_note_row_updated",
        REMOVE_FROM_SEAT
        + ADD_TO_SEAT
        + "\nIF OLD.created IS DISTINCT FROM NEW.created THEN"
        + _bucket("OLD", -1)
        + _bucket("NEW", 1)
        + "\nEND IF;",
    ),
    # The merge sets recruiter.counted_by_writer for its own statement (and resets it after).
    "CREATE TRIGGER recruiter_note_inserted AFTER INSERT ON recruiter_prospectnote"
    " FOR EACH ROW WHEN (current_setting('recruiter.counted_by_writer', true)"
    " IS DISTINCT FROM 'on')"
    " EXECUTE FUNCTION recruiter_note_row_inserted()",
    "CREATE TRIGGER recruiter_note_updated AFTER UPDATE ON recruiter_prospectnote"
    " FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active"
    " OR OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.created IS DISTINCT FROM NEW.created"
    " OR OLD.last_modified IS DISTINCT FROM NEW.last_modified)"
    " EXECUTE FUNCTION recruiter_note_row_updated()",
    "DROP FUNCTION IF EXISTS recruiter_note_inserted()",
    "DROP FUNCTION IF EXISTS recruiter_note_updated()",
]


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    before = import_module("recruiter.migrations.0009_note_counters")
    for sql in [
        "DROP TRIGGER IF EXISTS recruiter_note_inserted ON recruiter_prospectnote",
        "DROP TRIGGER IF EXISTS recruiter_note_updated ON recruiter_prospectnote",
        "DROP FUNCTION IF EXISTS recruiter_note_row_inserted()",
        "DROP FUNCTION IF EXISTS recruiter_note_row_updated()",
        *[sql for sql in before.PG_FORWARD if "deleted" not in sql],
    ]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("recruiter", "0013_contract_push_url")]

    operations = [migrations.RunPython(forward, backward)]
