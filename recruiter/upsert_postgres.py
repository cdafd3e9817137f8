"""The PostgreSQL note writer: binary COPY into a temporary table, one merge statement per batch.

The rules it applies are recruiter/upsert.py's. What is particular here is speed:
- a batch travels as binary COPY (psycopg formats the rows in C) into a temporary table, and
  one INSERT ... SELECT ... ON CONFLICT merges it;
- seats and prospects are resolved to ids before the COPY (usually from memory), so the merge
  joins nothing.
Measured and left out: merging each batch in two halves through two sessions at once (the
machine's two cores are already shared by the fetch, the API and this session: it cost a fifth
more CPU and ran slower); loading the next batch through a second session, from a thread,
while this one merges the batch before (about 5% faster, within the machine's noise, for a
second connection, a thread and a shared stage table); INSERT ... WHERE NOT EXISTS instead of
ON CONFLICT (the saving of the speculative insertion is eaten by the extra probe of the unique
index).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.backends.utils import CursorWrapper

from linkedin import ProspectNote
from recruiter.upsert import DELETED_BY_SYNC, NoteWriter, PageCounts, clean_text

PG_CREATE_STAGE = """
CREATE TEMPORARY TABLE IF NOT EXISTS recruiter_note_stage (
    linkedin_id bigint NOT NULL,
    owner_id bigint,
    prospect_id bigint,
    text text NOT NULL,
    created bigint NOT NULL,
    last_modified bigint NOT NULL,
    active boolean NOT NULL
) ON COMMIT DELETE ROWS
"""

# Binary COPY: psycopg formats each row in C (a tenth of the Python time of building COPY text
# with escapes), and PostgreSQL reads the binary fields without parsing text.
PG_COPY = (
    "COPY recruiter_note_stage (linkedin_id, owner_id, prospect_id, text, created,"
    " last_modified, active) FROM STDIN (FORMAT BINARY)"
)
PG_COPY_TYPES = ("int8", "int8", "int8", "text", "int8", "int8", "bool")
# Seat and prospect ids a writer keeps between batches (two dicts of at most this many URNs).
MAX_REMEMBERED_URNS = 100_000

# The seats and prospects a batch names, created when new, and all their ids: one round trip.
# NOT EXISTS first: most URNs are known after the first pages, and a speculative insertion that
# conflicts costs far more than an index probe. A URN that another transaction inserts between
# this statement's snapshot and its INSERT is neither inserted nor seen: the caller asks again.
PG_RESOLVE = """
WITH seat_urns AS (
    SELECT DISTINCT unnest(%(seats)s::text[]) AS urn
), member_urns AS (
    SELECT DISTINCT unnest(%(members)s::text[]) AS urn
), new_seats AS (
    INSERT INTO recruiter_seat (contract_id, urn, name)
    SELECT %(contract)s, u.urn, '' FROM seat_urns u
    WHERE NOT EXISTS (
        SELECT 1 FROM recruiter_seat s WHERE s.contract_id = %(contract)s AND s.urn = u.urn
    )
    ON CONFLICT (contract_id, urn) DO NOTHING
    RETURNING urn, id
), new_prospects AS (
    INSERT INTO recruiter_prospect (urn, name)
    SELECT u.urn, '' FROM member_urns u
    WHERE NOT EXISTS (SELECT 1 FROM recruiter_prospect m WHERE m.urn = u.urn)
    ON CONFLICT (urn) DO NOTHING
    RETURNING urn, id
)
SELECT true, urn, id FROM new_seats
UNION ALL
SELECT true, s.urn, s.id FROM recruiter_seat s
WHERE s.contract_id = %(contract)s AND s.urn = ANY(%(seats)s::text[])
UNION ALL
SELECT false, urn, id FROM new_prospects
UNION ALL
SELECT false, m.urn, m.id FROM recruiter_prospect m WHERE m.urn = ANY(%(members)s::text[])
"""

# Sent as one string (psycopg's client-side binding cursor takes several statements per call):
# one round trip for the whole merge.
#
# synchronous_commit is off (see relax_commit): a crash can lose the last pages written, and
# then the watermark committed after them too, so the next run simply fetches them again.
#
# The merge ends by emptying the stage (TRUNCATE: a DELETE ... RETURNING of the rows cost a
# fifth of the merge) instead of relying on ON COMMIT DELETE ROWS alone, which never fires
# while an outer transaction is open (tests).
# Timestamps travel as epoch ms; float8 seconds are exact to the microsecond for any date a
# note can have (2^53 microseconds is the year 2255), so to_timestamp() keeps the millisecond.
PG_MERGE = """
SET LOCAL synchronous_commit TO OFF;
SET LOCAL recruiter.counted_by_writer TO 'on';
WITH written AS (
    INSERT INTO recruiter_prospectnote AS n (
        contract_id, linkedin_id, owner_id, prospect_id, text, created, last_modified,
        active, deleted_at, deleted_by, first_synced_at, last_synced_at
    )
    SELECT %(contract)s, p.linkedin_id, p.owner_id, p.prospect_id, p.text,
           to_timestamp(p.created::float8 / 1000), to_timestamp(p.last_modified::float8 / 1000),
           p.active,
           CASE WHEN p.active THEN NULL ELSE %(now)s::timestamptz END,
           CASE WHEN p.active THEN '' ELSE %(deleted_by)s END,
           %(now)s, %(now)s
    FROM recruiter_note_stage p
    ON CONFLICT (contract_id, linkedin_id) DO UPDATE SET
        owner_id = EXCLUDED.owner_id,
        prospect_id = EXCLUDED.prospect_id,
        text = EXCLUDED.text,
        created = EXCLUDED.created,
        last_modified = EXCLUDED.last_modified,
        active = EXCLUDED.active AND n.deleted_at IS NULL,
        deleted_at = COALESCE(n.deleted_at, EXCLUDED.deleted_at),
        deleted_by = CASE WHEN n.deleted_at IS NULL THEN EXCLUDED.deleted_by
                          ELSE n.deleted_by END,
        first_synced_at = COALESCE(n.first_synced_at, EXCLUDED.first_synced_at),
        last_synced_at = EXCLUDED.last_synced_at,
        -- Edits are few: an edited text gets its search vector here (recruiter.search).
        search_vector = CASE WHEN n.text = EXCLUDED.text THEN n.search_vector
                             ELSE recruiter_note_vector(EXCLUDED.text) END
    WHERE (n.last_modified IS NULL OR EXCLUDED.last_modified > n.last_modified)
        AND n.purged_at IS NULL
    RETURNING n.id, (xmax = 0) AS inserted, COALESCE(deleted_at = %(now)s, false) AS deleted_now,
              n.owner_id, n.active, n.created, n.last_modified
), pending AS (
    -- The ids the batch inserted, for recruiter.search to index (and search until then).
    INSERT INTO recruiter_searchbacklog (lo, hi)
    SELECT min(id), max(id) FROM written WHERE inserted HAVING count(*) > 0
), seat_counts AS (
    -- The inserted notes' share of the per-seat counters (the notes' row trigger skips the
    -- merge's inserts; its updates are counted by the update trigger, migration
    -- *_note_counters_in_the_merge): one aggregate over the batch, no transition table.
    UPDATE recruiter_seat s
    SET note_count = s.note_count + d.n, last_activity = GREATEST(s.last_activity, d.last)
    FROM (
        SELECT owner_id, count(*) FILTER (WHERE active) AS n, max(last_modified) AS last
        FROM written WHERE inserted AND owner_id IS NOT NULL GROUP BY owner_id
    ) d
    WHERE s.id = d.owner_id
), buckets AS (
    INSERT INTO recruiter_notebucket (start, count)
    SELECT to_timestamp(floor(extract(epoch FROM created) / 900) * 900), count(*)
    FROM written WHERE inserted AND created IS NOT NULL GROUP BY 1
    -- In order: the buckets are shared by all contracts, and two syncs locking them in
    -- different orders deadlock (the cluster test found it).
    ORDER BY 1
    ON CONFLICT (start) DO UPDATE SET count = recruiter_notebucket.count + EXCLUDED.count
)
SELECT count(*) FILTER (WHERE inserted),
       count(*) FILTER (WHERE NOT inserted AND NOT deleted_now),
       count(*) FILTER (WHERE NOT inserted AND deleted_now)
FROM written;
TRUNCATE recruiter_note_stage;
SET LOCAL recruiter.counted_by_writer TO 'off'
"""


class PostgresNoteWriter(NoteWriter):
    def __init__(self, contract_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
        super().__init__(contract_id, using)
        # Temporary tables live as long as the session: created once per writer (IF NOT
        # EXISTS: the session may have one from an earlier run), not once per page.
        with self.connection.cursor() as cursor:
            cursor.execute(PG_CREATE_STAGE)
        self._seat_ids: dict[str, int] = {}
        self._prospect_ids: dict[str, int] = {}

    def _write(self, notes: Collection[ProspectNote], now: datetime) -> PageCounts:
        params = {"contract": self.contract_id, "now": now, "deleted_by": DELETED_BY_SYNC}
        with self.connection.cursor() as cursor:
            seats, prospects = self._resolve(cursor, notes)
            with cursor.copy(PG_COPY) as copy:
                copy.set_types(PG_COPY_TYPES)
                write_row, clean = copy.write_row, clean_text
                for n in notes:
                    write_row(
                        (
                            n.id,
                            seats.get(n.owner),
                            prospects.get(n.member),
                            clean(n.note),
                            n.created,
                            n.last_modified,
                            n.active,
                        )
                    )
            cursor.execute(PG_MERGE, params)
            cursor.nextset()  # past the two SET LOCAL, to the merge's counts
            cursor.nextset()
            created, updated, deactivated = cursor.fetchone()
            while cursor.nextset():
                pass
        changed = created + updated + deactivated
        return PageCounts(created, updated, deactivated, len(notes) - changed)

    def _resolve(
        self, cursor: CursorWrapper, notes: Collection[ProspectNote]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """The ids of the batch's seats and prospects (URN -> id), created where new.

        Ids are remembered across batches only once the transaction that read or created them
        has committed: a remembered id of a seat whose insert was rolled back would point
        nowhere (the note table has no foreign key constraints). After the first pages of a
        run most batches name no new URN and cost no query at all.
        """
        seats, prospects = self._seat_ids, self._prospect_ids
        owners = {n.owner for n in notes} - seats.keys() - {""}
        members = {n.member for n in notes} - prospects.keys() - {""}
        if not owners and not members:
            return seats, prospects
        wanted_seats = {clean_text(urn) for urn in owners}
        wanted_members = {clean_text(urn) for urn in members}
        seat_ids: dict[str, int] = {}
        prospect_ids: dict[str, int] = {}
        for _ in range(3):
            params = {
                "contract": self.contract_id,
                "seats": sorted(wanted_seats - seat_ids.keys()),
                "members": sorted(wanted_members - prospect_ids.keys()),
            }
            cursor.execute(PG_RESOLVE, params)
            for is_seat, urn, pk in cursor.fetchall():
                (seat_ids if is_seat else prospect_ids)[urn] = pk
            if seat_ids.keys() >= wanted_seats and prospect_ids.keys() >= wanted_members:
                break
        else:
            raise RuntimeError("seats or prospects vanished while the sync was creating them")
        # Keyed by the URNs as the notes carry them, for the COPY loop.
        new_seats = {urn: seat_ids[clean_text(urn)] for urn in owners}
        new_prospects = {urn: prospect_ids[clean_text(urn)] for urn in members}
        transaction.on_commit(lambda: self._remember(new_seats, new_prospects), using=self.using)
        return seats | new_seats, prospects | new_prospects

    def _remember(self, seats: dict[str, int], prospects: dict[str, int]) -> None:
        for known, new in ((self._seat_ids, seats), (self._prospect_ids, prospects)):
            if len(known) + len(new) > MAX_REMEMBERED_URNS:
                known.clear()  # a bound on memory; the next batches read them again
            known.update(new)
