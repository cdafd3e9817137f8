"""manage.py sync_prospect_notes --contract URN [--since ISO8601] [--until ISO8601] [--full]"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from recruiter.jobs import run_sync
from recruiter.models import Contract, SyncRun
from recruiter.search import index_pending_notes


def _moment(value: str) -> datetime:
    """An ISO 8601 date or date-time; without a time zone it is read as UTC."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(f"not an ISO 8601 date or date-time: {value!r}")
        parsed = datetime(day.year, day.month, day.day)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Sync a contract's prospect notes from LinkedIn now, in the foreground. A contract "
        "not yet known is created (with the site's credentials)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contract", required=True, metavar="URN", help="urn:li:contract:…")
        parser.add_argument("--since", type=_moment, help="Start here instead of the watermark.")
        parser.add_argument("--until", type=_moment, help="Stop here instead of now.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Walk again from the contract's backfill start, ignoring the watermark.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        urn: str = options["contract"]
        if not urn.startswith("urn:li:contract:") or len(urn) > 100:
            raise CommandError(
                f"--contract must be a contract URN (urn:li:contract:<id>), got {urn!r}"
            )
        contract, created = Contract.objects.get_or_create(urn=urn)
        if created:
            self.stdout.write(f"Created contract {urn} (site credentials).")

        bar = tqdm(
            total=100,
            bar_format="{l_bar}{bar}| {postfix}",
            file=sys.stdout,
            disable=not self.stdout.isatty(),
        )

        def progress(run: SyncRun) -> None:
            bar.update(round(run.progress, 1) - bar.n)
            bar.set_postfix(notes=run.notes_created + run.notes_updated, pages=run.pages)

        started = time.monotonic()
        try:
            run = run_sync(
                contract.pk,
                kind=SyncRun.Kind.COMMAND,
                since=options["since"],
                until=options["until"],
                full=options["full"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        seconds = time.monotonic() - started
        # The same follow-ups as the job, and in the foreground too: the notes are searchable
        # when the command returns.
        indexed = index_pending_notes()
        if indexed:
            self.stdout.write(f"Indexed {indexed} notes for search.")
        self.stdout.write(
            f"{urn} {run.status}: notes created {run.notes_created}, "
            f"updated {run.notes_updated}, deactivated {run.notes_deactivated}, "
            f"unchanged {run.notes_unchanged}; pages {run.pages}, API calls {run.api_calls}, "
            f"retries {run.retries}; {seconds:.1f} s"
        )
        if run.status == SyncRun.Status.FAILED:
            raise CommandError(run.error)
        if run.status in (SyncRun.Status.SKIPPED, SyncRun.Status.THROTTLED):
            self.stderr.write(run.error)
