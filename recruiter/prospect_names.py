"""Prospects' names from a CSV file (``member,name[,url]``): the upload page in the admin and
the ``import_prospect_names`` command both call ``import_names``.

LinkedIn's notes carry only the member URN; a team keeps names in its ATS. The rules:
- one row per member: ``urn:li:person:<id>``, a name (at most 200 characters), optionally the
  http(s) address where the team keeps that candidate; a first row ``member,name[,url]`` is a
  header and skipped;
- a file with a bad row imports nothing: every bad row is reported with its line and why;
- counts say what an import does (or, dry run, would do): ``new`` names for known prospects
  that had none, ``changed`` names or links, ``unknown`` members no note names yet (imported
  too, so the name is there when their first note arrives), ``erased`` members an admin erased
  (accounts.erasure: left out, their name must not come back), ``unchanged`` the rest, so a
  second import of the same file changes nothing;
- an empty url leaves the stored one; the sync never writes names.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from accounts.erasure import erased_among
from recruiter.models import Prospect

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
MAX_NAME = 200
MAX_URL = 500
HEADER = ("member", "name", "url")
MEMBER_RE = re.compile(r"urn:li:person:[A-Za-z0-9_-]{1,80}")
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class NameRow:
    line: int
    member: str
    name: str
    url: str
    status: str = ""  # new, changed, unknown, erased, unchanged (once planned)


@dataclass
class NameImport:
    rows: list[NameRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, why); 0: the file
    dry_run: bool = True
    imported: bool = False

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        counts = {s: self.count(s) for s in ("new", "changed", "unknown", "unchanged")}
        if erased := self.count("erased"):  # only when the file named an erased member
            counts["erased"] = erased
        return counts

    def __str__(self) -> str:
        if self.errors:
            return f"{len(self.errors)} bad row(s): nothing imported"
        counts = ", ".join(f"{n} {status}" for status, n in self.counts.items())
        verb = "would import" if self.dry_run else "imported"
        return f"{len(self.rows)} rows, {verb}: {counts}"


def import_names(data: bytes, *, dry_run: bool) -> NameImport:
    """Read ``data`` (a CSV file's bytes) and, unless ``dry_run`` or a row is bad, store the
    names in one transaction."""
    result = NameImport(dry_run=dry_run)
    result.rows, result.errors = read_rows(data)
    if result.errors:
        result.rows = []
        return result
    with transaction.atomic():
        result.rows = _planned(result.rows)
        if not dry_run:
            _store(result.rows)
            result.imported = True
    return result


def read_rows(data: bytes) -> tuple[list[NameRow], list[tuple[int, str]]]:
    """The file's rows, or the reasons it cannot be imported (line numbers from 1)."""
    if len(data) > MAX_BYTES:
        return [], [(0, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")]
    try:
        text = data.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as exc:
        return [], [(0, f"The file is not UTF-8 text (byte {exc.start}).")]
    rows: list[NameRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [(0, f"The file is not valid CSV: {exc}.")]
    for line, record in enumerate(records, start=1):
        if line == 1 and tuple(c.strip().lower() for c in record) in (HEADER, HEADER[:2]):
            continue
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        row, error = _row(line, record)
        if error is None and row.member in seen:
            error = f"{row.member} is already on line {seen[row.member]}."
        if error is not None:
            errors.append((line, error))
        else:
            seen[row.member] = line
            rows.append(row)
        if len(rows) + len(errors) > MAX_ROWS:
            return [], [(0, f"The file has more than {MAX_ROWS:,} rows.")]
    if not rows and not errors:
        errors.append((0, "The file has no rows: expected member,name[,url]."))
    return rows, errors


def _row(line: int, record: list[str]) -> tuple[NameRow | None, str | None]:
    if len(record) not in (2, 3):
        return None, f"Expected 2 or 3 columns (member,name[,url]), found {len(record)}."
    member, name = record[0].strip(), " ".join(record[1].split())
    url = record[2].strip() if len(record) == 3 else ""
    if not MEMBER_RE.fullmatch(member):
        return None, f"{member[:80]!r} is not a member URN (urn:li:person:…)."
    if not name:
        return None, "The name is empty."
    if len(name) > MAX_NAME:
        return None, f"The name is longer than {MAX_NAME} characters."
    if any(ord(c) < 32 for c in name):
        return None, "The name holds control characters."
    if url:
        if len(url) > MAX_URL:
            return None, f"The url is longer than {MAX_URL} characters."
        try:
            _url(url)
        except ValidationError:
            return None, f"{url[:80]!r} is not an http(s) address."
    return NameRow(line, member, name, url), None


def _planned(rows: list[NameRow]) -> list[NameRow]:
    stored = {
        urn: (name, url)
        for urn, name, url in Prospect.objects.filter(
            urn__in=[row.member for row in rows]
        ).values_list("urn", "name", "url")
    }
    erased = erased_among(row.member for row in rows)
    return [
        NameRow(
            r.line,
            r.member,
            r.name,
            r.url,
            "erased" if r.member in erased else _status(r, stored.get(r.member)),
        )
        for r in rows
    ]


def _status(row: NameRow, stored: tuple[str, str] | None) -> str:
    if stored is None:
        return "unknown"
    name, url = stored
    if name == row.name and (not row.url or url == row.url):
        return "unchanged"
    return "new" if not name else "changed"


def _store(rows: list[NameRow]) -> None:
    changed = [row for row in rows if row.status not in ("unchanged", "erased")]
    for with_url in (True, False):
        batch = [row for row in changed if bool(row.url) == with_url]
        Prospect.objects.bulk_create(
            [Prospect(urn=row.member, name=row.name, url=row.url) for row in batch],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["urn"],
            update_fields=["name", "url"] if with_url else ["name"],
        )
