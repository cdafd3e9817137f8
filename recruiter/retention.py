"""Keeping nothing longer than needed: the daily retention job and what the Sync page warns of.

- a deleted note keeps its text and member RETENTION_DELETED_NOTE_DAYS after its deletion (long
  enough to restore a mistake), then only its tombstone stays (recruiter.erasure.purge_notes),
  which the sync never writes again;
- push event bodies go after RETENTION_PUSH_BODY_DAYS (type, note id and outcome stay);
- sync runs go after RETENTION_SYNC_RUN_DAYS, except each contract's latest;
- a prospect left with no note keeps only its URN (no name, no link);
- an ended contract (an admin set ended_at, or LinkedIn disabled the integration and
  RETENTION_DISABLED_CONTRACT_GRACE_DAYS have passed) has all its notes purged and is no longer
  synced.
Each run records its counts in the audit log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

import audit
from audit.models import Action
from recruiter.erasure import blank_push_bodies, purge_notes
from recruiter.models import Contract, Prospect, ProspectNote, PushEvent, SyncRun

logger = logging.getLogger(__name__)

DISABLED = "DISABLED"  # LinkedIn's INTEGRATION_STATUS_CHANGE status that turns a contract off


@dataclass(frozen=True)
class Policy:
    deleted_note_days: int
    push_body_days: int
    sync_run_days: int
    disabled_grace_days: int

    @classmethod
    def from_settings(cls) -> Policy:
        return cls(
            settings.RETENTION_DELETED_NOTE_DAYS,
            settings.RETENTION_PUSH_BODY_DAYS,
            settings.RETENTION_SYNC_RUN_DAYS,
            settings.RETENTION_DISABLED_CONTRACT_GRACE_DAYS,
        )

    def as_rows(self) -> list[tuple[str, str, str]]:
        """(what, how long, setting) for the admin page."""
        return [
            ("Deleted notes: text and member", f"{self.deleted_note_days} days after deletion",
             "RETENTION_DELETED_NOTE_DAYS"),
            ("Push event bodies", f"{self.push_body_days} days", "RETENTION_PUSH_BODY_DAYS"),
            ("Sync runs (each contract's latest always kept)", f"{self.sync_run_days} days",
             "RETENTION_SYNC_RUN_DAYS"),
            ("Notes of a contract LinkedIn disabled", f"{self.disabled_grace_days} days' grace",
             "RETENTION_DISABLED_CONTRACT_GRACE_DAYS"),
            ("Notes of a contract an admin ended", "until the next daily run", "Contract.ended_at"),
        ]  # fmt: skip


def purge_due_at(contract: Contract, policy: Policy | None = None) -> datetime | None:
    """When the contract's notes are to be purged, or None while it runs."""
    policy = policy or Policy.from_settings()
    if contract.ended_at:
        return contract.ended_at
    # Recorded from LinkedIn's INTEGRATION_STATUS_CHANGE push events (recruiter.push).
    if contract.integration_status == DISABLED and contract.integration_status_at is not None:
        return contract.integration_status_at + timedelta(days=policy.disabled_grace_days)
    return None


@dataclass(frozen=True)
class EndNotice:
    """The Sync page's warning for a contract whose notes are about to go."""

    purge_at: datetime
    ended_by_admin: bool

    @property
    def overdue(self) -> bool:
        return self.purge_at <= timezone.now()


def end_notice(contract: Contract) -> EndNotice | None:
    """No query: the contract's own fields."""
    due = purge_due_at(contract)
    return EndNotice(due, bool(contract.ended_at)) if due else None


def apply_retention(now: datetime | None = None) -> dict[str, int]:
    """One retention pass (idempotent); return and audit what it removed."""
    now = now or timezone.now()
    policy = Policy.from_settings()
    with transaction.atomic():
        counts = {
            "deleted note texts purged": purge_notes(
                ProspectNote.objects.filter(
                    deleted_at__lt=now - timedelta(days=policy.deleted_note_days),
                    purged_at__isnull=True,
                ),
                now,
            ),
            "push event bodies dropped": blank_push_bodies(
                PushEvent.objects.filter(
                    received_at__lt=now - timedelta(days=policy.push_body_days)
                )
            ),
            "sync runs deleted": _old_runs(now - timedelta(days=policy.sync_run_days)),
            **_purge_ended_contracts(now, policy),
        }
        counts["names of prospects with no note left dropped"] = _forget_orphan_names()
        audit.record(Action.RETENTION_PURGE, actor=None, policy=policy.__dict__, **counts)
    logger.info("retention: %s", counts)
    return counts


def _forget_orphan_names() -> int:
    """A prospect whose every note was purged keeps only its URN. The row itself stays: a
    running sync may hold its id (the notes table has no foreign key constraint to catch a
    dangling one)."""
    orphans = Prospect.objects.filter(~Exists(ProspectNote.objects.filter(prospect=OuterRef("pk"))))
    return orphans.exclude(name="", url="").update(name="", url="")


def _old_runs(before: datetime) -> int:
    latest = SyncRun.objects.values("contract").annotate(last=Max("id")).values("last")
    old = SyncRun.objects.filter(started_at__lt=before).exclude(status=SyncRun.Status.RUNNING)
    return old.exclude(id__in=latest).delete()[0]


def _purge_ended_contracts(now: datetime, policy: Policy) -> dict[str, int]:
    contracts = purged = 0
    for contract in Contract.objects.defer("client_secret"):
        due = purge_due_at(contract, policy)
        if due is None or due > now:
            continue
        count = purge_notes(ProspectNote.objects.filter(contract=contract), now)
        if contract.active:
            Contract.objects.filter(pk=contract.pk).update(active=False)
        if count:
            contracts += 1
            purged += count
            audit.record(Action.CONTRACT_PURGE, actor=None, target=contract, notes=count)
    return {"ended contracts purged": contracts, "ended contracts' notes purged": purged}


def retention_job() -> dict[str, int] | None:
    """The daily job (config/cron.py): once a day however many schedulers fire (a second run
    would purge nothing, but log an empty run)."""
    from recruiter import queue

    if not queue.claim_tick("retention", 24 * 60 * 60):
        return None
    return apply_retention()
