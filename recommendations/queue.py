"""The one door to the queue for the recommendations app: the only module of the app that
imports rq / django_rq. Enqueueing, the jobs' ids, and the Redis connection for its locks and
claims (recruiter.queue is the recruiter's; the two apps never import each other)."""

from __future__ import annotations

import logging
import time
from typing import Any

import django_rq
from redis import Redis
from redis.exceptions import RedisError
from rq.job import JobStatus, get_current_job

logger = logging.getLogger(__name__)

QUEUE = "default"
REFRESH_TIMEOUT = 300
FAN_OUT_TIMEOUT = 5 * 60
WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED})


def redis() -> Redis:
    return django_rq.get_connection(QUEUE)


def refresh_job_id(account_id: int) -> str:
    return f"refresh-linkedin-account-{account_id}"


def enqueue(func: Any, *args: Any, job_id: str, timeout: int, queue: str = QUEUE) -> bool:
    """Enqueue ``func(*args)`` under ``job_id`` unless that job is waiting; True if added."""
    q = django_rq.get_queue(queue)
    waiting = q.fetch_job(job_id)
    if waiting is not None and waiting.get_status(refresh=False) in WAITING:
        return False
    q.enqueue(func, args=args, job_id=job_id, job_timeout=timeout)
    return True


def enqueue_refresh(account_id: int) -> bool:
    return enqueue(
        "recommendations.jobs.refresh_account",
        account_id,
        job_id=refresh_job_id(account_id),
        timeout=REFRESH_TIMEOUT,
    )


def fan_out_refreshes(account_ids: list[int]) -> int:
    """One refresh job per account (none added for one already waiting); how many were added."""
    return sum(enqueue_refresh(account_id) for account_id in account_ids)


def claim_tick(name: str, period_seconds: int) -> bool:
    """True for the first caller in each epoch-aligned slot: two schedulers, one fan-out."""
    job = get_current_job()
    at = job.enqueued_at.timestamp() if job is not None and job.enqueued_at else time.time()
    key = f"recommendations:tick:{name}:{int(at // period_seconds)}"
    try:
        claimed = redis().set(key, "1", nx=True, ex=max(2 * period_seconds, 60))
    except RedisError:
        logger.exception("could not claim the %s tick", name)
        raise
    if not claimed:
        logger.info("tick %s already taken by another scheduler; nothing enqueued", name)
    return bool(claimed)
