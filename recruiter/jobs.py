"""The recruiter app's RQ jobs (what the workers run). They take ids, are idempotent and have
explicit timeouts; they are enqueued only through recruiter/queue.py.

config/cron.py schedules the fan-outs; the Sync page's "Sync now", the admin's actions and
start_demo enqueue ``sync_contract`` through ``queue.enqueue_sync``; the management command
runs the same ``run_sync`` in the foreground. Every way of starting a sync thus has the same
follow-ups (``after_sync``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone

from linkedin import LinkedInError
from recruiter import backfill, queue, search, seats, sync, usage
from recruiter.models import Contract, SyncRun

logger = logging.getLogger(__name__)

# Kept here for the callers that read them with the jobs (config/cron.py).
SYNC_TIMEOUT = queue.SYNC_TIMEOUT
RESCAN_TIMEOUT = queue.RESCAN_TIMEOUT
FAN_OUT_TIMEOUT = queue.FAN_OUT_TIMEOUT
INDEX_TIMEOUT = queue.INDEX_TIMEOUT


class SyncFailed(Exception):
    """Raised by the job of a failed run, so that RQ records the job as failed."""


def run_sync(
    contract_id: int,
    kind: str = SyncRun.Kind.SCHEDULED,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    full: bool = False,
    progress: sync.Progress | None = None,
) -> SyncRun:
    """Sync one contract and do the follow-ups; return the run. What every way of starting a
    sync runs (the job below, the management command)."""
    refused = _refused_by_budget(contract_id, kind)
    if refused is not None:
        return refused
    _seats_before_first_sync(contract_id)
    if str(kind) == SyncRun.Kind.RESCAN and since is None:
        run = sync.rescan_contract(contract_id, progress=progress)
    else:
        run = sync.sync_contract(
            contract_id, kind=kind, since=since, until=until, full=full, progress=progress
        )
    after_sync(run)
    return run


def _refused_by_budget(contract_id: int, kind: str) -> SyncRun | None:
    """A run that did not start because the application's daily call budget is spent."""
    contract = Contract.objects.defer("client_secret").get(pk=contract_id)
    reason = usage.budget_refusal(contract)
    if reason is None:
        return None
    logger.warning("sync of %s not started: %s", contract.urn, reason)
    return SyncRun.objects.create(
        contract=contract,
        kind=kind,
        status=SyncRun.Status.BUDGET,
        finished_at=timezone.now(),
        error=reason,
    )


def after_sync(run: SyncRun) -> None:
    """The follow-ups of a run, whatever started it."""
    # The sync leaves search vectors to this job so that its own writes stay cheap; a failed
    # run may have written notes too.
    if run.notes_created or run.notes_updated:
        try:
            queue.enqueue_search_index()
        except queue.QueueUnavailable:
            # The cron entry indexes whatever is pending every few minutes anyway.
            logger.warning("search index job not enqueued after run %s: queue unreachable", run.pk)


def sync_contract(
    contract_id: int, kind: str = SyncRun.Kind.SCHEDULED, since: dt.datetime | None = None
) -> dict[str, Any]:
    """The RQ job: sync one contract. A failed run logs at ERROR and fails the job."""
    held = _held_by_backfill(contract_id, kind)
    if held is not None:
        return summary(held)
    run = run_sync(contract_id, kind, since=since)
    if run.status == SyncRun.Status.FAILED:
        raise SyncFailed(f"sync of contract {contract_id} failed: {run.error}")
    return summary(run)


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
    """Enqueue a seat holders refresh of every active contract, once a day; return how many."""
    if not queue.claim_tick("seats", 24 * 60 * 60):
        return 0
    return sum(queue.enqueue_seats_refresh(pk).added for pk in _active_contract_ids())


def rescan_contract(contract_id: int) -> dict[str, Any]:
    return sync_contract(contract_id, SyncRun.Kind.RESCAN)


def backfill_slice(contract_id: int) -> dict[str, Any]:
    """The RQ job: one slice of a contract's first backfill (recruiter.backfill)."""
    _seats_before_first_sync(contract_id)
    result = backfill.run_slice(contract_id)
    queue.enqueue_search_index()
    return result


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


def sync_active_contracts() -> int:
    """Enqueue a sync of every active contract, once per scheduler tick; return how many."""
    if not queue.claim_tick("sync", _sync_period()):
        return 0
    return queue.fan_out_syncs(_scheduled_contract_ids(), SyncRun.Kind.SCHEDULED)


def rescan_active_contracts() -> int:
    """Enqueue a rescan of every active contract, once per day; return how many."""
    if not queue.claim_tick("rescan", 24 * 60 * 60):
        return 0
    return queue.fan_out_syncs(_scheduled_contract_ids(), SyncRun.Kind.RESCAN)


def enqueue_search_index() -> bool:
    """The cron entry for the search index: one job however many schedulers ask."""
    return queue.enqueue_search_index().added


def _active_contract_ids() -> list[int]:
    return list(Contract.objects.filter(active=True).values_list("pk", flat=True))


def _scheduled_contract_ids() -> list[int]:
    """Active contracts, but not those whose first backfill holds their syncs."""
    contracts = Contract.objects.filter(active=True).defer("client_secret")
    return [c.pk for c in contracts if not backfill.holds_regular_syncs(c)]


def _sync_period() -> int:
    return sync_interval_seconds()


def sync_interval_seconds() -> int:
    """The schedule's interval (config/cron.py registers the fan-out with it)."""
    return max(1, round(settings.SYNC_INTERVAL_MINUTES * 60))


def summary(run: SyncRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "status": run.status,
        "created": run.notes_created,
        "updated": run.notes_updated,
        "deactivated": run.notes_deactivated,
        "error": run.error,
    }
