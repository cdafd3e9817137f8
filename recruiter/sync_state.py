"""What the sync page shows of each contract, gathered in a fixed number of queries.

Shared by the page and its polling endpoint. A contract whose sync job is waiting in the queue
(recruiter.queue gives each contract fixed job ids) is "queued" from the click until the worker
starts the run, so the page says so at once and the "Sync now" button stays disabled. With the
queue unreachable the states are what the database knows, marked ``queue_unreachable``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince

from recruiter import orphans, queue
from recruiter.models import Contract, SyncRun


@dataclass
class ContractState:
    contract: Contract
    runs: list[SyncRun] = field(default_factory=list)
    pending: bool = False
    queue_unreachable: bool = False

    @property
    def latest(self) -> SyncRun | None:
        return self.runs[0] if self.runs else None

    @property
    def running(self) -> bool:
        return self.latest is not None and self.latest.status == SyncRun.Status.RUNNING

    @property
    def busy(self) -> bool:
        return self.running or self.pending

    @property
    def state(self) -> str:
        if self.running:
            return "running"
        if self.pending:
            return "queued"
        return self.latest.status if self.latest else "never"

    @property
    def progress(self) -> float:
        latest = self.latest
        if self.pending or latest is None:
            return 0.0
        if latest.status == SyncRun.Status.SUCCEEDED:
            return 100.0
        return max(0.0, min(100.0, latest.progress))

    def lag_text(self, now: dt.datetime | None = None) -> str:
        watermark = self.contract.watermark
        return timesince(watermark, now or timezone.now()) if watermark else "never synced"

    def as_json(self, now: dt.datetime) -> dict:
        latest = self.latest
        contract = self.contract
        return {
            "id": contract.pk,
            "state": self.state,
            "busy": self.busy,
            "progress": round(self.progress, 1),
            "lag": self.lag_text(now),
            "last_success_at": _iso(contract.last_success_at),
            "last_success": _shown(contract.last_success_at) or "never",
            "last_error": contract.last_error,
            "queue_unreachable": self.queue_unreachable,
            "run": None
            if latest is None
            else {
                "id": latest.pk,
                "status": latest.status,
                "kind": latest.kind,
                "progress": round(latest.progress, 1),
                "api_calls": latest.api_calls,
                "notes_created": latest.notes_created,
                "notes_updated": latest.notes_updated,
                "notes_deactivated": latest.notes_deactivated,
                "error": latest.error,
            },
        }


def contract_states(
    runs_per_contract: int, contracts: QuerySet[Contract] | None = None
) -> list[ContractState]:
    """The contracts (all by default) with their latest runs, newest first: two queries and one
    Redis round trip."""
    contracts = Contract.objects.all() if contracts is None else contracts
    # The client secret is encrypted at rest: never decrypted for a page that does not show it.
    contracts = contracts.defer("client_secret").order_by("name", "urn")
    states = {c.pk: ContractState(c) for c in contracts}
    unreachable = not _heal(list(states))
    ranked = SyncRun.objects.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("contract_id")],
            order_by=[F("started_at").desc(), F("id").desc()],
        )
    ).filter(rank__lte=runs_per_contract, contract__in=list(states))
    for run in ranked.order_by("contract_id", "-started_at", "-id"):
        if run.contract_id in states:
            run.contract = states[run.contract_id].contract  # no query per run for its str()
            states[run.contract_id].runs.append(run)
    if unreachable:
        for state in states.values():
            state.queue_unreachable = True
    else:
        _mark_pending(list(states.values()))
    return list(states.values())


def _heal(contract_ids: list[int]) -> bool:
    """Interrupt the runs whose worker is gone, so that the page (and Sync now) sees them as
    they are; False when the queue is unreachable."""
    try:
        orphans.interrupt_orphaned_runs(contract_ids)
    except queue.QueueUnavailable:
        return False
    return True


def _mark_pending(states: list[ContractState]) -> None:
    if not states:
        return
    wanted = [
        (state, job_id) for state in states for job_id in queue.contract_job_ids(state.contract.pk)
    ]
    try:
        waiting = queue.waiting_since([job_id for _, job_id in wanted])
    except queue.QueueUnavailable:
        for state in states:
            state.queue_unreachable = True
        return
    for state, job_id in wanted:
        if job_id not in waiting:
            continue
        latest = state.latest
        # Queued until the run this job starts shows up (its run begins after the enqueue).
        enqueued = waiting[job_id]
        if latest is None or enqueued is None or latest.started_at < enqueued:
            state.pending = True


def _shown(value: dt.datetime | None) -> str | None:
    """As the page's templates show a time (DATETIME_FORMAT, the user's time zone)."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else None


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None
