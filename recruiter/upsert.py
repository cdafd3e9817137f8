"""Writing prospect notes: one bulk upsert per batch of pages, a fixed number of statements.

The rules, the same on both databases (tests/test_sync.py checks each):
- the key is (contract, LinkedIn id); a repeated id inside a batch keeps the newest
  lastModified, the later one on a tie (PostgreSQL's ON CONFLICT refuses to touch a row twice);
- a version updates the stored row only when its lastModified is newer than the stored one, or
  the stored one is NULL (a push tombstone written before the note was ever synced); an older
  or equal version changes nothing;
- ``active: false`` deletes: active=False, deleted_at=now, deleted_by="sync". Deletion is
  permanent: a row with deleted_at set keeps active=False whatever LinkedIn sends later;
- seats (per contract) and prospects are created as their URNs first arrive;
- a purged row (purged_at set: its member erased, or its text past retention) is never written
  again, and the notes of an erased member are left out of the batch altogether, so that
  neither their text nor their URN comes back (accounts.erasure).

No model instances and no query per note: on PostgreSQL the batch is COPYed into a temporary
table and merged by one INSERT ... SELECT ... ON CONFLICT (recruiter/upsert_postgres.py); on
SQLite it is one executemany of INSERT ... ON CONFLICT DO UPDATE ... WHERE. The caller
(recruiter/sync.py) decides how many pages a batch holds.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from accounts.erasure import ErasedMembers
from linkedin import ProspectNote
from recruiter.models import ProspectNote as NoteRow

DELETED_BY_SYNC = NoteRow.DeletedBy.SYNC.value

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = datetime(1970, 1, 1)


@dataclass
class PageCounts:
    """What one write did. ``unchanged`` counts distinct notes that were already up to date."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: PageCounts) -> PageCounts:
        self.created += other.created
        self.updated += other.updated
        self.deactivated += other.deactivated
        self.unchanged += other.unchanged
        return self


def newest_per_id(notes: Sequence[ProspectNote]) -> Collection[ProspectNote]:
    """One version per id: the newest lastModified, the later in the list on a tie."""
    if len({note.id for note in notes}) == len(notes):
        return notes
    kept: dict[int, ProspectNote] = {}
    for note in notes:
        old = kept.get(note.id)
        if old is None or note.last_modified >= old.last_modified:
            kept[note.id] = note
    return list(kept.values())


def ms_to_datetime(ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime, exactly (no float rounding)."""
    return EPOCH + timedelta(milliseconds=ms)


def clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; both backends store the same replacement.
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def relax_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Let the current transaction commit without waiting for its WAL flush (PostgreSQL).

    Safe for the sync: the WAL is replayed in order, so a crash can only lose a suffix of the
    commits, and a lost page or watermark is fetched again by the next run.
    """
    connection = connections[using]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


class NoteWriter:
    """Writes one contract's notes; make one per run with ``note_writer()``."""

    def __init__(self, contract_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
        self.contract_id = contract_id
        self.using = using
        self.connection = connections[using]
        self.erased = ErasedMembers(using)

    def write(self, notes: Sequence[ProspectNote], now: datetime) -> PageCounts:
        """Upsert a batch of notes in one transaction (the caller's, when it has one: no
        savepoint); say what changed. Notes of erased members count as unchanged."""
        unique = newest_per_id(notes)
        if not unique:
            return PageCounts()
        with transaction.atomic(using=self.using, savepoint=False):
            kept = self.erased.without_erased(unique)
            counts = self._write(kept, now) if kept else PageCounts()
            counts.unchanged += len(unique) - len(kept)
            return counts

    def _write(self, notes: Collection[ProspectNote], now: datetime) -> PageCounts:
        raise NotImplementedError


# --- SQLite -------------------------------------------------------------------------------------

SQLITE_SEATS = (
    "INSERT INTO recruiter_seat (contract_id, urn, name) VALUES (%s, %s, '') "
    "ON CONFLICT (contract_id, urn) DO NOTHING"
)
SQLITE_PROSPECTS = (
    "INSERT INTO recruiter_prospect (urn, name) VALUES (%s, '') ON CONFLICT (urn) DO NOTHING"
)
SQLITE_EXISTING = (
    # CAST: the text as stored and as SQLite compares it (the bare column is parsed by Django).
    "SELECT linkedin_id, CAST(last_modified AS TEXT), deleted_at IS NOT NULL, "
    "purged_at IS NOT NULL "
    "FROM recruiter_prospectnote "
    "WHERE contract_id = %s AND linkedin_id IN (SELECT value FROM json_each(%s))"
)
SQLITE_UPSERT = """
INSERT INTO recruiter_prospectnote AS n (
    contract_id, linkedin_id, owner_id, prospect_id, text, created, last_modified,
    active, deleted_at, deleted_by, first_synced_at, last_synced_at
) VALUES (
    %s, %s,
    (SELECT id FROM recruiter_seat WHERE contract_id = %s AND urn = %s),
    (SELECT id FROM recruiter_prospect WHERE urn = %s),
    %s, %s, %s, %s, %s, %s, %s, %s
)
ON CONFLICT (contract_id, linkedin_id) DO UPDATE SET
    owner_id = excluded.owner_id,
    prospect_id = excluded.prospect_id,
    text = excluded.text,
    created = excluded.created,
    last_modified = excluded.last_modified,
    active = excluded.active AND n.deleted_at IS NULL,
    deleted_at = COALESCE(n.deleted_at, excluded.deleted_at),
    deleted_by = CASE WHEN n.deleted_at IS NULL THEN excluded.deleted_by ELSE n.deleted_by END,
    first_synced_at = COALESCE(n.first_synced_at, excluded.first_synced_at),
    last_synced_at = excluded.last_synced_at
WHERE (n.last_modified IS NULL OR excluded.last_modified > n.last_modified)
    AND n.purged_at IS NULL
"""


class SqliteNoteWriter(NoteWriter):
    """SQLite has no COPY and no xmax: read the batch's stored versions first (one query; the
    IMMEDIATE transaction holds the write lock, so nothing changes in between), count in
    Python by the same rules, and upsert only the notes that change."""

    def _db_time(self, ms: int) -> str:
        """Epoch ms as the text Django stores for a DateTimeField, which SQLite compares."""
        if self.connection.timezone_name == "UTC":
            # What adapt_datetimefield_value() makes of the aware UTC datetime, without building
            # and converting one: most of the Python time of a SQLite write.
            return str(NAIVE_EPOCH + timedelta(milliseconds=ms))
        return self.connection.ops.adapt_datetimefield_value(ms_to_datetime(ms))

    def _write(self, notes: Collection[ProspectNote], now: datetime) -> PageCounts:
        adapt = self.connection.ops.adapt_datetimefield_value
        db_time = self._db_time
        contract = self.contract_id
        now_db = adapt(now)
        with self.connection.cursor() as cursor:
            cursor.execute(SQLITE_EXISTING, [contract, json.dumps([n.id for n in notes])])
            # Dates are compared as the text Django stores, as SQLite compares them.
            stored = {row[0]: (row[1], bool(row[2]), bool(row[3])) for row in cursor.fetchall()}
            counts = PageCounts()
            rows = []
            for n in notes:
                modified = db_time(n.last_modified)
                old = stored.get(n.id)
                if old is None:
                    counts.created += 1
                elif old[2] or (old[0] is not None and modified <= old[0]):
                    counts.unchanged += 1
                    continue
                elif not n.active and not old[1]:
                    counts.deactivated += 1
                else:
                    counts.updated += 1
                rows.append(
                    (
                        contract,
                        n.id,
                        contract,
                        n.owner,
                        n.member,
                        clean_text(n.note),
                        modified if n.created == n.last_modified else db_time(n.created),
                        modified,
                        n.active,
                        None if n.active else now_db,
                        "" if n.active else DELETED_BY_SYNC,
                        now_db,
                        now_db,
                    )
                )
            # Executed even when empty (a no-op) so every write costs the same statements.
            cursor.executemany(SQLITE_SEATS, [(contract, u) for u in {n.owner for n in notes} if u])
            cursor.executemany(SQLITE_PROSPECTS, [(u,) for u in {n.member for n in notes} if u])
            cursor.executemany(SQLITE_UPSERT, rows)
        return counts


def note_writer(contract_id: int, using: str = DEFAULT_DB_ALIAS) -> NoteWriter:
    vendor = connections[using].vendor
    if vendor == "postgresql":
        from recruiter.upsert_postgres import PostgresNoteWriter

        return PostgresNoteWriter(contract_id, using)
    if vendor == "sqlite":
        return SqliteNoteWriter(contract_id, using)
    raise NotImplementedError(f"the note sync supports PostgreSQL and SQLite, not {vendor}")
