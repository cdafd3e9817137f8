"""Runs whose worker is gone: still RUNNING in the database while their contract's sync lock
(renewed by a heartbeat every 10 s, expiring after 40 s) is free. They are marked interrupted,
and their RQ job failed, so that "Sync now" is accepted at once instead of after the next
scheduled tick. Called by the Sync page, "Sync now" and a job every 15 s (config/cron.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.utils import timezone

from recruiter import locks, queue
from recruiter.models import SyncRun

logger = logging.getLogger(__name__)

INTERRUPTED_TEXT = (
    "Interrupted: its worker stopped (no heartbeat on the sync lock for 40 s); the next "
    "run continues from the watermark."
)


def interrupt_orphaned_runs(contract_ids: Iterable[int] | None = None) -> int:
    """Mark the dead RUNNING runs interrupted; return how many. Raise queue.QueueUnavailable
    when Redis does not answer (nothing is known then, nothing is changed)."""
    running = SyncRun.objects.filter(status=SyncRun.Status.RUNNING)
    if contract_ids is not None:
        running = running.filter(contract_id__in=list(contract_ids))
    runs = list(running.values_list("pk", "contract_id"))
    if not runs:
        return 0
    held = locks.held_locks(sorted({contract_id for _, contract_id in runs}))
    dead = [(pk, contract_id) for pk, contract_id in runs if contract_id not in held]
    if not dead:
        return 0
    # Only rows still RUNNING: a run that finished meanwhile saved its outcome before it
    # released its lock.
    count = SyncRun.objects.filter(
        pk__in=[pk for pk, _ in dead], status=SyncRun.Status.RUNNING
    ).update(status=SyncRun.Status.INTERRUPTED, finished_at=timezone.now(), error=INTERRUPTED_TEXT)
    job_ids = [job_id for _, cid in dead for job_id in queue.contract_job_ids(cid)]
    queue.abandon_started(job_ids, INTERRUPTED_TEXT)
    for pk, contract_id in dead:
        logger.error("sync run %s of contract %s interrupted: its worker is gone", pk, contract_id)
    return count


def heal() -> int:
    """The job every minute: interrupt every orphaned run."""
    return interrupt_orphaned_runs()
