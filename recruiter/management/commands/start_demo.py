"""manage.py start_demo: the sandbox's demo contract for `make run`, and its first sync.

Run by config/run.py once the LinkedIn sandbox listens, so that a newcomer sees notes within
a minute. Idempotent: the contract is created once, and a sync is
enqueued only until one has succeeded (afterwards the schedule takes over).
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from linkedin import LinkedInError
from recruiter.models import Contract, Prospect, SyncRun
from recruiter.prospect_names import import_names
from recruiter.queue import enqueue_sync
from recruiter.seats import sync_seats

DEMO_CONTRACT = "urn:li:contract:1001"  # the sandbox's first contract
DEMO_NAME = "Demo contract"
DEMO_DAYS = 60  # the sandbox's default history


class Command(BaseCommand):
    help = (
        "Create the sandbox's demo contract (if missing), read its seat holders, import the "
        "names the sandbox's demo ATS export gives a few prospects, and enqueue its first sync."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sandbox-url",
            default=os.environ.get("SANDBOX_URL", ""),
            help="the sandbox, for its demo CSV of prospect names (default: $SANDBOX_URL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        contract, created = Contract.objects.get_or_create(
            urn=DEMO_CONTRACT,
            defaults={
                "name": DEMO_NAME,
                "backfill_start": timezone.now() - timedelta(days=DEMO_DAYS),
            },
        )
        if created:
            self.stdout.write(f"Created {DEMO_NAME} ({DEMO_CONTRACT}).")
        if contract.seats_synced_at is None:
            self._seats(contract)
        if options["sandbox_url"] and not Prospect.objects.exclude(name="").exists():
            self._prospect_names(options["sandbox_url"])
        if contract.last_success_at is not None:
            self.stdout.write(f"{DEMO_NAME} already synced; the schedule keeps it up to date.")
            return
        job = enqueue_sync(contract.pk, SyncRun.Kind.MANUAL)
        self.stdout.write(f"Enqueued the first sync of {DEMO_NAME} (job {job.job_id}).")

    def _seats(self, contract: Contract) -> None:
        """The seat holders' names from the start (the first sync would read them too)."""
        try:
            self.stdout.write(f"Seat holders of {DEMO_NAME}: {sync_seats(contract.pk)}.")
        except LinkedInError as exc:
            self.stderr.write(f"Could not read the seat holders: {exc}")

    def _prospect_names(self, sandbox_url: str) -> None:
        """A few prospects' names, from the CSV the sandbox serves as a team's ATS would."""
        url = f"{sandbox_url.rstrip('/')}/_sandbox/prospect-names.csv"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
        except requests.RequestException as exc:
            self.stderr.write(f"Could not fetch the demo prospect names: {exc}")
            return
        self.stdout.write(f"Demo prospect names: {import_names(response.content, dry_run=False)}.")
