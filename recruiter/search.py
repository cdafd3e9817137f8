"""Full-text search over the note text, and a page of search results that stays fast.

On PostgreSQL a note matches when its stored `search_vector` matches
`websearch_to_tsquery('simple', q)` (a GIN index, migration 0004), or, while the note is not
indexed yet, when `to_tsvector('simple', text)` does: the sync inserts notes without computing
their vectors, which was most of its cost, and index_pending_notes() fills them right after
(the job runs after each sync). The sync's merge records the id range of each batch it inserted
in recruiter_searchbacklog (migration 0006); those few ranges are how both the search and the
indexing find the pending notes. An edited text gets its vector in the merge itself. The 'simple'
configuration does no stemming: notes mix languages, names and abbreviations, and a recruiter
searching "java" wants "Java", not "jav". Elsewhere (SQLite in development and tests) every
word of the query must appear in the text, case-insensitively.

A page of results, newest first, has two good plans and PostgreSQL's planner cannot always tell
which one applies, because it knows the frequency of common words only:
- a common word: walk the created index and test each note until the page is full (a word in
  one note of 13 fills 51 rows after ~660 notes);
- a rare word: take its few matches from the GIN index, then sort them.
For a word it has no statistics for, the planner assumes it is in 0.5% of the notes and walks
the created index: on a word in one note of a million, that is a million to_tsvector calls
(six seconds). So the planner's estimates only pick the walk for words it knows to be common
enough (walk_threshold); every other search reads its matches from the
GIN index, up to sparse_limit of them, and walks only if there turn out to be more.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from django.db import connections, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from recruiter.models import ProspectNote
from recruiter.name_search import names_matching
from recruiter.pagination import (
    Cursor,
    NotePage,
    Total,
    capped_total,
    key_page,
    note_page,
)

INDEX_BATCH = 5000
# Testing one note on the walk (heap row + to_tsvector, ~13 µs) against reading one match of
# the GIN plan from the heap (~3 µs), measured on a million notes (benchmarks/pages.py).
WALK_COST_RATIO = 5

Rows = Callable[[QuerySet[ProspectNote]], QuerySet[ProspectNote]]


MATCH_SQL = "recruiter_prospectnote.search_vector @@ websearch_to_tsquery('simple'::regconfig, %s)"
# For the notes not indexed yet: within the pending id ranges (primary key range scans, which
# the planner combines with the GIN scan in a BitmapOr), the text itself.
PENDING_SQL = (
    " OR (recruiter_prospectnote.search_vector IS NULL AND ({ranges})"
    " AND to_tsvector('simple'::regconfig, recruiter_prospectnote.text)"
    " @@ websearch_to_tsquery('simple'::regconfig, %s))"
)
RANGE_SQL = "recruiter_prospectnote.id BETWEEN %s AND %s"
BACKLOG_SQL = "SELECT id, lo, hi FROM recruiter_searchbacklog ORDER BY lo"
INDEX_SQL = """
UPDATE recruiter_prospectnote SET search_vector = to_tsvector('simple'::regconfig, text)
WHERE id BETWEEN %s AND %s AND search_vector IS NULL
"""
# Ranges closer than this are searched as one: a few ids of indexed notes in between cost
# less than another index scan.
RANGE_GAP = 1000


def index_pending_notes(using: str = "default") -> int:
    """Compute the search vector of every note written since the last call; return how many.

    Range by range of the backlog, in chunks of INDEX_BATCH ids, each its own transaction, so
    the sync writing meanwhile is never held up long; a range leaves the backlog once it is
    done. Nothing to do on SQLite, which searches the text directly.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    indexed = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(BACKLOG_SQL)
            backlog = cursor.fetchall()
        if not backlog:
            return indexed
        for row_id, lo, hi in backlog:
            for start in range(lo, hi + 1, INDEX_BATCH):
                with transaction.atomic(using=using), connection.cursor() as cursor:
                    cursor.execute(INDEX_SQL, [start, min(start + INDEX_BATCH - 1, hi)])
                    indexed += cursor.rowcount
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM recruiter_searchbacklog WHERE id = %s", [row_id])


def pending_ranges(using: str = "default") -> list[tuple[int, int]]:
    """The id ranges of the notes not indexed yet, merged (usually none, or one)."""
    with connections[using].cursor() as cursor:
        cursor.execute(BACKLOG_SQL)
        rows = cursor.fetchall()
    merged: list[tuple[int, int]] = []
    for _, lo, hi in sorted(rows, key=lambda row: row[1]):
        if merged and lo <= merged[-1][1] + RANGE_GAP:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def search_notes(notes: QuerySet, query: str) -> QuerySet:
    """Restrict `notes` to those whose text matches `query` (web-search syntax on PostgreSQL:
    words, "quoted phrases", -excluded, or), or whose prospect or seat holder it names
    (recruiter.name_search)."""
    query = query.strip()
    if not query:
        return notes
    if _is_postgres(notes):
        # Constant SQL fragments; the user's query and the ids only travel as bound parameters.
        sql, params = MATCH_SQL, [query]
        ranges = pending_ranges(notes.db)
        if ranges:
            sql += PENDING_SQL.format(ranges=" OR ".join([RANGE_SQL] * len(ranges)))
            params += [bound for lo_hi in ranges for bound in lo_hi] + [query]
        match = RawSQL(f"({sql})", params, output_field=BooleanField())  # noqa: S611
        return notes.filter(_or_names(Q(match), query))
    words = [word.strip('"') for word in query.split()]
    condition = Q()
    for word in words:
        if word:
            condition &= Q(text__icontains=word)
    return notes.filter(_or_names(condition, query))


def _or_names(text_match: Q, query: str) -> Q:
    """The text match, or a note about a prospect / by a seat holder the query names."""
    names = names_matching(query)
    return text_match if names is None else text_match | names


def search_page(
    notes: QuerySet[ProspectNote],
    query: str,
    *,
    after: Cursor | None,
    before: Cursor | None,
    per_page: int,
    rows: Rows,
) -> tuple[NotePage, Total]:
    """The page of `notes` (ordered newest first) matching `query`, and how many match.

    `rows` shapes the queryset the page's notes are read with (select_related, only). Five
    queries on PostgreSQL whichever plan is taken: the pending id ranges, two estimates, the
    page's keys, its rows.
    """
    matched = search_notes(notes, query)
    if not query.strip() or not _is_postgres(notes):
        page = note_page(rows(matched), after=after, before=before, per_page=per_page)
        return page, capped_total(matched)
    estimate = _estimated_rows(matched)
    # The walk follows the created index of every note, the filtered-out ones included.
    threshold = walk_threshold(_estimated_rows(ProspectNote.objects.all()), per_page)
    keys, limit = None, sparse_limit(threshold)
    if estimate < threshold:
        # No ORDER BY: with LIMIT above the estimate, the planner reads the GIN index.
        keys = list(matched.order_by().values_list("created", "id")[: limit + 1])
    if keys is not None and len(keys) <= limit:
        keys.sort(reverse=True)
        ids, newer, older = key_page(keys, after=after, before=before, per_page=per_page)
        total = Total(len(keys))
    else:
        walked = note_page(
            matched.only("id", "created"), after=after, before=before, per_page=per_page
        )
        ids, newer, older = [note.pk for note in walked.notes], walked.newer, walked.older
        total = Total(estimate, "about") if keys is None else Total(limit, "more")
    found = {note.pk: note for note in rows(ProspectNote.objects.filter(pk__in=ids))}
    return NotePage([found[pk] for pk in ids if pk in found], newer, older), total


def walk_threshold(selected: int, per_page: int) -> int:
    """How many matches make the walk cheaper than the GIN plan, with `selected` notes in the
    walked index.

    The walk tests per_page * selected / matches notes, the GIN plan reads every match: they
    cost the same at sqrt(ratio * per_page * selected) matches (~16,000 of a million notes).
    """
    return math.isqrt(WALK_COST_RATIO * (per_page + 1) * max(selected, 1))


def sparse_limit(threshold: int) -> int:
    """How many matches the GIN plan reads before it gives up for the walk: estimates err."""
    return 2 * threshold + 1000


def _estimated_rows(notes: QuerySet) -> int:
    plan = json.loads(notes.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _is_postgres(notes: QuerySet) -> bool:
    return connections[notes.db].vendor == "postgresql"
