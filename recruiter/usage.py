"""Our LinkedIn API calls, counted in Redis: per application per UTC day (LinkedIn's RSC
budget, 100,000 calls a day per application, reset at midnight UTC) and per endpoint and
status (the metrics). Every process adds to the same counters, so the Sync page, /metrics and
the budget check agree however many workers and web processes run.

New syncs stop starting once an application has used LINKEDIN_BUDGET_STOP_SHARE of its day:
what is left is for the syncs already running and for Sync now tomorrow, not for a retry storm.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from redis.exceptions import RedisError

from recruiter import queue
from recruiter.models import Contract

logger = logging.getLogger(__name__)

_DAY_KEY = "recruiter:api:day:{day}"  # hash: application -> calls that UTC day
_ENDPOINT_KEY = "recruiter:api:endpoints"  # hash: "endpoint status" -> calls, ever
_DAY_TTL = 3 * 24 * 60 * 60


@dataclass(frozen=True)
class Budget:
    application: str
    calls: int
    limit: int
    stop_share: float

    @property
    def share(self) -> float:
        return self.calls / self.limit if self.limit else 0.0

    @property
    def stopped(self) -> bool:
        return self.calls >= self.limit * self.stop_share

    def reason(self) -> str:
        return (
            f"Not started: application {self.application} has made {self.calls:,} of its "
            f"{self.limit:,} LinkedIn calls today (UTC); new syncs stop at "
            f"{self.stop_share:.0%} (LINKEDIN_BUDGET_STOP_SHARE) until midnight UTC."
        )


def application_of(contract: Contract) -> str:
    """The LinkedIn application a contract's calls count against (its client id)."""
    return contract.client_id or settings.LINKEDIN_CLIENT_ID or "unconfigured"


def today(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%d")


def record(application: str, calls: Mapping[tuple[str, str], int]) -> None:
    """Add ``calls`` ({(endpoint, status): n}) to the day's and the endpoints' counters.
    Raise queue.QueueUnavailable when Redis does not answer."""
    total = sum(calls.values())
    if not total:
        return
    day_key = _DAY_KEY.format(day=today())
    try:
        with queue.redis().pipeline(transaction=False) as pipe:
            pipe.hincrby(day_key, application, total)
            pipe.expire(day_key, _DAY_TTL)
            for (endpoint, status), n in calls.items():
                if n:
                    pipe.hincrby(_ENDPOINT_KEY, f"{endpoint} {status}", n)
            pipe.execute()
    except RedisError as exc:
        raise queue.QueueUnavailable(
            f"The job queue is unreachable ({type(exc).__name__})."
        ) from exc


def budgets(applications: Iterable[str]) -> list[Budget]:
    """Today's calls of each application, with the limit and stop share from the settings."""
    applications = sorted(set(applications))
    if not applications:
        return []
    try:
        values = queue.redis().hmget(_DAY_KEY.format(day=today()), applications)
    except RedisError as exc:
        raise queue.QueueUnavailable(
            f"The job queue is unreachable ({type(exc).__name__})."
        ) from exc
    limit = settings.LINKEDIN_DAILY_CALL_LIMIT
    share = settings.LINKEDIN_BUDGET_STOP_SHARE
    return [
        Budget(app, int(value or 0), limit, share)
        for app, value in zip(applications, values, strict=True)
    ]


def site_budgets() -> list[Budget]:
    """The budget of every application an active contract uses."""
    contracts = Contract.objects.filter(active=True).only("client_id")
    return budgets(application_of(c) for c in contracts)


def budget_refusal(contract: Contract) -> str | None:
    """Why a new sync of ``contract`` must not start now, or None. With Redis unreachable the
    budget is unknown: the sync starts (it needs Redis for its lock anyway)."""
    try:
        (budget,) = budgets([application_of(contract)])
    except queue.QueueUnavailable:
        return None
    return budget.reason() if budget.stopped else None


def endpoint_calls() -> dict[tuple[str, str], int]:
    """Every call counted so far, per (endpoint, status)."""
    try:
        raw = queue.redis().hgetall(_ENDPOINT_KEY)
    except RedisError as exc:
        raise queue.QueueUnavailable(
            f"The job queue is unreachable ({type(exc).__name__})."
        ) from exc
    counts = {}
    for field, value in raw.items():
        endpoint, _, status = (field.decode() if isinstance(field, bytes) else field).partition(" ")
        counts[(endpoint, status)] = int(value)
    return counts


class UsageMeter:
    """Sends a client's calls to the counters as they grow: what was sent is remembered, so
    each call is counted once however often ``flush`` runs."""

    def __init__(self, application: str) -> None:
        self.application = application
        self._sent: dict[tuple[str, str], int] = {}

    def flush(self, by_call: Mapping[tuple[str, str], int]) -> None:
        # A copy: the fetch thread adds to the client's counters meanwhile.
        current = dict(by_call)
        delta = {key: n - self._sent.get(key, 0) for key, n in current.items()}
        try:
            record(self.application, delta)
        except queue.QueueUnavailable:
            logger.warning("LinkedIn call counts not recorded: Redis unreachable")
            return
        self._sent = current
