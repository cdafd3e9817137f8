# Per-seat note counts and last activity, and notes created per quarter hour, kept exact by
# triggers on the notes table, whoever writes it (the sync's merge, push deletions, restores,
# erasures, the admin). On PostgreSQL they are statement-level triggers over transition
# tables: one aggregate per statement (per sync batch), not one seat update per note. SQLite
# (development, tests) has only row-level triggers, which cost it little.
#
# "Last activity" is the latest last_modified among the seat's notes, deleted ones included
# (a deletion is activity too): on insert and update it only grows, so no statement needs to
# look beyond the rows it wrote; a DELETE recomputes it for the seats it touched.

from __future__ import annotations

from django.db import migrations, models

PG_BUCKET = "to_timestamp(floor(extract(epoch FROM {0}.created) / 900) * 900)"

PG_SEAT_DELTA = """
UPDATE recruiter_seat s
SET note_count = s.note_count + d.n,
    last_activity = GREATEST(s.last_activity, d.last)
FROM (
    SELECT owner_id, sum(n) AS n, max(last) AS last FROM (
        {parts}
    ) x GROUP BY owner_id
) d
WHERE s.id = d.owner_id
  AND (d.n <> 0 OR GREATEST(s.last_activity, d.last) IS DISTINCT FROM s.last_activity);
"""
PG_BUCKET_DELTA = """
INSERT INTO recruiter_notebucket (start, count)
SELECT start, sum(n) FROM (
    {parts}
) x GROUP BY start HAVING sum(n) <> 0
ON CONFLICT (start) DO UPDATE SET count = recruiter_notebucket.count + EXCLUDED.count;
"""
NEW_SEATS = (
    "SELECT owner_id, count(*) FILTER (WHERE active) AS n, max(last_modified) AS last"
    " FROM new_rows WHERE owner_id IS NOT NULL GROUP BY owner_id"
)
OLD_SEATS = (
    "SELECT owner_id, -count(*) FILTER (WHERE active) AS n, NULL::timestamptz AS last"
    " FROM old_rows WHERE owner_id IS NOT NULL GROUP BY owner_id"
)
NEW_BUCKETS = (
    f"SELECT {PG_BUCKET.format('new_rows')} AS start, count(*) AS n"
    " FROM new_rows WHERE created IS NOT NULL GROUP BY 1"
)
OLD_BUCKETS = (
    f"SELECT {PG_BUCKET.format('old_rows')} AS start, -count(*) AS n"
    " FROM old_rows WHERE created IS NOT NULL GROUP BY 1"
)
PG_DELETE_LAST = """
UPDATE recruiter_seat s
SET last_activity = (SELECT max(n.last_modified) FROM recruiter_prospectnote n
                     WHERE n.owner_id = s.id)
WHERE s.id IN (SELECT DISTINCT owner_id FROM old_rows);
"""


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$$;"
    )


def _union(*parts: str) -> str:
    return "\n        UNION ALL\n        ".join(parts)


PG_FORWARD = [
    _pg_function(
        "recruiter_note_inserted",
        PG_SEAT_DELTA.format(parts=NEW_SEATS) + PG_BUCKET_DELTA.format(parts=NEW_BUCKETS),
    ),
    _pg_function(
        "recruiter_note_updated",
        PG_SEAT_DELTA.format(parts=_union(NEW_SEATS, OLD_SEATS))
        + PG_BUCKET_DELTA.format(parts=_union(NEW_BUCKETS, OLD_BUCKETS)),
    ),
    _pg_function(
        "recruiter_note_deleted",
        PG_SEAT_DELTA.format(parts=OLD_SEATS)
        + PG_DELETE_LAST
        + PG_BUCKET_DELTA.format(parts=OLD_BUCKETS),
    ),
    "CREATE TRIGGER recruiter_note_inserted AFTER INSERT ON recruiter_prospectnote"
    " REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION recruiter_note_inserted()",
    "CREATE TRIGGER recruiter_note_updated AFTER UPDATE ON recruiter_prospectnote"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION recruiter_note_updated()",
    "CREATE TRIGGER recruiter_note_deleted AFTER DELETE ON recruiter_prospectnote"
    " REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION recruiter_note_deleted()",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS recruiter_note_inserted ON recruiter_prospectnote",
    "DROP TRIGGER IF EXISTS recruiter_note_updated ON recruiter_prospectnote",
    "DROP TRIGGER IF EXISTS recruiter_note_deleted ON recruiter_prospectnote",
    "DROP FUNCTION IF EXISTS recruiter_note_inserted()",
    "DROP FUNCTION IF EXISTS recruiter_note_updated()",
    "DROP FUNCTION IF EXISTS recruiter_note_deleted()",
]

# No INSERT OR IGNORE: inside a trigger the ON CONFLICT of the statement that fired it (the
# sync's upsert) overrides it. Django stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text, which sorts as time.
SQLITE_BUCKET = (
    "strftime('%Y-%m-%d %H:', {0}.created)"
    " || printf('%02d:00', (CAST(strftime('%M', {0}.created) AS INTEGER) / 15) * 15)"
)
SQLITE_ADD = """
UPDATE recruiter_seat SET note_count = note_count + NEW.active,
    last_activity = CASE WHEN last_activity IS NULL OR NEW.last_modified > last_activity
                         THEN NEW.last_modified ELSE last_activity END
WHERE id = NEW.owner_id;
INSERT INTO recruiter_notebucket (start, count)
SELECT {bucket}, 0 WHERE NEW.created IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM recruiter_notebucket WHERE start = {bucket});
UPDATE recruiter_notebucket SET count = count + 1
WHERE NEW.created IS NOT NULL AND start = {bucket};
""".format(bucket=SQLITE_BUCKET.format("NEW"))
SQLITE_REMOVE = """
UPDATE recruiter_seat SET note_count = note_count - OLD.active WHERE id = OLD.owner_id;
UPDATE recruiter_notebucket SET count = count - 1
WHERE OLD.created IS NOT NULL AND start = {bucket};
""".format(bucket=SQLITE_BUCKET.format("OLD"))
SQLITE_FORWARD = [
    f"CREATE TRIGGER recruiter_note_inserted AFTER INSERT ON recruiter_prospectnote"
    f" BEGIN {SQLITE_ADD} END",
    "CREATE TRIGGER recruiter_note_updated AFTER UPDATE ON recruiter_prospectnote"
    " WHEN OLD.active IS NOT NEW.active OR OLD.owner_id IS NOT NEW.owner_id"
    " OR OLD.created IS NOT NEW.created OR OLD.last_modified IS NOT NEW.last_modified"
    f" BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END",
    "CREATE TRIGGER recruiter_note_deleted AFTER DELETE ON recruiter_prospectnote"
    f" BEGIN {SQLITE_REMOVE}"
    " UPDATE recruiter_seat SET last_activity = (SELECT max(last_modified)"
    " FROM recruiter_prospectnote WHERE owner_id = OLD.owner_id) WHERE id = OLD.owner_id;"
    " END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS recruiter_note_inserted",
    "DROP TRIGGER IF EXISTS recruiter_note_updated",
    "DROP TRIGGER IF EXISTS recruiter_note_deleted",
]

# The counts of the notes already there, once.
BACKFILL_SEATS = """
UPDATE recruiter_seat SET
    note_count = (SELECT count(*) FROM recruiter_prospectnote n
                  WHERE n.owner_id = recruiter_seat.id AND n.active),
    last_activity = (SELECT max(n.last_modified) FROM recruiter_prospectnote n
                     WHERE n.owner_id = recruiter_seat.id)
"""
BACKFILL_BUCKETS = """
INSERT INTO recruiter_notebucket (start, count)
SELECT {bucket}, count(*) FROM recruiter_prospectnote n WHERE n.created IS NOT NULL GROUP BY 1
"""


def forward(apps, schema_editor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    bucket = PG_BUCKET.format("n") if postgres else SQLITE_BUCKET.format("n")
    statements = [BACKFILL_SEATS, BACKFILL_BUCKETS.format(bucket=bucket)]
    statements += PG_FORWARD if postgres else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in PG_BACKWARD if postgres else SQLITE_BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("recruiter", "0008_seat_holders")]

    operations = [
        migrations.CreateModel(
            name="NoteBucket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateTimeField(unique=True)),
                ("count", models.IntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="seat",
            name="note_count",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="seat",
            name="last_activity",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
