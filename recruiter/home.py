"""The recruiter's start of the day on the home page: their latest notes, what changed since
their last visit, how fresh the synced data is, and for admins what needs their attention.

Each part is a few queries over indexes, whatever the number of notes: "their" notes are those
of the seats mapped to them (one index range per seat), and their edits are looked for among
the notes written in the last CHANGES_DAYS days, since no index on the modification time is
worth its cost to the sync. An admin holding no seat gets the sync's own totals since their
visit instead of a list of edits; deletions come from a partial index of the deleted notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from recruiter.models import Contract, ProspectNote, Seat, SyncRun
from recruiter.permissions import (
    can_view_notes,
    is_recruiting_admin,
    visible_notes,
    visible_seats,
)
from recruiter.sync_state import ContractState, contract_states

RECENT = 5
CHANGES = 10
CHANGES_DAYS = 30
UNMAPPED_SHOWN = 10
# A contract whose data trails now by more than this is flagged as stale.
STALE_AFTER = dt.timedelta(hours=2)

ROW_FIELDS = (
    "id",
    "text",
    "created",
    "last_modified",
    "active",
    "deleted_at",
    "owner__id",
    "owner__name",
    "owner__holder_name",
    "owner__urn",
    "prospect__id",
    "prospect__name",
    "prospect__urn",
)


@dataclass
class Freshness:
    state: ContractState

    @property
    def contract(self) -> Contract:
        return self.state.contract

    @property
    def failing(self) -> bool:
        """The last run failed, or an error came after the last success."""
        contract, latest = self.contract, self.state.latest
        if latest is not None and latest.status == SyncRun.Status.FAILED:
            return True
        if contract.last_error_at is None:
            return False
        return contract.last_success_at is None or contract.last_error_at > contract.last_success_at

    @property
    def stale(self) -> bool:
        lag = self.contract.lag
        return lag is None or lag > STALE_AFTER


@dataclass
class StartOfDay:
    since: dt.datetime | None
    recent: list[ProspectNote]
    changed: list[ProspectNote]
    deleted: list[ProspectNote]
    freshness: list[Freshness]
    unmapped_seats: list[Seat]
    unmapped_count: int
    synced: dict[str, int] | None = None

    @property
    def failing(self) -> list[Freshness]:
        return [f for f in self.freshness if f.failing]


def start_of_day(user: AbstractBaseUser, since: dt.datetime | None) -> StartOfDay | None:
    """What the home page shows a user who may see notes (None for anyone else); `since` is
    the start of their previous visit."""
    if not can_view_notes(user):
        return None
    admin = is_recruiting_admin(user)
    unmapped = Seat.objects.filter(users=None).order_by("name", "urn") if admin else None
    return StartOfDay(
        since=since,
        recent=list(_rows(own_notes(user))[:RECENT]),
        changed=changed_since(user, since),
        deleted=deleted_since(user, since) if admin else [],
        freshness=freshness(user),
        unmapped_seats=list(unmapped[:UNMAPPED_SHOWN]) if admin else [],
        unmapped_count=unmapped.count() if admin else 0,
        synced=synced_since(since) if admin and since else None,
    )


def _own_seat_ids(user: AbstractBaseUser) -> list[int]:
    return list(Seat.objects.filter(users=user).values_list("pk", flat=True))


def own_notes(user: AbstractBaseUser) -> QuerySet[ProspectNote]:
    """The notes of the seats mapped to the user; for an admin holding none, every note."""
    notes = visible_notes(user).filter(created__isnull=False)
    if is_recruiting_admin(user):
        seats = list(Seat.objects.filter(users=user).values_list("pk", "note_count"))
        if seats:
            # Only the seats with active notes (note_count, kept exact by the notes' triggers):
            # on a seat holding only deleted ones, the walk of its index would read them all
            # to find none.
            notes = notes.filter(owner_id__in=[pk for pk, count in seats if count])
    return notes.order_by("-created", "-id")


def changed_since(user: AbstractBaseUser, since: dt.datetime | None) -> list[ProspectNote]:
    """The user's seats' notes edited since `since` (written before it: new notes are in the
    recent list); none for an admin holding no seat (synced_since counts them instead)."""
    if since is None or not _own_seat_ids(user):
        return []
    notes = _window(own_notes(user), since).filter(last_modified__gt=since, created__lte=since)
    return list(_rows(notes)[:CHANGES])


def deleted_since(user: AbstractBaseUser, since: dt.datetime | None) -> list[ProspectNote]:
    """Notes deleted since `since`, latest first (admins only: recruiters see no deletions)."""
    if since is None:
        return []
    notes = visible_notes(user, include_deleted=True).filter(active=False, deleted_at__gt=since)
    return list(_rows(notes.filter(created__isnull=False).order_by("-deleted_at"))[:CHANGES])


def synced_since(since: dt.datetime) -> dict[str, int]:
    """What the sync wrote since `since`, by its runs' own counts."""
    totals = SyncRun.objects.filter(started_at__gte=since).aggregate(
        new=Sum("notes_created"), edited=Sum("notes_updated"), deleted=Sum("notes_deactivated")
    )
    return {key: value or 0 for key, value in totals.items()}


def freshness(user: AbstractBaseUser) -> list[Freshness]:
    """The sync's lag of each contract the user's notes come from (every active one for an
    admin), with its latest run."""
    if is_recruiting_admin(user):
        contracts = Contract.objects.filter(active=True)
    else:
        contracts = Contract.objects.filter(
            Q(pk__in=visible_seats(user).values("contract_id")), active=True
        )
    return [Freshness(state) for state in contract_states(1, contracts)]


def _window(notes: QuerySet[ProspectNote], since: dt.datetime) -> QuerySet[ProspectNote]:
    # Bounded on the created index: edits of older notes are left out.
    oldest = min(since, timezone.now()) - dt.timedelta(days=CHANGES_DAYS)
    return notes.filter(created__gte=oldest)


def _rows(notes: QuerySet[ProspectNote]) -> QuerySet[ProspectNote]:
    return notes.select_related("owner", "prospect").only(*ROW_FIELDS)
