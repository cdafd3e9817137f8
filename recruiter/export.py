"""Prospect notes as CSV, streamed: the `export_prospect_notes` command and the dashboard's
download both use iter_csv_lines.

Note text is anyone's writing, and a spreadsheet runs a cell that starts with = + - @ (or a
tab or CR before one) as a formula: such cells get a leading ' (OWASP's CSV injection advice),
which spreadsheets show as text. The rest of the line is left as LinkedIn sent it.

Rows are read as plain tuples through a chunked database cursor (a server-side cursor on
PostgreSQL), one query however many notes, so a million notes take no more memory than a
thousand. The caller chooses which notes (role, contract, deleted or not) through the queryset.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet

import audit
from audit.models import Action
from recruiter.models import ProspectNote

__all__ = ["CHUNK_SIZE", "CSV_HEADER", "audited", "iter_csv_lines", "neutralise"]

CSV_HEADER = [
    "id",
    "contract",
    "owner",
    "member",
    "note",
    "created",
    "last_modified",
    "active",
    # At the end, so that readers of the first eight columns keep working.
    "owner_name",
    "prospect_name",
]
CHUNK_SIZE = 2000
COMMAND_COLUMNS = 8  # id ... active: export_prospect_notes's header stays these
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The same order as CSV_HEADER; the URNs come through joins inside the one query.
_COLUMNS = (
    "linkedin_id",
    "contract__urn",
    "owner__urn",
    "prospect__urn",
    "text",
    "created",
    "last_modified",
    "active",
    "owner__name",
    "owner__holder_name",
    "prospect__name",
)


class _Line:
    """A file-like object whose write() hands back the line, so csv.writer formats one row
    at a time without an in-memory buffer to reset."""

    def write(self, line: str) -> str:
        return line


def iter_csv_lines(
    notes: QuerySet[ProspectNote], *, chunk_size: int = CHUNK_SIZE, names: bool = True
) -> Iterator[str]:
    """Yield the header line, then one CSV line per note (CRLF-terminated, RFC 4180 quoting).

    Without ``names``, the first eight columns only: the management command's documented
    format, which scripts read. Nothing is queried until the first line after the header is
    asked for.
    """
    width = len(CSV_HEADER) if names else COMMAND_COLUMNS
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_HEADER[:width])
    rows = notes.values_list(*_COLUMNS).iterator(chunk_size=chunk_size)
    for (
        linkedin_id,
        contract,
        owner,
        member,
        text,
        created,
        modified,
        active,
        owner_name,
        holder_name,
        prospect_name,
    ) in rows:
        yield writer.writerow(
            neutralise(
                linkedin_id,
                contract or "",
                owner or "",
                member or "",
                text,
                _iso_utc(created),
                _iso_utc(modified),
                "true" if active else "false",
                owner_name or holder_name or "",
                prospect_name or "",
            )[:width]
        )


def audited(lines: Iterator[str], *, actor: Any, via: str, filters: dict) -> Iterator[str]:
    """Pass the lines through and record the export in the audit log once they stop (all sent,
    or the download broken off: `complete` says which), with the rows actually sent."""
    sent, complete = -1, False  # the header is not a row
    try:
        for line in lines:
            sent += 1
            yield line
        complete = True
    finally:
        audit.record(
            Action.EXPORT,
            actor=actor,
            via=via,
            filters=filters,
            rows=max(sent, 0),
            complete=complete,
        )


def neutralise(*cells: object) -> list[object]:
    """The cells, each text cell a spreadsheet would run as a formula prefixed with '."""
    return [f"'{c}" if isinstance(c, str) and c.startswith(_FORMULA_STARTS) else c for c in cells]


def _iso_utc(value: datetime | None) -> str:
    """2026-11-23T08:15:00Z; milliseconds only when LinkedIn's epoch-ms time had some."""
    if value is None:
        return ""
    value = value.astimezone(UTC)
    timespec = "milliseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"
