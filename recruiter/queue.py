"""The one door to the recruiter app's queues: the only module of the app that imports rq.

Everything that starts work in the background comes through here: enqueueing (after the
transaction commits, django-rq's default), the jobs' ids, whether a job is waiting, the fan-out
of the scheduled jobs, and what the health checks and metrics read of the queues. The job
functions themselves live in recruiter/jobs.py, as Zulip keeps its consumers apart from
``queue_json_publish``.

Job ids are deterministic (``sync-contract-<id>`` ...): a job whose id is already waiting is
not enqueued a second time, which is what keeps a double click, two schedulers or a stale page
from piling up work.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import django_rq
from django.conf import settings
from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job, JobStatus, get_current_job
from rq.queue import Queue
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.worker import Worker

logger = logging.getLogger(__name__)

QUEUE = "default"
# A first backfill of two years of a busy contract is the longest run; a run killed by the
# timeout is resumable anyway (the next one continues from the watermark).
SYNC_TIMEOUT = 6 * 60 * 60
RESCAN_TIMEOUT = 2 * 60 * 60
FAN_OUT_TIMEOUT = 5 * 60
SEATS_TIMEOUT = 10 * 60
# First backfills, in slices; workers listen to QUEUE first (recruiter.backfill).
BACKFILL_QUEUE = "backfill"
BACKFILL_SLICE_TIMEOUT = 30 * 60
INDEX_JOB_ID = "recruiter-index-notes"
INDEX_TIMEOUT = RESCAN_TIMEOUT
# The job states that mean "this job will still run" (or is running): the one definition.
WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED})
# Run kinds whose jobs share the rescan id (so a rescan never hides behind a waiting sync).
_RESCAN_KINDS = {"rescan"}

JobFunc = Callable[..., Any] | str


class QueueUnavailable(Exception):
    """Redis (the queue) did not answer; the message says so in words a page can show."""


@dataclass(frozen=True)
class Enqueued:
    """What an enqueue did: ``job_id``, and ``added`` False when that job was already waiting."""

    job_id: str
    added: bool


# -- connections -------------------------------------------------------------------------------


# One client, so one connection pool, per queue: django_rq.get_connection builds a new client on
# each call, whose first command opens a socket (the Sync page made five). Keyed by the queue's
# settings, so that a changed configuration gets a client of its own.
_clients: dict[str, tuple[str, Redis]] = {}


def redis(queue: str = QUEUE) -> Redis:
    """The Redis connection behind ``queue``, for the app's locks and claims."""
    config = repr(sorted(settings.RQ_QUEUES[queue].items()))
    cached = _clients.get(queue)
    if cached is None or cached[0] != config:
        cached = _clients[queue] = (config, django_rq.get_connection(queue))
    return cached[1]


def get_queue(name: str = QUEUE) -> Queue:
    return django_rq.get_queue(name, connection=redis(name))


def unavailable(exc: Exception) -> QueueUnavailable:
    logger.error("the job queue (Redis) is unreachable: %s", exc)
    return QueueUnavailable(f"The job queue is unreachable ({type(exc).__name__}).")


# -- job ids -----------------------------------------------------------------------------------


def sync_job_id(contract_id: int, kind: str = "manual") -> str:
    prefix = "rescan" if str(kind) in _RESCAN_KINDS else "sync"
    return f"{prefix}-contract-{contract_id}"


def rescan_job_id(contract_id: int) -> str:
    return sync_job_id(contract_id, "rescan")


def seats_job_id(contract_id: int) -> str:
    return f"seats-contract-{contract_id}"


def contract_job_ids(contract_id: int) -> tuple[str, ...]:
    """Every id a job for this contract's notes can have (what "busy" looks at)."""
    return (sync_job_id(contract_id), rescan_job_id(contract_id))


# -- enqueueing --------------------------------------------------------------------------------


def enqueue(
    func: JobFunc,
    *args: Any,
    job_id: str | None,
    queue: str = QUEUE,
    timeout: int,
    **kwargs: Any,
) -> Enqueued:
    """Enqueue ``func(*args, **kwargs)`` on ``queue`` under ``job_id`` unless a job with that
    id is waiting or running. ``func`` may be a dotted path ("recruiter.jobs.x"). ``job_id``
    None (say it explicitly) gives RQ's random id and no such check.

    Inside a transaction the job is enqueued when it commits (django-rq's commit mode): a
    worker must not look for rows that are not committed yet. Raise QueueUnavailable when
    Redis does not answer.
    """
    try:
        q = get_queue(queue)
        if job_id is not None and _waiting_job(q, job_id) is not None:
            return Enqueued(job_id, added=False)
        job = q.enqueue(func, args=args, kwargs=kwargs, job_id=job_id, job_timeout=timeout)
    except RedisError as exc:
        raise unavailable(exc) from exc
    return Enqueued(job_id or (job.id if job is not None else ""), added=True)


def enqueue_sync(
    contract_id: int, kind: str = "manual", *, since: dt.datetime | None = None
) -> Enqueued:
    """Enqueue a sync of one contract (the job every way of starting one runs: cron, Sync now,
    the admin's actions). ``since`` re-reads from that moment (the admin's rescan)."""
    kind = str(kind)
    timeout = RESCAN_TIMEOUT if kind in _RESCAN_KINDS else SYNC_TIMEOUT
    return enqueue(
        "recruiter.jobs.sync_contract",
        contract_id,
        kind,
        job_id=sync_job_id(contract_id, kind),
        timeout=timeout,
        **({"since": since} if since is not None else {}),
    )


def enqueue_seats_refresh(contract_id: int) -> Enqueued:
    """Read one contract's seat holders (recruiter.seats) in the background."""
    return enqueue(
        "recruiter.jobs.refresh_seats",
        contract_id,
        job_id=seats_job_id(contract_id),
        timeout=SEATS_TIMEOUT,
    )


def enqueue_backfill_slice(contract_id: int) -> Enqueued:
    """Queue the next slice of a first backfill on its own queue.

    No fixed job id: a slice queues the next one while it is itself still running. The
    backfill's status decides whether a slice does anything, so a doubled one is harmless.
    """
    return enqueue(
        "recruiter.jobs.backfill_slice",
        contract_id,
        job_id=None,
        queue=BACKFILL_QUEUE,
        timeout=BACKFILL_SLICE_TIMEOUT,
    )


def enqueue_search_index() -> Enqueued:
    """Index the notes the syncs wrote (recruiter.search), once however many syncs ask."""
    return enqueue(
        "recruiter.jobs.index_notes_for_search", job_id=INDEX_JOB_ID, timeout=INDEX_TIMEOUT
    )


def fan_out_syncs(contract_ids: Iterable[int], kind: str = "scheduled") -> int:
    """Enqueue a sync of each contract not already waiting; return how many were added."""
    return sum(enqueue_sync(contract_id, kind).added for contract_id in contract_ids)


def claim_tick(name: str, period_seconds: int) -> bool:
    """True for the first caller in each ``period_seconds`` slot of ``name``, False after.

    The cron scheduler has no leader election: with one on each of two hosts, every periodic
    job is enqueued twice. The fan-out jobs claim their tick first, so the second of the two
    does nothing. Slots are aligned to the epoch, so two schedulers started at different times
    still fall into the same slot.
    """
    slot = int(_tick_time() // period_seconds)
    key = f"recruiter:tick:{name}:{slot}"
    try:
        claimed = redis().set(key, "1", nx=True, ex=max(2 * period_seconds, 60))
    except RedisError as exc:
        raise unavailable(exc) from exc
    if not claimed:
        logger.info("tick %s %d already taken by another scheduler; nothing enqueued", name, slot)
    return bool(claimed)


def _tick_time() -> float:
    """When the tick happened: the enqueue time of the job asking (a fan-out that waited in a
    busy queue still claims its own slot), else now."""
    job = get_current_job()
    enqueued = job.enqueued_at if job is not None else None
    if enqueued is None:
        return time.time()
    if enqueued.tzinfo is None:
        enqueued = enqueued.replace(tzinfo=dt.UTC)
    return enqueued.timestamp()


# -- waiting jobs ------------------------------------------------------------------------------


def _waiting_job(q: Queue, job_id: str) -> Job | None:
    job = q.fetch_job(job_id)
    if job is None:
        return None
    return job if job.get_status(refresh=False) in WAITING else None


def is_waiting(job_id: str, queue: str = QUEUE) -> bool:
    try:
        return _waiting_job(get_queue(queue), job_id) is not None
    except RedisError as exc:
        raise unavailable(exc) from exc


def waiting_since(job_ids: list[str], queue: str = QUEUE) -> dict[str, dt.datetime | None]:
    """The waiting (or running) jobs among ``job_ids``, with when each was enqueued (UTC): one
    Redis round trip. Raise QueueUnavailable when Redis does not answer."""
    if not job_ids:
        return {}
    try:
        found = Job.fetch_many(job_ids, connection=redis(queue))
    except RedisError as exc:
        raise unavailable(exc) from exc
    waiting: dict[str, dt.datetime | None] = {}
    for job_id, job in zip(job_ids, found, strict=True):
        if job is None or job.get_status(refresh=False) not in WAITING:
            continue
        enqueued = job.enqueued_at or job.created_at
        if enqueued is not None and enqueued.tzinfo is None:
            enqueued = enqueued.replace(tzinfo=dt.UTC)
        waiting[job_id] = enqueued
    return waiting


# -- what monitoring reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStats:
    name: str
    queued: int
    started: int
    failed: int


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    hostname: str
    state: str
    queues: tuple[str, ...]
    last_heartbeat: dt.datetime | None


def ping(queue: str = QUEUE) -> bool:
    try:
        return bool(redis(queue).ping())
    except RedisError:
        logger.exception("the job queue (Redis) did not answer a ping")
        return False


def queue_stats(names: Iterable[str] | None = None) -> list[QueueStats]:
    """Depth of each configured queue: queued, started and failed jobs."""
    stats = []
    try:
        for name in names or settings.RQ_QUEUES:
            q = get_queue(name)
            stats.append(
                QueueStats(
                    name,
                    queued=q.count,
                    started=StartedJobRegistry(queue=q).count,
                    failed=FailedJobRegistry(queue=q).count,
                )
            )
    except RedisError as exc:
        raise unavailable(exc) from exc
    return stats


def workers(queue: str = QUEUE) -> list[WorkerInfo]:
    """The workers registered in Redis. RQ drops a worker whose heartbeat key expired (about a
    minute after it stopped beating), so each one listed is alive."""
    try:
        found = Worker.all(connection=redis(queue))
    except RedisError as exc:
        raise unavailable(exc) from exc
    return [
        WorkerInfo(
            name=w.name,
            hostname=str(w.hostname or ""),
            state=str(w.get_state()),
            queues=tuple(w.queue_names()),
            last_heartbeat=w.last_heartbeat,
        )
        for w in found
    ]


def running_job_ids(queue: str = QUEUE) -> set[str]:
    """Ids of the jobs a live worker is executing now (from the workers' own records)."""
    try:
        return {w.get_current_job_id() for w in Worker.all(connection=redis(queue))} - {None}
    except RedisError as exc:
        raise unavailable(exc) from exc


def rq_collector() -> Any:
    """django-rq's Prometheus collector (queues by state, workers), or None without
    prometheus_client. It reads Redis at scrape time, as ours does."""
    from django_rq.contrib.prometheus import RQCollector

    return RQCollector() if RQCollector is not None else None


def abandon_started(job_ids: Iterable[str], reason: str, queue: str = QUEUE) -> list[str]:
    """Mark the STARTED jobs among ``job_ids`` failed (``reason`` as their error) and take
    them out of the started registry: their worker is known to be gone, and RQ's own cleanup
    would only notice a minute or more later. Return the ids abandoned."""
    abandoned = []
    try:
        q = get_queue(queue)
        started = StartedJobRegistry(queue=q)
        failed = FailedJobRegistry(queue=q)
        for job in Job.fetch_many(list(job_ids), connection=q.connection):
            if job is None or job.get_status(refresh=False) != JobStatus.STARTED:
                continue
            started.remove_executions(job)
            job.set_status(JobStatus.FAILED)
            failed.add(job, exc_string=reason)
            abandoned.append(job.id)
    except RedisError as exc:
        raise unavailable(exc) from exc
    return abandoned
