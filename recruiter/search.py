"""Full-text search over the note text, and a page of search results that stays fast.

The query is web-search syntax (recruiter.search_text: words, "quoted phrases", -excluded, or),
accent-insensitive and stemmed. On PostgreSQL a note matches when its stored `search_vector`
(recruiter_note_vector: the text stemmed and as written, both unaccented, migration 0017)
matches the query's tsquery (recruiter.search_sql), through a GIN index; or, while the note is
not indexed yet, when the vector of its text does: the sync inserts notes without computing
their vectors, which was most of its cost, and index_pending_notes() fills them right after
(the job runs after each sync). The sync's merge records the id range of each batch it inserted
in recruiter_searchbacklog (migration 0006); those few ranges are how both the search and the
indexing find the pending notes. An edited text gets its vector in the merge itself. Elsewhere
(SQLite in development and tests) the same rules run in Python, as an SQL function the
connection registers (recruiter.apps).

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
from django.utils.safestring import SafeString

from recruiter.models import ProspectNote
from recruiter.name_search import names_matching
from recruiter.pagination import (
    COUNT_CAP,
    Cursor,
    NotePage,
    Total,
    capped_total,
    key_page,
    note_page,
)
from recruiter.search_sql import VECTOR_SQL, tsquery_sql
from recruiter.search_text import highlight, parse

INDEX_BATCH = 5000
# Testing one note on the walk (heap row + to_tsvector, ~13 µs) against reading one match of
# the GIN plan from the heap (~3 µs), measured on a million notes (benchmarks/pages.py).
WALK_COST_RATIO = 5

Rows = Callable[[QuerySet[ProspectNote]], QuerySet[ProspectNote]]


MATCH_SQL = "recruiter_prospectnote.search_vector @@ ({tsquery})"
# For the notes not indexed yet: within the pending id ranges (primary key range scans, which
# the planner combines with the GIN scan in a BitmapOr), the text itself.
PENDING_SQL = (
    " OR (recruiter_prospectnote.search_vector IS NULL AND ({ranges})"
    f" AND {VECTOR_SQL.format(column='recruiter_prospectnote.text')} @@ ({{tsquery}}))"
)
RANGE_SQL = "recruiter_prospectnote.id BETWEEN %s AND %s"
BACKLOG_SQL = "SELECT id, lo, hi FROM recruiter_searchbacklog ORDER BY lo"
# The vectors' GIN index (migration 0004) and the prospects' URN trigrams (0019, 0020).
PENDING_LIST_INDEXES = ("recruiter_note_search", "prospect_urn_trgm")
INDEX_SQL = """
UPDATE recruiter_prospectnote SET search_vector = recruiter_note_vector(text)
WHERE id BETWEEN %s AND %s AND search_vector IS NULL
"""
# The SQLite function that stands in for the tsquery match (recruiter.apps registers it).
SQLITE_MATCH_SQL = "recruiter_search_match(recruiter_prospectnote.text, %s)"
# How many of the newest notes a phrase search tests to estimate its matches (_probed_rows).
PROBE = 1000
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
            if indexed:
                _merge_pending_entries(connection)
            return indexed
        for row_id, lo, hi in backlog:
            for start in range(lo, hi + 1, INDEX_BATCH):
                with transaction.atomic(using=using), connection.cursor() as cursor:
                    cursor.execute(INDEX_SQL, [start, min(start + INDEX_BATCH - 1, hi)])
                    indexed += cursor.rowcount
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM recruiter_searchbacklog WHERE id = %s", [row_id])


def _merge_pending_entries(connection) -> None:
    """Move the pending lists of the GIN indexes the sync and this job write (the vectors just
    computed, the new prospects' URNs) into the indexes themselves, in bulk: entries wait there
    unsorted until a vacuum, every search reads the list in full, and it grows to 4 MB.
    NULL, a no-op, for an index that does not exist (no pg_trgm)."""
    with connection.cursor() as cursor:
        for index in PENDING_LIST_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(to_regclass(%s))", [index])


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


def note_match(query: str, using: str = "default") -> Q:
    """The condition for a note's text to match `query` (an empty Q for a query without
    words): a Q to combine, e.g. with a match on the prospect's name."""
    parsed = parse(query.strip())
    if not parsed:
        return Q()
    if connections[using].vendor != "postgresql":
        match = RawSQL(SQLITE_MATCH_SQL, [query], output_field=BooleanField())  # noqa: S611
        return Q(match)
    # Constant SQL fragments; the user's words and the ids only travel as bound parameters.
    tsquery, words = tsquery_sql(parsed)
    sql, params = MATCH_SQL.format(tsquery=tsquery), list(words)
    ranges = pending_ranges(using)
    if ranges:
        ranges_sql = " OR ".join([RANGE_SQL] * len(ranges))
        sql += PENDING_SQL.format(ranges=ranges_sql, tsquery=tsquery)
        params += [bound for lo_hi in ranges for bound in lo_hi] + words
    return Q(RawSQL(f"({sql})", params, output_field=BooleanField()))  # noqa: S611


def search_notes(notes: QuerySet, query: str) -> QuerySet:
    """Restrict `notes` to those whose text matches `query`, or whose prospect or seat holder
    it names (recruiter.name_search)."""
    if not query.strip():
        return notes
    condition = _or_names(note_match(query, notes.db), query)
    return notes.filter(condition) if condition else notes


def _or_names(text_match: Q, query: str) -> Q:
    """The text match, or a note about a prospect / by a seat holder the query names."""
    names = names_matching(query)
    if names is None:
        return text_match
    return text_match | names if text_match else names


def has_words(query: str) -> bool:
    return bool(parse(query.strip()))


def highlighted(text: str, query: str) -> SafeString:
    """The note's text, escaped, its words matching the query marked."""
    return highlight(text, query)


def search_page(
    notes: QuerySet[ProspectNote],
    query: str,
    *,
    after: Cursor | None,
    before: Cursor | None,
    per_page: int,
    rows: Rows,
    owners: list[int] | None = None,
) -> tuple[NotePage, Total]:
    """The page of `notes` (ordered newest first) matching `query`, and how many match.

    `rows` shapes the queryset the page's notes are read with (select_related, only).
    `owners`: the seat ids `notes` is limited to (a recruiter's, or the seat filter's), if it
    is; the walk then follows those seats' own indexes (pagination.merged_keys), and its cost
    is that of the notes they hold, not of the whole table. Five queries on PostgreSQL
    whichever plan is taken: the pending id ranges, two estimates, the page's keys, its rows.
    """
    matched = search_notes(notes, query)
    if not has_words(query) or not _is_postgres(notes):
        page = note_page(rows(matched), after=after, before=before, per_page=per_page)
        return page, honest_total(matched)
    estimate = _estimated_rows(matched)
    if _has_phrase(query):
        estimate = max(estimate, _probed_rows(notes, query))
    threshold = _threshold(notes, per_page, owners)
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
            matched.only("id", "created"),
            after=after,
            before=before,
            per_page=per_page,
            owners=owners,
        )
        ids, newer, older = [note.pk for note in walked.notes], walked.newer, walked.older
        total = Total(about(estimate), "about")
        if keys is not None and estimate <= limit:
            total = Total(limit, "more")  # the estimate erred low: say only what we know
    found = {note.pk: note for note in rows(ProspectNote.objects.filter(pk__in=ids))}
    return NotePage([found[pk] for pk in ids if pk in found], newer, older), total


def _threshold(notes: QuerySet, per_page: int, owners: list[int] | None) -> int:
    if owners is None:
        # The walk follows the created index of every note, the filtered-out ones included.
        return walk_threshold(_estimated_rows(ProspectNote.objects.all()), per_page)
    # Seat by seat, the walk reads only the notes of `notes`. Up to COUNT_CAP matches the
    # GIN plan all the same: it counts them exactly, where the walk only estimates.
    return max(walk_threshold(_estimated_rows(notes), per_page), COUNT_CAP + 1)


def honest_total(notes: QuerySet) -> Total:
    """Exactly how many notes, if there are at most COUNT_CAP (a count that stops there);
    beyond, PostgreSQL's estimate ("about"), which its statistics make good for the filters
    of the notes list; elsewhere "more than COUNT_CAP"."""
    capped = capped_total(notes)
    if capped.kind != "more" or not _is_postgres(notes):
        return capped
    estimate = _estimated_rows(notes)
    return Total(about(estimate), "about") if estimate > COUNT_CAP else capped


def about(count: int) -> int:
    """`count` to two significant figures: an estimate does not pretend to more."""
    digits = len(str(count))
    return round(count, 2 - digits) if digits > 2 else count


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


def _has_phrase(query: str) -> bool:
    return any(len(term.words) > 1 for group in parse(query.strip()) for term in group)


def _probed_rows(notes: QuerySet, query: str) -> int:
    """How many of `notes` match, from the share of matches among the newest PROBE of them.

    The planner multiplies the frequencies of a phrase's words as if they were independent,
    and the words of a phrase go together: "open to relocation" in one note of 13 is
    estimated at one in 150, which would send a common phrase to the GIN plan. The newest
    notes are the ones the walk would test first, so their share is what decides.
    """
    newest, params = notes.order_by("-created", "-id").values("pk")[:PROBE].query.sql_with_params()
    # ARRAY(...): the newest ids first (one walk of the created index), then each one's vector;
    # as `IN (...)` the planner may read every match from the GIN index to join them.
    ids = RawSQL(  # noqa: S611 (Django's own SQL, its parameters bound)
        f"recruiter_prospectnote.id = ANY(ARRAY({newest}))", params, output_field=BooleanField()
    )
    hits = search_notes(ProspectNote.objects.filter(ids), query).count()
    return hits * _estimated_rows(notes) // PROBE


def _estimated_rows(notes: QuerySet) -> int:
    plan = json.loads(notes.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _is_postgres(notes: QuerySet) -> bool:
    return connections[notes.db].vendor == "postgresql"
