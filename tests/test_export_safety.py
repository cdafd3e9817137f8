"""The CSV exports are safe to open in a spreadsheet: no cell runs as a formula (OWASP's CSV
injection advice: a leading '), and the dashboard's download opens cleanly in Excel (UTF-8
with a BOM, a file name that says what was filtered and when)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from recruiter.export import CSV_HEADER, neutralise
from tests.helpers import make_note, make_seat

EXPORT = reverse("recruiter:note_export")
DANGEROUS = ["=1+1", "+33 6 12 34 56 78", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=cmd"]
HARMLESS = ["plain", " =leading space", "1+1", "", "a=b", "'already quoted"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(text):
    assert neutralise(text, 5, None) == ["'" + text, 5, None]


@pytest.mark.parametrize("text", HARMLESS)
def test_other_cells_are_left_alone(text):
    assert neutralise(text) == [text]


def note_column(text: str) -> list[str]:
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == CSV_HEADER[: len(parsed[0])]
    return [row[CSV_HEADER.index("note")] for row in parsed[1:]]


def make_notes(db) -> None:
    seat = make_seat()
    for n, text in enumerate(DANGEROUS + HARMLESS):
        make_note(owner=seat, text=text, created=datetime(2026, 11, 1, 9, n, tzinfo=UTC))


def test_the_command_neutralises_formulas_and_keeps_its_header(db):
    make_notes(db)
    out = io.StringIO()

    call_command("export_prospect_notes", stdout=out)

    text = out.getvalue()
    assert text.startswith("id,contract,owner,member,note,created,last_modified,active\r\n")
    assert sorted(note_column(text)) == sorted(["'" + t for t in DANGEROUS] + HARMLESS)


def test_the_dashboard_export_neutralises_formulas(client, alice):
    make_notes(alice)
    client.force_login(alice)

    body = b"".join(client.get(EXPORT).streaming_content)

    assert sorted(note_column(body.decode("utf-8-sig"))) == sorted(
        ["'" + t for t in DANGEROUS] + HARMLESS
    )


def test_the_dashboard_export_is_utf8_with_a_bom(client, alice):
    make_note(text="Café, 東京, Zoë")
    client.force_login(alice)

    response = client.get(EXPORT)

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbfid,contract,")
    assert "Café, 東京, Zoë".encode() in body
    assert body.count(b"\xef\xbb\xbf") == 1


def test_the_file_name_says_what_was_filtered_and_when(client, alice, settings):
    settings.TIME_ZONE = "Europe/Paris"
    seat = make_seat(name="Zoë's seat")
    make_note(owner=seat, text="rust and go")
    client.force_login(alice)
    query = {
        "seat": seat.pk,
        "q": "Rust & Go!",
        "created_from": "2026-11-01",
        "modified_to": "2026-11-30",
        "status": "all",
    }

    with time_machine.travel(datetime(2026, 12, 2, 13, 5, tzinfo=UTC), tick=False):
        response = client.get(EXPORT, query)

    assert response["Content-Disposition"] == (
        'attachment; filename="prospect-notes_seat-zoes-seat_search-rust-go_'
        'created-20261101-to-any_modified-any-to-20261130_all_20261202-1405.csv"'
    )


def test_an_unfiltered_export_is_named_by_its_time_only(client, alice):
    client.force_login(alice)

    with time_machine.travel(datetime(2026, 12, 2, 13, 5, tzinfo=UTC), tick=False):
        response = client.get(EXPORT)

    assert response["Content-Disposition"] == (
        'attachment; filename="prospect-notes_20261202-1305.csv"'
    )


def test_the_file_name_is_plain_ascii_whatever_the_search(client, alice):
    from recruiter.views.notes import export_filename

    name = export_filename({"q": '東京"\r\n; filename=x'}, datetime(2026, 1, 2, tzinfo=UTC))

    assert name.isascii() and '"' not in name and "\n" not in name and ";" not in name
    assert export_filename({"created_to": date(2026, 1, 31)}, datetime(2026, 2, 1, tzinfo=UTC)) == (
        "prospect-notes_created-any-to-20260131_20260201-0000.csv"
    )
