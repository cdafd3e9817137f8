"""What monitoring asks of the sync: are workers alive, and how far behind is each active
contract. Read by /healthz, /healthz/sync and /metrics (config/views.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from recruiter import backfill, queue
from recruiter.models import Contract


@dataclass(frozen=True)
class ContractLag:
    contract: Contract
    lag_seconds: float | None  # None: never synced
    backfilling: bool

    @property
    def alerting(self) -> bool:
        """Behind by more than SYNC_LAG_ALERT_MINUTES, or never synced (a first backfill
        under way is expected to be behind, and says so instead)."""
        if self.backfilling:
            return False
        limit = settings.SYNC_LAG_ALERT_MINUTES * 60
        return self.lag_seconds is None or self.lag_seconds > limit

    def as_json(self) -> dict:
        return {
            "contract": self.contract.urn,
            "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds),
            "backfilling": self.backfilling,
            "alert": self.alerting,
        }


def contract_lags(now: dt.datetime | None = None) -> list[ContractLag]:
    now = now or timezone.now()
    contracts = Contract.objects.filter(active=True).defer("client_secret").order_by("urn")
    return [
        ContractLag(
            contract,
            (now - contract.watermark).total_seconds() if contract.watermark else None,
            backfill.holds_regular_syncs(contract),
        )
        for contract in contracts
    ]


def workers_alive() -> int | None:
    """How many RQ workers beat their heartbeat; None when Redis does not answer."""
    try:
        return len(queue.workers())
    except queue.QueueUnavailable:
        return None


@dataclass(frozen=True)
class SyncHealth:
    workers: int | None
    lags: list[ContractLag]

    @property
    def problems(self) -> list[str]:
        found = []
        if self.workers is None:
            found.append("the job queue (Redis) is unreachable")
        elif self.workers == 0:
            found.append("no worker is alive")
        limit = settings.SYNC_LAG_ALERT_MINUTES
        for lag in self.lags:
            if lag.alerting:
                behind = (
                    "never synced"
                    if lag.lag_seconds is None
                    else f"{lag.lag_seconds / 60:.0f} minutes behind (alert at {limit:g})"
                )
                found.append(f"{lag.contract.urn} is {behind}")
        return found

    def as_json(self) -> dict:
        return {
            "status": "alert" if self.problems else "ok",
            "workers": self.workers,
            "lag_alert_minutes": settings.SYNC_LAG_ALERT_MINUTES,
            "contracts": [lag.as_json() for lag in self.lags],
            "problems": self.problems,
        }


def sync_health() -> SyncHealth:
    return SyncHealth(workers_alive(), contract_lags())
