"""The prospect-note sync: walk a contract's notes from its watermark to now in time windows.

``sync_contract`` is the one action the scheduled jobs, the management command and the
dashboard's "Sync now" all call; ``rescan_contract`` re-walks the last days to catch late edits
and deletions.

How a run walks (LinkedIn's guidance: at most 12 hours of range per call):
- each API call asks (cutoffDate, beforeDate] with beforeDate - cutoffDate <= window_hours,
  overlap included; consecutive windows overlap by overlap_minutes, and the first reaches that
  far behind the start, so a note written late with a slightly earlier timestamp is still seen;
- each window is fetched completely, page by page; pages are written in batches of whole
  pages, each by one bulk upsert in its own transaction (recruiter/upsert.py);
- the watermark moves to the window's end in the transaction of the batch that holds the
  window's last page (so with its notes, never before them), and only forward and without
  gaps: a failed run leaves it at the last complete window, a rerun continues there.
Pages are fetched in a thread, up to two batches ahead, while this thread writes; only this
thread touches the database (Django connections belong to their thread).
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from redis.exceptions import LockError

from linkedin import LinkedInClient, LinkedInError, ProspectNote
from recruiter.linkedin import client_for
from recruiter.locks import ContractLock
from recruiter.models import MAX_WINDOW_HOURS, Contract, SyncRun
from recruiter.upsert import EPOCH, PageCounts, ms_to_datetime, note_writer, relax_commit
from recruiter.usage import UsageMeter, application_of

logger = logging.getLogger(__name__)

FIRST_SYNC_DAYS = 30
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
PREFETCH_PAGES = 4
# Pages are written in batches of whole pages, one bulk upsert per batch: each batch has a
# fixed cost (its statements' planning and start-up, the commit, the run's progress) that a
# 100-note page does not amortise. Measured with the sandbox's data: about a third less
# PostgreSQL time per note at 1,000 notes than at 100, and the whole write a tenth faster again
# at 5,000 than at 2,000. A window whose last page is in a batch counts as done (watermark,
# progress) once the batch commits.
WRITE_BATCH_NOTES = 5000
# How long to wait for the fetch thread after a failure; it stops at its next page boundary,
# but may be inside an HTTP call with its own timeout. It is a daemon thread either way.
JOIN_SECONDS = 5.0

INTERRUPTED_TEXT = "Interrupted: the worker stopped before the run finished."

Progress = Callable[[SyncRun], None]
Stop = Callable[[], bool]


class _Stopped(Exception):
    """The walk stopped at a window boundary because its ``stop`` said so."""


@dataclass(frozen=True)
class Window:
    """One API call's date range: cutoffDate (exclusive) .. beforeDate (inclusive), epoch ms."""

    cutoff: int
    before: int


def to_ms(value: datetime) -> int:
    return (value - EPOCH) // timedelta(milliseconds=1)


def plan_windows(start_ms: int, end_ms: int, window_ms: int, overlap_ms: int) -> Iterator[Window]:
    """Windows of at most ``window_ms`` from ``start_ms - overlap_ms`` to ``end_ms``, each
    reaching ``overlap_ms`` back into the one before."""
    if not 0 <= overlap_ms < window_ms:
        raise ValueError("the overlap must be shorter than the window")
    cutoff = start_ms - overlap_ms
    while True:
        before = min(cutoff + window_ms, end_ms)
        yield Window(cutoff, before)
        if before >= end_ms:
            return
        cutoff = before - overlap_ms


def sync_contract(
    contract_id: int,
    *,
    kind: str = SyncRun.Kind.SCHEDULED,
    since: datetime | None = None,
    until: datetime | None = None,
    full: bool = False,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> SyncRun:
    """Sync one contract's notes and return the run that records it.

    From ``since``, else (``full``) from backfill_start ignoring the watermark, else from the
    watermark, else from backfill_start, else 30 days back; to ``until`` or now. LinkedIn
    errors end the run FAILED (THROTTLED for the daily quota) without raising; a second run
    while one holds the contract's lock returns at once as SKIPPED. Anything else (a bug, the
    database going away) is recorded on the run and raised.

    ``stop`` is asked after each window but the last: True ends the run STOPPED there, the
    window's notes written and the run's cursor at its end, where a later run can continue
    (recruiter.backfill walks in such slices).
    """
    lock = ContractLock(contract_id)
    if not lock.acquire():
        return SyncRun.objects.create(
            contract_id=contract_id,
            kind=kind,
            status=SyncRun.Status.SKIPPED,
            finished_at=timezone.now(),
            error="Another sync of this contract was running; this one did nothing.",
        )
    try:
        # Read under the lock: the watermark is the one the last run left.
        contract = Contract.objects.get(pk=contract_id)
        now = timezone.now()
        # Whole milliseconds, as LinkedIn's dates: the watermark is then exactly a window's end.
        end = _whole_ms(min(until or now, now))
        start = _whole_ms(_start(contract, since=since, full=full, now=now))
        if start > end:
            raise ValueError(f"nothing to sync: the range starts ({start}) after it ends ({end})")
        # Holding the lock, no other run is alive: a RUNNING one was killed (job timeout,
        # worker restart) and would otherwise show as running for ever.
        SyncRun.objects.filter(contract=contract, status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.INTERRUPTED, finished_at=now, error=INTERRUPTED_TEXT
        )
        run = SyncRun.objects.create(
            contract=contract, kind=kind, window_start=start, window_end=end, started_at=now
        )
        with _long_lived_objects_frozen():
            _Walk(contract, run, lock, progress, stop).run(start, end)
        return run
    finally:
        lock.release()


def rescan_contract(contract_id: int, *, progress: Progress | None = None) -> SyncRun:
    """Re-walk the last ``rescan_days`` days to catch edits and deletions of older notes,
    whichever date LinkedIn filters on. The watermark only ever moves forward."""
    contract = Contract.objects.get(pk=contract_id)
    since = timezone.now() - timedelta(days=contract.rescan_days)
    return sync_contract(contract_id, kind=SyncRun.Kind.RESCAN, since=since, progress=progress)


@contextmanager
def _long_lived_objects_frozen() -> Iterator[None]:
    """Keep the garbage collector off the objects that exist before the walk.

    A worker holds a few hundred thousand long-lived objects (Django, the apps, their
    modules); a walk allocates millions of short-lived ones (pages, records) and, as batches
    wait in the queue, promotes some to the oldest generation, whose collections then traverse
    everything again. gc.freeze() parks the existing objects where no collection looks; the
    walk's own garbage is collected as before.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _whole_ms(value: datetime) -> datetime:
    return ms_to_datetime(to_ms(value))


def _start(contract: Contract, *, since: datetime | None, full: bool, now: datetime) -> datetime:
    if since is not None:
        return since
    first = contract.backfill_start or now - timedelta(days=FIRST_SYNC_DAYS)
    if full or contract.watermark is None:
        return first
    return contract.watermark


class _Walk:
    """One run's walk over its windows: fetch, write, advance, record."""

    def __init__(
        self,
        contract: Contract,
        run: SyncRun,
        lock: ContractLock,
        progress: Progress | None,
        stop: Stop | None = None,
    ) -> None:
        self.contract = contract
        self.run_record = run
        self.lock = lock
        self.progress = progress
        self.stop = stop
        self.counts = PageCounts()
        self.watermark = contract.watermark
        self.client: LinkedInClient | None = None
        self.meter = UsageMeter(application_of(contract))

    def run(self, start: datetime, end: datetime) -> None:
        run = self.run_record
        try:
            self._walk(start, end)
        except _Stopped:
            run.status = SyncRun.Status.STOPPED
        except LinkedInError as exc:
            self._failed(exc, quota=exc.is_daily_quota)
        except LockError:
            self._failed(RuntimeError("lost the sync lock (its heartbeat could not renew it)"))
        except BaseException as exc:
            self._failed(exc)
            raise
        else:
            run.status = SyncRun.Status.SUCCEEDED
            run.progress = 100.0
            fields: dict[str, Any] = {"last_success_at": timezone.now()}
            if run.kind == SyncRun.Kind.RESCAN:
                fields["last_rescan_at"] = fields["last_success_at"]
            self._update_contract(**fields)
        finally:
            run.finished_at = timezone.now()
            self._record_counts()
            self._note_redis_outage()
            run.save()
            self._record_usage()
            self._log_outcome()

    def _record_usage(self) -> None:
        if self.client is not None:
            self.meter.flush(self.client.stats.by_call)

    def _note_redis_outage(self) -> None:
        """Say so when the run went on while Redis was away: its work is in the database,
        but for that time its lock could not be renewed."""
        seconds = self.lock.redis_outage_seconds
        if seconds > 0:
            note = (
                f"Redis was unreachable for about {seconds:.0f} s during the run; the sync "
                "lock could not be renewed meanwhile."
            )
            run = self.run_record
            run.error = f"{run.error} {note}".strip() if run.error else note

    def _log_outcome(self) -> None:
        run = self.run_record
        if run.status == SyncRun.Status.FAILED:
            # The run's error carries LinkedIn's request id, which LinkedIn support asks for.
            logger.error("sync of %s failed: %s", self.contract.urn, run.error)
        elif run.status == SyncRun.Status.THROTTLED:
            logger.warning("sync of %s throttled: %s", self.contract.urn, run.error)
        logger.info(
            "sync of %s %s: %d created, %d updated, %d deactivated, %d unchanged, "
            "%d pages, %d API calls, %d retries",
            self.contract.urn,
            run.status,
            run.notes_created,
            run.notes_updated,
            run.notes_deactivated,
            run.notes_unchanged,
            run.pages,
            run.api_calls,
            run.retries,
        )

    def _walk(self, start: datetime, end: datetime) -> None:
        contract = self.contract
        window_ms = min(max(contract.window_hours, 1), MAX_WINDOW_HOURS) * HOUR_MS
        overlap_ms = min(contract.overlap_minutes * MINUTE_MS, window_ms // 2)
        self.start_ms, self.end_ms = to_ms(start), to_ms(end)
        windows = plan_windows(self.start_ms, self.end_ms, window_ms, overlap_ms)
        self.client = client_for(contract)
        writer = note_writer(contract.pk)
        page_size = settings.LINKEDIN_PAGE_SIZE
        # Room for two batches, so the fetch thread never waits while a batch is written.
        depth = max(PREFETCH_PAGES, 2 * -(-WRITE_BATCH_NOTES // page_size))
        pump = PagePump(self.client, contract.urn, windows, count=page_size, depth=depth)
        batch: list[ProspectNote] = []
        finished: list[Window] = []  # windows whose last notes are in the batch

        def flush() -> None:
            if not batch and not finished:
                return
            # One transaction: the batch, then the watermark past the windows it completes.
            with transaction.atomic():
                if batch:
                    self.counts += writer.write(batch, timezone.now())
                    batch.clear()
                else:
                    relax_commit()  # the writer's merge relaxes its own commit
                self._windows_done(finished)
            self.lock.keep()
            self._record_usage()
            if self.progress is not None:
                for window in finished:
                    self._set_progress(window)
                    self.progress(self.run_record)
            finished.clear()

        with pump:
            for window, page in pump:
                if page is None:
                    finished.append(window)
                    stopping = self._should_stop(window)
                    if stopping or not batch:
                        flush()
                    if stopping:
                        raise _Stopped
                    continue
                batch.extend(page.elements)
                self.run_record.pages += 1
                if len(batch) >= WRITE_BATCH_NOTES:
                    flush()
            flush()

    def _should_stop(self, window: Window) -> bool:
        return self.stop is not None and window.before < self.end_ms and self.stop()

    def _windows_done(self, windows: list[Window]) -> None:
        """Record the run's progress past ``windows`` and advance the watermark over them."""
        reached = None
        for window in windows:
            end = ms_to_datetime(window.before)
            # Forward only, and only over a range walked without a gap: a run over a range
            # that starts after the watermark (an explicit --since) must not jump the part
            # between.
            wm = self.watermark
            if wm is None or (window.cutoff <= to_ms(wm) and end > wm):
                self.watermark = reached = end
        if reached is not None:
            Contract.objects.filter(pk=self.contract.pk).filter(
                Q(watermark__isnull=True) | Q(watermark__lt=reached)
            ).update(watermark=reached)
            self.contract.watermark = reached
        if windows:
            self._set_progress(windows[-1])
        self._record_counts()
        self.run_record.save(update_fields=_PROGRESS_FIELDS)

    def _set_progress(self, window: Window) -> None:
        run, span = self.run_record, self.end_ms - self.start_ms
        run.cursor = ms_to_datetime(window.before)
        progress = 100.0 * (window.before - self.start_ms) / span if span > 0 else 100.0
        run.progress = min(max(progress, 0.0), 100.0)

    def _record_counts(self) -> None:
        run, counts = self.run_record, self.counts
        run.notes_created = counts.created
        run.notes_updated = counts.updated
        run.notes_deactivated = counts.deactivated
        run.notes_unchanged = counts.unchanged
        if self.client is not None:
            run.api_calls = self.client.stats.calls
            run.retries = self.client.stats.retries

    def _failed(self, exc: BaseException, *, quota: bool = False) -> None:
        run = self.run_record
        message = _failure_text(exc)
        if quota:
            # Retrying before LinkedIn's quota resets (midnight UTC) only burns calls: stop
            # quietly, the next scheduled run continues from the watermark.
            run.status = SyncRun.Status.THROTTLED
            run.error = f"Stopped by LinkedIn's daily quota; the next run continues. ({message})"
            return
        run.status = SyncRun.Status.FAILED
        run.error = message
        try:
            self._update_contract(last_error=message, last_error_at=timezone.now())
        except Exception:
            logger.exception("could not record the failure on contract %s", self.contract.pk)

    def _update_contract(self, **fields: Any) -> None:
        # update(), not save(): the contract row may have been edited (admin) since we read it.
        Contract.objects.filter(pk=self.contract.pk).update(**fields)
        for name, value in fields.items():
            setattr(self.contract, name, value)


def _failure_text(exc: BaseException) -> str:
    """The run's error in words; for refused credentials, what to do about them."""
    if not isinstance(exc, LinkedInError):
        return f"{type(exc).__name__}: {exc}"
    text = str(exc)
    if exc.request_id:
        text += f" (request id {exc.request_id})"
    if exc.status in (401, 403) and not exc.transient:
        what = "the credentials" if exc.status == 401 else "access to this contract"
        text += (
            f". LinkedIn refused {what}: check the contract's client id, secret and URN in "
            "the admin, then use Test connection."
        )
    return text


_PROGRESS_FIELDS = [
    "cursor",
    "progress",
    "pages",
    "api_calls",
    "retries",
    "notes_created",
    "notes_updated",
    "notes_deactivated",
    "notes_unchanged",
]

_PAGE, _WINDOW_END, _DONE, _ERROR = "page", "window", "done", "error"


class PagePump:
    """Fetch every window's pages in a thread, a few pages ahead of the writer.

    Iterating yields (window, page) for each page and (window, None) once a window is
    complete; an error in the fetch thread is raised here. Leaving the ``with`` block, by the
    end or by an exception on either side, stops the thread at its next page.
    """

    def __init__(
        self,
        client: LinkedInClient,
        contract_urn: str,
        windows: Iterator[Window],
        *,
        count: int,
        depth: int = PREFETCH_PAGES,
    ) -> None:
        self._client = client
        self._contract_urn = contract_urn
        self._windows = windows
        self._count = count
        self._queue: queue.Queue[tuple[str, Any, Any]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fetch, name="note-fetch", daemon=True)

    def __enter__(self) -> PagePump:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(JOIN_SECONDS)
        if self._thread.is_alive():
            logger.warning("the note fetch thread is still in a LinkedIn call; left to finish")

    def __iter__(self) -> Iterator[tuple[Window, Any]]:
        while True:
            try:
                kind, window, payload = self._queue.get(timeout=1.0)
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    raise RuntimeError("the note fetch thread ended without a word") from None
                continue
            if kind == _PAGE:
                yield window, payload
            elif kind == _WINDOW_END:
                yield window, None
            elif kind == _ERROR:
                raise payload
            else:
                return

    def _fetch(self) -> None:
        try:
            for window in self._windows:
                pages = self._client.iter_prospect_note_pages(
                    self._contract_urn,
                    before=window.before,
                    cutoff=window.cutoff,
                    count=self._count,
                )
                for page in pages:
                    if not self._put((_PAGE, window, page)):
                        return
                if not self._put((_WINDOW_END, window, None)):
                    return
            self._put((_DONE, None, None))
        except BaseException as exc:  # handed to the writer's thread, which raises it
            self._put((_ERROR, None, exc))
        finally:
            self._client.close()

    def _put(self, item: tuple[str, Any, Any]) -> bool:
        """Queue an item unless the consumer has stopped; False means stop fetching."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False
