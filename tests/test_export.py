"""The prospect-note CSV export: recruiter.export.iter_csv_lines and its management command."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.sql import compiler
from django.test.utils import CaptureQueriesContext

from recruiter.export import CSV_HEADER, iter_csv_lines
from recruiter.models import ProspectNote
from tests.helpers import make_contract, make_note, make_prospect, make_seat

AWKWARD_TEXT = 'Said "maybe, later";\nlikes <b>Rust</b> & C, café ☕\r\nsecond line, too'
HEADER_LINE = (
    "id,contract,owner,member,note,created,last_modified,active,owner_name,prospect_name\r\n"
)


def export(**options) -> str:
    out = io.StringIO()
    call_command("export_prospect_notes", stdout=out, **options)
    return out.getvalue()


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def contract(db):
    return make_contract(urn="urn:li:contract:123")


@pytest.fixture
def seat(contract):
    return make_seat(contract=contract, urn="urn:li:seat:701", name="", holder_name="Jo Smith")


@pytest.fixture
def awkward_note(seat) -> ProspectNote:
    return make_note(
        owner=seat,
        prospect=make_prospect(urn="urn:li:person:abc123", name="Jane Doe"),
        linkedin_id=1323073443,
        text=AWKWARD_TEXT,
        created=datetime(2026, 11, 23, 8, 15, tzinfo=UTC),
        last_modified=datetime(2026, 11, 23, 9, 30, 5, 123000, tzinfo=UTC),
    )


def test_header_and_row_are_exact(awkward_note):
    lines = list(iter_csv_lines(ProspectNote.objects.all()))

    assert lines[0] == HEADER_LINE
    assert lines[1] == (
        "1323073443,urn:li:contract:123,urn:li:seat:701,urn:li:person:abc123,"
        '"Said ""maybe, later"";\nlikes <b>Rust</b> & C, café ☕\r\nsecond line, too",'
        "2026-11-23T08:15:00Z,2026-11-23T09:30:05.123Z,true,Jo Smith,Jane Doe\r\n"
    )
    assert len(lines) == 2


def test_csv_reader_gets_the_text_back_unchanged(awkward_note):
    parsed = rows("".join(iter_csv_lines(ProspectNote.objects.all())))

    assert parsed[0] == CSV_HEADER
    assert parsed[1][4] == AWKWARD_TEXT
    assert dict(zip(CSV_HEADER, parsed[1], strict=True))["member"] == "urn:li:person:abc123"


def test_times_are_utc_whatever_the_time_zone(awkward_note, settings):
    settings.TIME_ZONE = "America/Los_Angeles"

    row = rows("".join(iter_csv_lines(ProspectNote.objects.all())))[1]

    assert row[5] == "2026-11-23T08:15:00Z"


def test_tombstone_has_empty_fields_and_false(contract):
    ProspectNote.objects.create(
        contract=contract,
        linkedin_id=42,
        active=False,
        deleted_at=datetime(2026, 11, 24, tzinfo=UTC),
        deleted_by=ProspectNote.DeletedBy.PUSH,
    )

    lines = list(iter_csv_lines(ProspectNote.objects.all()))

    assert lines[1] == "42,urn:li:contract:123,,,,,,false,,\r\n"


def test_no_notes_is_the_header_only(db):
    assert list(iter_csv_lines(ProspectNote.objects.all())) == [HEADER_LINE]


def test_command_writes_the_same_csv(awkward_note):
    assert export() == "".join(iter_csv_lines(ProspectNote.objects.all(), names=False))


def test_command_leaves_deleted_notes_out_unless_asked(seat):
    kept = make_note(owner=seat)
    gone = make_note(owner=seat, active=False, deleted_at=datetime(2026, 11, 2, tzinfo=UTC))
    inactive = make_note(owner=seat, active=False)  # marked inactive by a sync

    default_ids = [row[0] for row in rows(export())[1:]]
    all_ids = [row[0] for row in rows(export(include_deleted=True))[1:]]

    assert default_ids == [str(kept.linkedin_id)]
    assert sorted(all_ids) == sorted(str(n.linkedin_id) for n in (kept, gone, inactive))
    active_column = {row[0]: row[7] for row in rows(export(include_deleted=True))[1:]}
    assert active_column[str(gone.linkedin_id)] == "false"
    assert active_column[str(kept.linkedin_id)] == "true"


def test_command_filters_by_contract(seat):
    mine = make_note(owner=seat)
    other = make_note()  # another contract

    output = export(contract="urn:li:contract:123")

    ids = [row[0] for row in rows(output)[1:]]
    assert ids == [str(mine.linkedin_id)]
    assert str(other.linkedin_id) not in output


def test_command_refuses_an_unknown_contract(contract):
    with pytest.raises(
        CommandError, match=r"No contract 'urn:li:contract:404'.*urn:li:contract:123"
    ):
        export(contract="urn:li:contract:404")


def _make_notes(count: int) -> None:
    contract = make_contract()
    seats = [make_seat(contract=contract) for _ in range(3)]
    prospects = [make_prospect() for _ in range(5)]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    ProspectNote.objects.bulk_create(
        ProspectNote(
            contract=contract,
            linkedin_id=5_000_000 + i,
            owner=seats[i % 3],
            prospect=prospects[i % 5],
            text=f"note {i}",
            created=start + timedelta(minutes=i),
            last_modified=start + timedelta(minutes=i),
        )
        for i in range(count)
    )


@pytest.mark.parametrize("count", [10, 200])
def test_one_query_however_many_notes(db, count):
    _make_notes(count)

    with CaptureQueriesContext(connection) as queries:
        lines = list(iter_csv_lines(ProspectNote.objects.all()))

    assert len(lines) == count + 1
    assert len(queries) == 1
    assert "JOIN" in queries[0]["sql"]  # the URNs come with the notes, not one query each


def test_command_query_count_does_not_grow(db):
    _make_notes(10)
    with CaptureQueriesContext(connection) as small:
        export(include_deleted=True)
    _make_notes(190)
    with CaptureQueriesContext(connection) as large:
        export(include_deleted=True)

    assert len(small) == len(large)


def test_streams_in_chunks(db, monkeypatch):
    """Rows come from the cursor a chunk at a time: when the first note's line is out, only the
    first chunk has been fetched (a list() of the queryset would have fetched all of them)."""
    _make_notes(12)
    fetched: list[int] = []
    real_cursor_iter = compiler.cursor_iter

    def counting_cursor_iter(*args, **kwargs):
        for chunk in real_cursor_iter(*args, **kwargs):
            fetched.append(len(chunk))
            yield chunk

    monkeypatch.setattr(compiler, "cursor_iter", counting_cursor_iter)

    lines = iter_csv_lines(ProspectNote.objects.all(), chunk_size=5)
    assert isinstance(lines, Iterator)
    assert next(lines) == HEADER_LINE
    assert fetched == []  # nothing read before a row is wanted
    next(lines)
    assert fetched == [5]
    rest = list(lines)
    assert len(rest) == 11
    assert fetched == [5, 5, 2]


def test_default_chunk_size_is_2000(db, monkeypatch):
    _make_notes(3)
    sizes: list[int] = []
    real_cursor_iter = compiler.cursor_iter

    def recording_cursor_iter(cursor, sentinel, col_count, itersize):
        sizes.append(itersize)
        return real_cursor_iter(cursor, sentinel, col_count, itersize)

    monkeypatch.setattr(compiler, "cursor_iter", recording_cursor_iter)

    list(iter_csv_lines(ProspectNote.objects.all()))

    assert sizes == [2000]
