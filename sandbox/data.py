"""Generated prospect notes and the store that serves and changes them.

Layout, chosen for a million notes: one row per note spread over typed arrays (a few dozen
bytes a note), note texts shared through a pool, and per contract an index of row numbers
sorted by (lastModified, id) beside a parallel array of lastModified values for bisect. A
note's JSON is rendered from pre-encoded pieces with one bytes %-format, about a microsecond.
"""

from __future__ import annotations

import json
import random
import string
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from sandbox.texts import SPECIAL_TEXTS, build_pool

DAY_MS = 86_400_000
CONTRACT_BASE = 1001
# Ids are ID_BASE + row * ID_STEP + jitter: they look random, are unique, and map back to the
# row by arithmetic, so no id -> row dict is needed for a million notes.
ID_BASE = 1_200_000_000
ID_STEP = 97
EDITED_SHARE = 0.20
INACTIVE_SHARE = 0.05
MAX_POOL = 4096
# Up to this many notes, every note's JSON is rendered at start (~0.3 s and ~37 MB per 100k)
# so even the first pass of a benchmark is served from memory; above it, on first read.
PRERENDER_LIMIT = 250_000

NOTE_FMT = (
    b'{"active":%s,"contract":%s,"created":%d,"id":%d,"lastModified":%d,'
    b'"member":%s,"note":%s,"owner":%s}'
)

DeleteHook = Callable[[dict[str, Any]], None]


def _json(value: str) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


class NoteStore:
    """All contracts' notes. Every public method is thread-safe."""

    def __init__(
        self,
        *,
        seed: int,
        contracts: int,
        seats: int,
        prospects: int,
        notes: int,
        days: int,
        base_time_ms: int,
    ) -> None:
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self.base_time_ms = base_time_ms
        self._clock_ms = base_time_ms
        self._generation = 0  # bumped by every change; part of the query cache key
        self._cache: dict[tuple[Any, ...], Sequence[int]] = {}
        self.on_delete: DeleteHook | None = None
        self._build_people(max(contracts, 1), max(seats, 1), max(prospects, 1))
        self._build_texts(notes)
        self._build_notes(notes, max(days, 1) * DAY_MS)

    # --- generation -------------------------------------------------------------------------

    def _build_people(self, contracts: int, seats: int, prospects: int) -> None:
        rng = self._rng
        self._contract_urns = [f"urn:li:contract:{CONTRACT_BASE + c}" for c in range(contracts)]
        self._contract_index = {urn: c for c, urn in enumerate(self._contract_urns)}
        self._contract_json = [_json(urn) for urn in self._contract_urns]
        numbers = rng.sample(range(100_000_000, 1_000_000_000), contracts * seats)
        self._seat_urns = [f"urn:li:seat:{n}" for n in numbers]
        self._seat_index = {urn: i for i, urn in enumerate(self._seat_urns)}
        self._seat_json = [_json(urn) for urn in self._seat_urns]
        self._contract_seats = [list(range(c * seats, (c + 1) * seats)) for c in range(contracts)]
        alphabet = string.ascii_letters + string.digits
        members: dict[str, None] = {}
        while len(members) < prospects:
            members["urn:li:person:" + "".join(rng.choices(alphabet, k=10))] = None
        self._member_urns = list(members)
        self._member_index = {urn: i for i, urn in enumerate(self._member_urns)}
        self._member_json = [_json(urn) for urn in self._member_urns]

    def _build_texts(self, notes: int) -> None:
        size = min(max(notes // 8, 64), MAX_POOL)
        self._texts = build_pool(self._rng, size)
        self._pool_size = len(self._texts)
        self._text_json = [_json(t) for t in self._texts]

    def _build_notes(self, n: int, span: int) -> None:
        r = self._rng.random
        base = self.base_time_ms
        seats = len(self._contract_seats[0])
        ncontracts = len(self._contract_urns)
        # Column by column: list comprehensions are several times faster than one loop body.
        self._ids = array("q", [ID_BASE + i * ID_STEP + int(r() * ID_STEP) for i in range(n)])
        self._contract = array("H", [int(r() * ncontracts) for _ in range(n)])
        self._owner = array("I", [c * seats + int(r() * seats) for c in self._contract])
        self._member = array("I", [int(r() * len(self._member_urns)) for _ in range(n)])
        self._created = array("q", [base - 1 - int(r() * span) for _ in range(n)])
        rolls = [r() for _ in range(n)]
        changed = EDITED_SHARE + INACTIVE_SHARE
        self._modified = array(
            "q",
            [
                c + 1 + int(r() * (base - c - 1)) if u < changed else c
                for c, u in zip(self._created, rolls, strict=True)
            ],
        )
        self._active = array("b", [0 if u < INACTIVE_SHARE else 1 for u in rolls])
        specials = len(SPECIAL_TEXTS)
        pool = self._pool_size
        self._text = array("I", [i if i < specials else int(r() * pool) for i in range(n)])
        self._rendered: list[bytes | None] = [None] * n
        self._build_index()
        if n <= PRERENDER_LIMIT:
            for row in range(n):
                self._render(row)

    def _build_index(self) -> None:
        rows: list[list[int]] = [[] for _ in self._contract_urns]
        for row, c in enumerate(self._contract):
            rows[c].append(row)
        modified = self._modified
        # sorted() is stable and rows are in id order, so ties on lastModified sort by id.
        self._order = [array("I", sorted(r, key=modified.__getitem__)) for r in rows]
        self._order_lm = [array("q", [modified[row] for row in o]) for o in self._order]

    # --- reading -----------------------------------------------------------------------------

    def contract_urns(self) -> list[str]:
        return list(self._contract_urns)

    def has_contract(self, contract_urn: str) -> bool:
        return contract_urn in self._contract_index

    def seats(self, contract_urn: str) -> list[str]:
        with self._lock:
            c = self._contract_index[contract_urn]
            return [self._seat_urns[s] for s in self._contract_seats[c]]

    def prospects(self) -> list[str]:
        with self._lock:
            return list(self._member_urns)

    def notes(self, contract_urn: str, include_inactive: bool = True) -> list[dict[str, Any]]:
        """Current version of each note of the contract, in (lastModified, id) order."""
        with self._lock:
            c = self._contract_index[contract_urn]
            rows = self._order[c]
            return [self._dict(row) for row in rows if include_inactive or self._active[row]]

    def note(self, note_id: int) -> dict[str, Any]:
        with self._lock:
            return self._dict(self._row(note_id))

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            out = {}
            for c, urn in enumerate(self._contract_urns):
                rows = self._order[c]
                active = sum(self._active[row] for row in rows)
                out[urn] = {"notes": len(rows), "active": active, "inactive": len(rows) - active}
            return out

    def page(
        self,
        contract_urn: str,
        owners: list[str] | None,
        before: int | None,
        cutoff: int | None,
        start: int,
        count: int,
        repeat_ids: bool = False,
    ) -> tuple[list[bytes], int]:
        """One page of rendered notes and the total that match the filters.

        With repeat_ids, about one note in ten is preceded by an older version of itself (same
        id, other text, lastModified = created), like the seed's sample page. Those versions
        are rows of the collection like any other: they take places in start/count and are
        counted in total, so a page is never longer than count.
        """
        with self._lock:
            c = self._contract_index[contract_urn]
            positions = self._positions(c, owners, before, cutoff)
            if repeat_ids:
                positions = self._with_repeats(c, positions, (owners, before, cutoff))
            order, cache = self._order[c], self._rendered  # locals: this is the hot loop
            chunk = positions[start : start + count]
            if repeat_ids:
                items = [self._version(order, p) for p in chunk]
            else:
                rows = [order[p] for p in chunk]
                items = [cache[row] or self._render(row) for row in rows]
            return items, len(positions)

    def _version(self, order: array[int], p: int) -> bytes:
        """The current note at position p, or for ~p (negative) its stale older version."""
        if p < 0:
            return self._render_stale(order[~p])
        return self._rendered[order[p]] or self._render(order[p])

    def _positions(
        self, c: int, owners: list[str] | None, before: int | None, cutoff: int | None
    ) -> Sequence[int]:
        """Positions in the contract index that match; filtering is on lastModified."""
        lms = self._order_lm[c]
        lo = 0 if cutoff is None else bisect_right(lms, cutoff)  # cutoffDate is exclusive
        hi = len(lms) if before is None else bisect_right(lms, before)  # beforeDate inclusive
        if not owners:
            return range(lo, max(lo, hi))
        key = (c, tuple(owners), before, cutoff, self._generation)
        cached = self._cache.get(key)
        if cached is None:
            wanted = {self._seat_index[o] for o in owners if o in self._seat_index}
            order, owner = self._order[c], self._owner
            cached = self._remember(key, [p for p in range(lo, hi) if owner[order[p]] in wanted])
        return cached

    def _with_repeats(self, c: int, positions: Sequence[int], query: tuple[Any, ...]) -> list[int]:
        """The positions with a stale version (written ~p) before every tenth note or so."""
        key = ("repeat", c, repr(query), self._generation)
        cached = self._cache.get(key)
        if cached is None:
            order, ids = self._order[c], self._ids
            cached = []
            for p in positions:
                if ids[order[p]] % 10 == 3:
                    cached.append(~p)
                cached.append(p)
            self._remember(key, cached)
        return cached

    def _remember(self, key: tuple[Any, ...], positions: list[int]) -> list[int]:
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[key] = positions
        return positions

    def _render(self, row: int) -> bytes:
        """The note's JSON, cached until the note changes (memory grows with what is read)."""
        self._rendered[row] = rendered = NOTE_FMT % (
            b"true" if self._active[row] else b"false",
            self._contract_json[self._contract[row]],
            self._created[row],
            self._ids[row],
            self._modified[row],
            self._member_json[self._member[row]],
            self._text_json[self._text[row]],
            self._seat_json[self._owner[row]],
        )
        return rendered

    def _render_stale(self, row: int) -> bytes:
        """An older version of the note: other text, lastModified = created (never newer)."""
        return NOTE_FMT % (
            b"true",
            self._contract_json[self._contract[row]],
            self._created[row],
            self._ids[row],
            self._created[row],
            self._member_json[self._member[row]],
            self._text_json[(self._text[row] + 1) % self._pool_size],
            self._seat_json[self._owner[row]],
        )

    def _dict(self, row: int) -> dict[str, Any]:
        # Parse the wire bytes so the "truth" can never drift from what is served.
        return json.loads(self._rendered[row] or self._render(row))

    def _row(self, note_id: int) -> int:
        row = (int(note_id) - ID_BASE) // ID_STEP
        if not 0 <= row < len(self._ids) or self._ids[row] != int(note_id):
            raise KeyError(f"no note with id {note_id}")
        return row

    # --- changing ----------------------------------------------------------------------------

    def add_note(
        self,
        contract_urn: str,
        owner: str | None = None,
        member: str | None = None,
        text: str | None = None,
        at_ms: int | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            c = self._contract_index[contract_urn]
            rng = self._rng
            seat = rng.choice(self._contract_seats[c]) if owner is None else self._seat(c, owner)
            if member is None:
                person = rng.randrange(len(self._member_urns))
            else:
                person = self._person(member)
            text_idx = rng.randrange(self._pool_size) if text is None else self._add_text(text)
            when = self._tick() if at_ms is None else int(at_ms)
            row = len(self._ids)
            self._ids.append(ID_BASE + row * ID_STEP + rng.randrange(ID_STEP))
            self._contract.append(c)
            self._owner.append(seat)
            self._member.append(person)
            self._created.append(when)
            self._modified.append(when)
            self._active.append(1)
            self._text.append(text_idx)
            self._rendered.append(None)
            self._index(row)
            return self._dict(row)

    def edit_note(self, note_id: int, text: str, at_ms: int | None = None) -> dict[str, Any]:
        with self._lock:
            row = self._row(note_id)  # a deleted note may be edited too; it stays deleted
            self._text[row] = self._add_text(text)
            self._move(row, self._later(row, at_ms))
            return self._dict(row)

    def delete_note(self, note_id: int, at_ms: int | None = None) -> dict[str, Any]:
        """Deactivate the note and fire the delete hook (the push event).

        Deleting a note that is already inactive changes nothing but fires the hook again:
        LinkedIn may deliver an event more than once, and this is how to show it.
        """
        with self._lock:
            row = self._row(note_id)
            if self._active[row]:
                self._active[row] = 0
                self._move(row, self._later(row, at_ms))
            note = self._dict(row)
        if self.on_delete is not None:
            self.on_delete(note)
        return note

    def _later(self, row: int, at_ms: int | None) -> int:
        if at_ms is None:
            return self._tick()
        if at_ms <= self._modified[row]:
            raise ValueError("at_ms must be later than the note's lastModified")
        return int(at_ms)

    def _tick(self) -> int:
        """A store-wide increasing clock: no two changes share a lastModified.

        Changes quicker than one a millisecond would stamp times in the future, which LinkedIn
        never does: a sync started right after them would end before them. So the change
        waits (a millisecond or two) until its time has come.
        """
        now = int(time.time() * 1000)
        self._clock_ms = max(now, self._clock_ms + 1)
        if self._clock_ms > now:
            time.sleep((self._clock_ms - now) / 1000)
        return self._clock_ms

    def _move(self, row: int, new_lm: int) -> None:
        self._unindex(row)
        self._modified[row] = new_lm
        self._index(row)
        self._rendered[row] = None

    def _unindex(self, row: int) -> None:
        c = self._contract[row]
        order, lms = self._order[c], self._order_lm[c]
        pos = bisect_left(lms, self._modified[row])
        while order[pos] != row:
            pos += 1
        del order[pos]
        del lms[pos]
        self._generation += 1

    def _index(self, row: int) -> None:
        c, lm = self._contract[row], self._modified[row]
        order, lms = self._order[c], self._order_lm[c]
        pos = bisect_left(lms, lm)
        while pos < len(lms) and lms[pos] == lm and order[pos] < row:
            pos += 1
        order.insert(pos, row)
        lms.insert(pos, lm)
        self._generation += 1

    def _seat(self, c: int, urn: str) -> int:
        if not urn.startswith("urn:li:seat:"):
            raise ValueError(f"owner must be a seat URN, got {urn!r}")
        if urn not in self._seat_index:
            self._seat_index[urn] = len(self._seat_urns)
            self._seat_urns.append(urn)
            self._seat_json.append(_json(urn))
            self._contract_seats[c].append(self._seat_index[urn])
        return self._seat_index[urn]

    def _person(self, urn: str) -> int:
        if not urn.startswith("urn:li:person:"):
            raise ValueError(f"member must be a person URN, got {urn!r}")
        if urn not in self._member_index:
            self._member_index[urn] = len(self._member_urns)
            self._member_urns.append(urn)
            self._member_json.append(_json(urn))
        return self._member_index[urn]

    def _add_text(self, text: str) -> int:
        self._texts.append(text)
        self._text_json.append(_json(text))
        return len(self._texts) - 1
