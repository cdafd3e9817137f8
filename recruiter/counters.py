"""The notes' counters (per-seat note count and last activity, notes per quarter hour),
recomputed from the notes in two statements.

Triggers and the sync's merge keep them exact as notes are written (migrations
*_note_counters and *_note_counters_in_the_merge). This is for writers that bypass both on
purpose, such as a bulk SQL load that sets recruiter.counted_by_writer (the page benchmark's
fill), and for an admin who wants to check them.
"""

from __future__ import annotations

from django.db import connections, transaction

SEATS = """
UPDATE recruiter_seat SET
    note_count = (SELECT count(*) FROM recruiter_prospectnote n
                  WHERE n.owner_id = recruiter_seat.id AND n.active),
    last_activity = (SELECT max(n.last_modified) FROM recruiter_prospectnote n
                     WHERE n.owner_id = recruiter_seat.id)
"""
BUCKET = {
    "postgresql": "to_timestamp(floor(extract(epoch FROM n.created) / 900) * 900)",
    "sqlite": "strftime('%Y-%m-%d %H:', n.created)"
    " || printf('%02d:00', (CAST(strftime('%M', n.created) AS INTEGER) / 15) * 15)",
}
BUCKETS = """
INSERT INTO recruiter_notebucket (start, count)
SELECT {bucket}, count(*) FROM recruiter_prospectnote n WHERE n.created IS NOT NULL GROUP BY 1
"""


def recount(using: str = "default") -> None:
    """Recompute every counter from the notes, in one transaction."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(SEATS)
        cursor.execute("DELETE FROM recruiter_notebucket")
        cursor.execute(BUCKETS.format(bucket=BUCKET[connection.vendor]))
