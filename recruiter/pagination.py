"""Keyset ("seek") pagination over notes in (created desc, id desc) order, and a capped count.

Django's Paginator runs COUNT(*) over the whole filter and reads page N with OFFSET, and both
cost in proportion to the rows skipped: on a million notes, page 500 makes PostgreSQL walk and
throw away 25,000 rows, and the count walks all of them. A page here starts from the key of the
last note shown (`after`) or the first (`before`), so every page reads one index range of
per_page + 1 rows, whatever its depth; the count stops at COUNT_CAP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from recruiter.models import ProspectNote

COUNT_CAP = 1_000

Key = tuple[dt.datetime, int]  # (created, id)


@dataclass(frozen=True)
class Cursor:
    """A position in the (created desc, id desc) order: the key of one note."""

    created: dt.datetime
    id: int

    @classmethod
    def of(cls, note: ProspectNote) -> Cursor:
        return cls(note.created, note.pk)

    @classmethod
    def parse(cls, value: str) -> Cursor:
        micros, _, pk = value.partition("_")
        stamp = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(micros))
        return cls(stamp, int(pk))

    def __str__(self) -> str:
        delta = self.created - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return f"{delta // dt.timedelta(microseconds=1)}_{self.id}"


@dataclass(frozen=True)
class NotePage:
    notes: list[ProspectNote]
    newer: Cursor | None  # `before` of the previous (newer) page; None on the first page
    older: Cursor | None  # `after` of the next (older) page; None on the last page


@dataclass(frozen=True)
class Total:
    """How many notes a filter selects: exactly `count`, more than it, or about it."""

    count: int
    kind: str = "exact"  # "exact", "more" or "about"


def note_page(
    notes: QuerySet[ProspectNote],
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    per_page: int,
    owners: list[int] | None = None,
) -> NotePage:
    """One page of `notes` (already ordered by -created, -id) starting after or before a key.

    With `owners` (the seat ids `notes` is limited to), the page is read from each seat's own
    (owner, -created) index and merged (merged_keys): PostgreSQL only. Its notes then hold
    only their id and created.
    """
    if before is not None:
        # The redundant created >= bound gives the index scan a start key; the OR alone is a
        # filter PostgreSQL would apply to every row from the top of the index.
        newer_rows = notes.filter(created__gte=before.created).filter(
            Q(created__gt=before.created) | Q(id__gt=before.id)
        )
        rows = _read(newer_rows, ("created", "id"), per_page + 1, owners)
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return NotePage(
            rows,
            newer=Cursor.of(rows[0]) if more_newer else None,
            older=Cursor.of(rows[-1]) if rows else before,
        )
    if after is not None:
        notes = notes.filter(created__lte=after.created).filter(
            Q(created__lt=after.created) | Q(id__lt=after.id)
        )
    rows = _read(notes, ("-created", "-id"), per_page + 1, owners)
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    return NotePage(
        rows,
        newer=Cursor.of(rows[0]) if after is not None and rows else None,
        older=Cursor.of(rows[-1]) if more_older else None,
    )


def _read(
    notes: QuerySet[ProspectNote], order: tuple[str, str], limit: int, owners: list[int] | None
) -> list[ProspectNote]:
    if owners is None:
        return list(notes.order_by(*order)[:limit])
    return [
        ProspectNote(pk=pk, created=created)
        for created, pk in merged_keys(notes, order, limit, owners)
    ]


def merged_keys(
    notes: QuerySet[ProspectNote], order: tuple[str, str], limit: int, owners: list[int]
) -> list[Key]:
    """The first `limit` (created, id) keys of `notes` in `order`, read seat by seat.

    On `owner_id IN (...)` PostgreSQL can only walk the whole table's created index, or read
    every match and sort them; as a UNION ALL of one `owner_id = seat ... LIMIT` per seat it
    walks each seat's (owner, -created) index and merges them (Merge Append), reading about
    `limit` matches in all. Compound queries with LIMIT per part: not on SQLite.
    """
    parts = [
        notes.filter(owner_id=owner).order_by(*order).values_list("created", "id")[:limit]
        for owner in owners
    ]
    if len(parts) < 2:
        return [tuple(key) for part in parts for key in part]
    return [tuple(key) for key in parts[0].union(*parts[1:], all=True).order_by(*order)[:limit]]


def key_page(
    keys: list[Key], *, after: Cursor | None = None, before: Cursor | None = None, per_page: int
) -> tuple[list[int], Cursor | None, Cursor | None]:
    """note_page's rules over keys already in memory, sorted newest first: the page's ids and
    its newer and older cursors."""
    if before is not None:
        bound = (before.created, before.id)
        newer_keys = [key for key in keys if key > bound]
        rows = newer_keys[-per_page:]
        newer = Cursor(*rows[0]) if len(newer_keys) > per_page else None
        return [pk for _, pk in rows], newer, Cursor(*rows[-1]) if rows else before
    if after is not None:
        bound = (after.created, after.id)
        keys = [key for key in keys if key < bound]
    rows = keys[:per_page]
    newer = Cursor(*rows[0]) if after is not None and rows else None
    older = Cursor(*rows[-1]) if len(keys) > per_page else None
    return [pk for _, pk in rows], newer, older


def capped_total(notes: QuerySet, cap: int | None = None) -> Total:
    """How many rows `notes` holds, counting no further than cap + 1."""
    cap = COUNT_CAP if cap is None else cap
    count = notes.order_by().values("pk")[: cap + 1].count()
    return Total(cap, "more") if count > cap else Total(count)
