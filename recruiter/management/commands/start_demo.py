"""manage.py start_demo: the sandbox's demo contract for `make run`, and its first sync.

Run by config/run.py once the LinkedIn sandbox listens, so that a newcomer sees notes within
a minute. Idempotent: the contract is created once, and a sync is
enqueued only until one has succeeded (afterwards the schedule takes over).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from recruiter.models import Contract, SyncRun
from recruiter.queue import enqueue_sync

DEMO_CONTRACT = "urn:li:contract:1001"  # the sandbox's first contract
DEMO_NAME = "Demo contract"
DEMO_DAYS = 60  # the sandbox's default history


class Command(BaseCommand):
    help = "Create the sandbox's demo contract (if missing) and enqueue its first sync."

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
        if contract.last_success_at is not None:
            self.stdout.write(f"{DEMO_NAME} already synced; the schedule keeps it up to date.")
            return
        job = enqueue_sync(contract.pk, SyncRun.Kind.MANUAL)
        self.stdout.write(f"Enqueued the first sync of {DEMO_NAME} (job {job.job_id}).")
