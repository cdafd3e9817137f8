"""The first backfill of a contract: all its history, in slices that yield to other work.

A backfill is a sync from backfill_start to the moment it was started. Each slice is one job
on the "backfill" queue: it runs ``sync.sync_contract`` from the backfill's cursor, stops at the
first window boundary after BACKFILL_SLICE_SECONDS (or when a pause was asked for), records
the cursor, and queues the next slice. Workers take the default queue first, so between two
slices every scheduled sync waiting there runs; one long backfill never holds a worker for
hours. A slice stops only after a window's notes are committed, and the next one starts from
that window's end (less the sync's usual overlap), so pausing loses and duplicates nothing.

While a backfill is unfinished the contract's own scheduled syncs are held
(``holds_regular_syncs``): they would start from the same watermark and walk the same years in
one job. The backfill's last slice queues a regular sync, which continues from there.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recruiter import queue, sync
from recruiter.models import Backfill, Contract, SyncRun

logger = logging.getLogger(__name__)

BACKFILL_YEARS = 2
# A slice skipped because another run of the contract held its lock waits this long before
# queueing itself again, so two workers do not spin on it.
SKIPPED_WAIT_SECONDS = 5.0
# A backfill said to be queued or running that has not moved for this long lost its job (a
# worker killed mid-slice): it may be resumed.
STALLED = dt.timedelta(minutes=15)
# A regular sync that would walk more than this of a backfill's range waits for the backfill.
HELD_BEHIND = dt.timedelta(days=1)

Status = Backfill.Status


def default_start() -> dt.datetime:
    """Midnight (site time), two years back: LinkedIn's onboarding asks for all history."""
    day = timezone.localdate() - dt.timedelta(days=365 * BACKFILL_YEARS)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def backfill_of(contract: Contract | int) -> Backfill | None:
    contract_id = contract if isinstance(contract, int) else contract.pk
    return Backfill.objects.filter(contract_id=contract_id).first()


def holds_regular_syncs(contract: Contract) -> bool:
    """Whether the contract's scheduled and manual syncs wait for its backfill.

    They do while a backfill is unfinished and a sync from the contract's watermark would walk
    more than a day of the backfill's range: a new contract's watermark moves with the
    backfill's cursor, and a sync from there would walk the remaining years in one job. A
    contract already synced to about the present keeps its schedule.
    """
    backfill = backfill_of(contract)
    if backfill is None or not backfill.unfinished:
        return False
    watermark = contract.watermark
    return watermark is None or backfill.end - watermark > HELD_BEHIND


def start_backfill(contract: Contract, *, now: dt.datetime | None = None) -> tuple[Backfill, bool]:
    """Start the contract's backfill; return it and whether it is new.

    An unfinished backfill is returned as it is (resume it instead); a finished one is
    replaced by a new one from backfill_start.
    """
    now = now or timezone.now()
    start = contract.backfill_start or default_start()
    if start >= now:
        raise ValueError("the backfill start is in the future: nothing to read yet")
    with transaction.atomic():
        existing = Backfill.objects.select_for_update().filter(contract=contract).first()
        if existing is not None and existing.unfinished:
            return existing, False
        if existing is not None:
            existing.delete()
        backfill = Backfill.objects.create(
            contract=contract, start=start, end=now, cursor=start, started_at=now, updated_at=now
        )
        _enqueue(backfill)
    return backfill, True


def pause_backfill(contract: Contract) -> Backfill | None:
    """Ask the backfill to pause: at once if it waits in the queue, else at the next window
    boundary of its running slice. None if there is nothing to pause."""
    with transaction.atomic():
        backfill = Backfill.objects.select_for_update().filter(contract=contract).first()
        if backfill is None or backfill.status not in (Status.QUEUED, Status.RUNNING):
            return None
        backfill.pause_requested = True
        if backfill.status == Status.QUEUED:
            backfill.status = Status.PAUSED  # the queued slice finds it paused and does nothing
        backfill.updated_at = timezone.now()
        backfill.save(update_fields=["pause_requested", "status", "updated_at"])
    return backfill


def resume_backfill(contract: Contract) -> Backfill | None:
    """Queue a paused, failed or stalled backfill again, from its cursor; None if there is
    nothing to resume."""
    with transaction.atomic():
        backfill = Backfill.objects.select_for_update().filter(contract=contract).first()
        if backfill is None or not can_resume(backfill):
            return None
        backfill.pause_requested = False
        backfill.status = Status.QUEUED
        backfill.error = ""
        backfill.updated_at = timezone.now()
        backfill.save(update_fields=["pause_requested", "status", "error", "updated_at"])
        _enqueue(backfill)
    return backfill


def can_resume(backfill: Backfill, now: dt.datetime | None = None) -> bool:
    if backfill.status in (Status.PAUSED, Status.FAILED):
        return True
    stalled = (now or timezone.now()) - backfill.updated_at > STALLED
    return backfill.status in (Status.QUEUED, Status.RUNNING) and stalled


def run_slice(contract_id: int) -> dict[str, Any]:
    """The job: walk the backfill from its cursor for one slice, then queue the next."""
    backfill = _claim(contract_id)
    if backfill is None:
        return {"backfill": None, "status": "nothing to do"}
    slice_ = _Slice(backfill)
    run = sync.sync_contract(
        contract_id,
        kind=SyncRun.Kind.BACKFILL,
        since=backfill.cursor,
        until=backfill.end,
        progress=slice_.progressed,
        stop=slice_.should_stop,
    )
    return slice_.finish(run)


def _claim(contract_id: int) -> Backfill | None:
    """Mark the backfill running if this slice is still wanted (not paused, not done)."""
    with transaction.atomic():
        backfill = Backfill.objects.select_for_update().filter(contract_id=contract_id).first()
        if backfill is None or backfill.status != Status.QUEUED:
            return None
        backfill.status = Status.RUNNING
        backfill.updated_at = timezone.now()
        backfill.save(update_fields=["status", "updated_at"])
    return backfill


class _Slice:
    """One slice's bookkeeping: live progress, when to stop, what comes next."""

    def __init__(self, backfill: Backfill) -> None:
        self.backfill = backfill
        self.started = time.monotonic()
        self.deadline = self.started + settings.BACKFILL_SLICE_SECONDS
        self.base_notes = backfill.notes
        self.base_calls = backfill.api_calls
        self.base_seconds = backfill.active_seconds

    def should_stop(self) -> bool:
        if time.monotonic() >= self.deadline:
            return True
        return Backfill.objects.filter(pk=self.backfill.pk, pause_requested=True).exists()

    def progressed(self, run: SyncRun) -> None:
        """After each window: the cursor, notes and time so far, for the Sync page."""
        if run.cursor is not None:
            self._record(run, cursor=run.cursor)

    def finish(self, run: SyncRun) -> dict[str, Any]:
        backfill = self.backfill
        if run.status == SyncRun.Status.SUCCEEDED:
            self._record(run, cursor=backfill.end, status=Status.DONE, finished_at=timezone.now())
            queue.enqueue_sync(backfill.contract_id, SyncRun.Kind.SCHEDULED)
        elif run.status == SyncRun.Status.STOPPED:
            self._stopped(run)
        elif run.status == SyncRun.Status.SKIPPED:
            # Another run holds the contract's lock (one started before the backfill, say).
            time.sleep(SKIPPED_WAIT_SECONDS)
            self._requeue_unless_paused(run)
        else:
            error = run.error or run.get_status_display()
            logger.error("backfill of contract %s stopped: %s", backfill.contract_id, error)
            self._record(
                run, cursor=run.cursor or backfill.cursor, status=Status.FAILED, error=error
            )
        return {"backfill": backfill.pk, "status": backfill.status, "run": run.pk}

    def _stopped(self, run: SyncRun) -> None:
        self._record(run, cursor=run.cursor or self.backfill.cursor)
        self._requeue_unless_paused(run)

    def _requeue_unless_paused(self, run: SyncRun) -> None:
        with transaction.atomic():
            backfill = Backfill.objects.select_for_update().get(pk=self.backfill.pk)
            status = Status.PAUSED if backfill.pause_requested else Status.QUEUED
            Backfill.objects.filter(pk=backfill.pk).update(
                status=status, slices=backfill.slices + 1, updated_at=timezone.now()
            )
            self.backfill.status = status
            if status == Status.QUEUED:
                _enqueue(self.backfill)

    def _record(self, run: SyncRun, *, cursor: dt.datetime, **fields: Any) -> None:
        backfill = self.backfill
        values: dict[str, Any] = {
            # Forward only: a slice never moves the cursor back.
            "cursor": max(cursor, backfill.cursor),
            "notes": self.base_notes + run.notes_created,
            "api_calls": self.base_calls + run.api_calls,
            "active_seconds": self.base_seconds + (time.monotonic() - self.started),
            "updated_at": timezone.now(),
            **fields,
        }
        if "status" in fields:
            values["slices"] = backfill.slices + 1
        Backfill.objects.filter(pk=backfill.pk).update(**values)
        for name, value in values.items():
            setattr(backfill, name, value)


def _enqueue(backfill: Backfill) -> None:
    queue.enqueue_backfill_slice(backfill.contract_id)
