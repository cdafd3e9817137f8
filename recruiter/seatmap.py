"""Which site users hold which seats: by person URN automatically, by hand where an admin says.

LinkedIn's advice is to match a site user to a seat holder by person URN. A user whose LinkedIn
identity (accounts.identity) is the holder of a listed, ACTIVE seat is mapped to it
automatically, and unmapped when the seat goes (no longer listed, or not ACTIVE any more) or
the identity does. What an admin does by hand is an override that the automatic rule leaves
alone: a seat mapped by hand stays mapped, and a user an admin removed from a seat stays off it
(SeatUserBlock) until an admin maps them again.

Every change sends ``seat_mapping_changed`` (after commit) with seat=, user=, mapped= (True or
False), source= ("auto" or "manual") and by= (the admin, or None): the audit log listens.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal

from accounts.models import LinkedInIdentity
from recruiter.models import Seat, SeatUser, SeatUserBlock

logger = logging.getLogger(__name__)

seat_mapping_changed = Signal()

AUTO = SeatUser.Source.AUTO
MANUAL = SeatUser.Source.MANUAL


def map_user(seat: Seat, user: AbstractBaseUser, *, by: AbstractBaseUser | None = None) -> bool:
    """An admin maps ``user`` to ``seat``: a manual mapping, which also lifts an earlier manual
    removal. Return whether the user was not mapped before."""
    with transaction.atomic():
        SeatUserBlock.objects.filter(seat=seat, user=user).delete()
        row, created = SeatUser.objects.get_or_create(
            seat=seat, user=user, defaults={"source": MANUAL}
        )
        if not created and row.source != MANUAL:
            row.source = MANUAL  # now the admin's: the automatic rule will not undo it
            row.save(update_fields=["source"])
        if created:
            _changed(seat, user, mapped=True, source=MANUAL, by=by)
    return created


def unmap_user(seat: Seat, user: AbstractBaseUser, *, by: AbstractBaseUser | None = None) -> bool:
    """An admin removes ``user`` from ``seat``; the automatic rule will not map them back.
    Return whether the user was mapped."""
    with transaction.atomic():
        deleted, _ = SeatUser.objects.filter(seat=seat, user=user).delete()
        SeatUserBlock.objects.get_or_create(seat=seat, user=user)
        if deleted:
            _changed(seat, user, mapped=False, source=MANUAL, by=by)
    return bool(deleted)


def refresh_auto_mappings(
    *, seats: QuerySet[Seat] | None = None, user_ids: Iterable[int] | None = None
) -> tuple[int, int]:
    """Bring the automatic mappings of these seats (or of these users) in line with the rule;
    return (mapped, unmapped). A fixed number of queries whatever the number of seats."""
    with transaction.atomic():
        seat_scope, user_scope = _scope(seats, user_ids)
        wanted = _wanted(seat_scope, user_scope)
        existing = SeatUser.objects.filter(**_filter(seat_scope, user_scope))
        rows = {(r.seat_id, r.user_id): r for r in existing.select_related("seat", "user")}
        blocked = set(
            SeatUserBlock.objects.filter(**_filter(seat_scope, user_scope)).values_list(
                "seat_id", "user_id"
            )
        )
        to_add = [pair for pair in wanted - rows.keys() if pair not in blocked]
        to_remove = [r for pair, r in rows.items() if r.source == AUTO and pair not in wanted]
        SeatUser.objects.bulk_create(SeatUser(seat_id=s, user_id=u, source=AUTO) for s, u in to_add)
        SeatUser.objects.filter(pk__in=[r.pk for r in to_remove]).delete()
        _announce(to_add, to_remove)
    return len(to_add), len(to_remove)


def _scope(
    seats: QuerySet[Seat] | None, user_ids: Iterable[int] | None
) -> tuple[list[int] | None, list[int] | None]:
    seat_ids = None if seats is None else list(seats.values_list("pk", flat=True))
    users = None if user_ids is None else list(user_ids)
    if seat_ids is None and users is None:
        seat_ids = list(Seat.objects.values_list("pk", flat=True))
    return seat_ids, users


def _filter(seat_ids: list[int] | None, user_ids: list[int] | None) -> dict[str, list[int]]:
    return {"seat_id__in": seat_ids} if seat_ids is not None else {"user_id__in": user_ids}


def _wanted(seat_ids: list[int] | None, user_ids: list[int] | None) -> set[tuple[int, int]]:
    """(seat, user) pairs the rule maps: LinkedIn lists the seat as ACTIVE and its holder is
    the user's LinkedIn identity."""
    seats = Seat.objects.filter(listed=True, state=Seat.State.ACTIVE).exclude(member="")
    identities = LinkedInIdentity.objects.all()
    if seat_ids is not None:
        seats = seats.filter(pk__in=seat_ids)
    else:
        identities = identities.filter(user_id__in=user_ids)
        seats = seats.filter(member__in=identities.values("person_urn"))
    holders = dict(seats.values_list("pk", "member"))
    users = dict(
        identities.filter(person_urn__in=set(holders.values())).values_list("person_urn", "user_id")
    )
    return {(seat, users[member]) for seat, member in holders.items() if member in users}


def _announce(added: list[tuple[int, int]], removed: list[SeatUser]) -> None:
    if not added and not removed:
        return
    seats = Seat.objects.in_bulk({s for s, _ in added})
    users = {u.pk: u for u in _users({u for _, u in added})}
    for seat_id, user_id in added:
        _changed(seats[seat_id], users[user_id], mapped=True, source=AUTO, by=None)
    for row in removed:
        _changed(row.seat, row.user, mapped=False, source=AUTO, by=None)


def _users(ids: set[int]) -> list[AbstractBaseUser]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(pk__in=ids)) if ids else []


def _changed(
    seat: Seat, user: AbstractBaseUser, *, mapped: bool, source: str, by: AbstractBaseUser | None
) -> None:
    logger.info(
        "seat %s %s user %s (%s)", seat.urn, "mapped to" if mapped else "unmapped from",
        user.pk, source,
    )  # fmt: skip
    transaction.on_commit(
        lambda: seat_mapping_changed.send(
            Seat, seat=seat, user=user, mapped=mapped, source=str(source), by=by
        )
    )


# Receivers of accounts' identity signals (connected in RecruiterConfig.ready). Both signals
# are sent after the identity's transaction commits.


def on_identity_linked(sender: object, identity: LinkedInIdentity, **kwargs: object) -> None:
    refresh_auto_mappings(user_ids=[identity.user_id])


def on_identity_unlinked(
    sender: object, user: AbstractBaseUser, person_urn: str, **kwargs: object
) -> None:
    refresh_auto_mappings(user_ids=[user.pk])
