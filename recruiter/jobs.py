"""RQ jobs for the prospect-note sync. They take ids, are idempotent and have explicit timeouts.

config/cron.py schedules ``sync_active_contracts`` and ``rescan_active_contracts``; the
dashboard's "Sync now" button and the admin action call ``enqueue_sync``.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import django_rq
from django.utils import timezone
from rq.job import Job, JobStatus
from rq.queue import Queue

from linkedin import LinkedInError
from recruiter import backfill, search, seats, sync
from recruiter.linkedin import wait_for_api
from recruiter.models import Contract, SyncRun

logger = logging.getLogger(__name__)

QUEUE = "default"
# First backfills, in slices; workers listen to QUEUE first (recruiter.backfill).
BACKFILL_QUEUE = "backfill"
BACKFILL_SLICE_TIMEOUT = 30 * 60
# A first backfill of two years of a busy contract is the longest run; a run killed by the
# timeout is resumable anyway (the next one continues from the watermark).
SYNC_TIMEOUT = 6 * 60 * 60
RESCAN_TIMEOUT = 2 * 60 * 60
FAN_OUT_TIMEOUT = 5 * 60
SEATS_TIMEOUT = 10 * 60
# Waiting jobs with these states already cover a contract: enqueuing again would only pile up.
_PENDING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def sync_job_id(contract_id: int) -> str:
    return f"sync-contract-{contract_id}"


def rescan_job_id(contract_id: int) -> str:
    return f"rescan-contract-{contract_id}"


def seats_job_id(contract_id: int) -> str:
    return f"seats-contract-{contract_id}"


def sync_contract(
    contract_id: int, kind: str = SyncRun.Kind.SCHEDULED, wait_for_linkedin: float = 0.0
) -> dict[str, Any]:
    """The RQ job: sync one contract. ``wait_for_linkedin`` (seconds) is for `make run`, whose
    sandbox starts beside the worker: the first job waits for it to listen."""
    if wait_for_linkedin:
        wait_for_api(wait_for_linkedin)
    held = _held_by_backfill(contract_id, kind)
    if held is not None:
        return _summary(held)
    _seats_before_first_sync(contract_id)
    return _after_sync(sync.sync_contract(contract_id, kind=kind))


def _seats_before_first_sync(contract_id: int) -> None:
    """A contract's seat holders are read before its first notes sync, so that its notes show
    names from the start; a failure is logged (by seats.sync_seats) and the notes sync anyway."""
    if Contract.objects.filter(pk=contract_id, seats_synced_at__isnull=True).exists():
        with contextlib.suppress(LinkedInError):
            seats.sync_seats(contract_id)


def refresh_seats(contract_id: int) -> str:
    """The RQ job: read one contract's seat holders (fails the job when LinkedIn refuses)."""
    return str(seats.sync_seats(contract_id))


def refresh_active_contracts_seats() -> int:
    """Enqueue a seat holders refresh of every active contract; return how many."""
    ids = Contract.objects.filter(active=True).values_list("pk", flat=True)
    return sum(enqueue_seats_refresh(contract_id) for contract_id in ids)


def enqueue_seats_refresh(contract_id: int) -> bool:
    """Enqueue a seat holders refresh (after the transaction commits, if in one); False when
    one is already waiting."""
    queue = _queue()
    job_id = seats_job_id(contract_id)
    if _pending(queue, job_id) is not None:
        return False
    queue.enqueue(refresh_seats, contract_id, job_id=job_id, job_timeout=SEATS_TIMEOUT)
    return True


def rescan_contract(contract_id: int) -> dict[str, Any]:
    held = _held_by_backfill(contract_id, SyncRun.Kind.RESCAN)
    if held is not None:
        return _summary(held)
    return _after_sync(sync.rescan_contract(contract_id))


def backfill_slice(contract_id: int) -> dict[str, Any]:
    """The RQ job: one slice of a contract's first backfill (recruiter.backfill)."""
    _seats_before_first_sync(contract_id)
    summary = backfill.run_slice(contract_id)
    queue = _queue()
    if _pending(queue, INDEX_JOB_ID) is None:
        queue.enqueue(index_notes_for_search, job_id=INDEX_JOB_ID, job_timeout=RESCAN_TIMEOUT)
    return summary


def enqueue_backfill_slice(contract_id: int) -> Job | None:
    """Queue the next slice of a backfill (after the transaction commits, when in one).

    No fixed job id: a slice queues the next one while it is itself still running. The
    backfill's status decides whether a slice does anything, so a doubled one is harmless.
    """
    return django_rq.get_queue(BACKFILL_QUEUE).enqueue(
        backfill_slice, contract_id, job_timeout=BACKFILL_SLICE_TIMEOUT
    )


def _held_by_backfill(contract_id: int, kind: str) -> SyncRun | None:
    """A SKIPPED run if the contract's first backfill holds its regular syncs, else None."""
    contract = Contract.objects.defer("client_secret").filter(pk=contract_id).first()
    if contract is None or not backfill.holds_regular_syncs(contract):
        return None
    return SyncRun.objects.create(
        contract=contract,
        kind=kind,
        status=SyncRun.Status.SKIPPED,
        finished_at=timezone.now(),
        error="The first backfill is under way: it syncs this contract, then the schedule "
        "takes over.",
    )


def index_notes_for_search() -> int:
    """The RQ job: compute the search vectors of the notes the syncs wrote (recruiter.search)."""
    return search.index_pending_notes()


INDEX_JOB_ID = "recruiter-index-notes"


def _after_sync(run: SyncRun) -> dict[str, Any]:
    # The sync leaves search vectors to this job so that its own writes stay cheap.
    if run.notes_created or run.notes_updated:
        queue = _queue()
        if _pending(queue, INDEX_JOB_ID) is None:
            queue.enqueue(index_notes_for_search, job_id=INDEX_JOB_ID, job_timeout=RESCAN_TIMEOUT)
    return _summary(run)


def sync_active_contracts() -> int:
    """Enqueue a sync of every active contract; return how many were enqueued."""
    queue = _queue()
    enqueued = 0
    for contract_id in _scheduled_contract_ids():
        job_id = sync_job_id(contract_id)
        if _pending(queue, job_id) is None:
            queue.enqueue(sync_contract, contract_id, job_id=job_id, job_timeout=SYNC_TIMEOUT)
            enqueued += 1
    return enqueued


def rescan_active_contracts() -> int:
    """Enqueue a rescan of every active contract; return how many were enqueued."""
    queue = _queue()
    enqueued = 0
    for contract_id in _scheduled_contract_ids():
        job_id = rescan_job_id(contract_id)
        if _pending(queue, job_id) is None:
            queue.enqueue(rescan_contract, contract_id, job_id=job_id, job_timeout=RESCAN_TIMEOUT)
            enqueued += 1
    return enqueued


def enqueue_sync(
    contract: Contract, kind: str = SyncRun.Kind.MANUAL, *, wait_for_linkedin: float = 0.0
) -> Job | None:
    """Enqueue a sync of ``contract`` now, unless one is already waiting (that one is returned).

    Inside a transaction the job is enqueued when it commits (django-rq's default commit mode)
    and None is returned; the worker must not look for a contract that is not committed yet.
    """
    queue = _queue()
    job_id = sync_job_id(contract.pk)
    waiting = _pending(queue, job_id)
    if waiting is not None:
        return waiting
    return queue.enqueue(
        sync_contract,
        contract.pk,
        str(kind),
        wait_for_linkedin,
        job_id=job_id,
        job_timeout=SYNC_TIMEOUT,
    )


def _scheduled_contract_ids() -> list[int]:
    """Active contracts, but not those whose first backfill holds their syncs."""
    contracts = Contract.objects.filter(active=True).defer("client_secret")
    return [c.pk for c in contracts if not backfill.holds_regular_syncs(c)]


def _queue() -> Queue:
    return django_rq.get_queue(QUEUE)


def _pending(queue: Queue, job_id: str) -> Job | None:
    job = queue.fetch_job(job_id)
    if job is None:
        return None
    return job if job.get_status(refresh=False) in _PENDING else None


def _summary(run: SyncRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "status": run.status,
        "created": run.notes_created,
        "updated": run.notes_updated,
        "deactivated": run.notes_deactivated,
        "error": run.error,
    }
