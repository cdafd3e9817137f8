"""Reading a contract's seats and their holders from LinkedIn (seatsV2).

``sync_seats`` is the one action the management command, the scheduled job, the admin's
"Refresh seats" and the first notes sync of a contract call. Seats are never deleted here: one
LinkedIn no longer lists is kept with its notes and marked ``listed=False``; its state (ACTIVE,
INACTIVE, INVITED, PARKED) is stored as LinkedIn sent it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.identity import remember_member_names
from linkedin import LinkedInError, SeatHolder
from recruiter import seatmap
from recruiter.linkedin import client_for
from recruiter.models import Contract, Seat

logger = logging.getLogger(__name__)

# Seats per request; LinkedIn caps count silently, and the paging walk follows what it answers.
PAGE_SIZE = 100
_FIELDS = ["holder_name", "member", "state", "roles", "listed", "listed_at"]


@dataclass(frozen=True)
class SeatSync:
    listed: int
    created: int
    gone: int
    mapped: int
    unmapped: int

    def __str__(self) -> str:
        return (
            f"{self.listed} seats listed ({self.created} new), {self.gone} no longer listed; "
            f"{self.mapped} users mapped, {self.unmapped} unmapped"
        )


def sync_seats(contract_id: int) -> SeatSync:
    """Read the contract's seat holders from LinkedIn and store them; raise LinkedInError
    (recorded on the contract and logged) when LinkedIn cannot be read."""
    contract = Contract.objects.defer("client_secret").get(pk=contract_id)
    try:
        holders = _fetch(contract)
    except LinkedInError as exc:
        logger.error("reading the seat holders of %s failed: %s", contract.urn, exc)
        Contract.objects.filter(pk=contract.pk).update(seats_error=str(exc)[:2000])
        raise
    with transaction.atomic():
        result = _store(contract, holders)
    logger.info("seat holders of %s: %s", contract.urn, result)
    return result


def _fetch(contract: Contract) -> list[SeatHolder]:
    with client_for(contract) as client:
        holders = client.iter_seat_holders([contract.urn], count=PAGE_SIZE)
        # Only this contract's (the finder takes several), one per seat id.
        return list({h.id: h for h in holders if h.contract in ("", contract.urn)}.values())


def _store(contract: Contract, holders: list[SeatHolder]) -> SeatSync:
    now = timezone.now()
    known = set(Seat.objects.filter(contract=contract).values_list("urn", flat=True))
    rows = [
        Seat(
            contract=contract,
            urn=h.urn,
            holder_name=h.name[:200],
            member=h.member[:200],
            state=h.state[:20],
            roles=list(h.roles),
            listed=True,
            listed_at=now,
        )
        for h in holders
    ]
    Seat.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["contract", "urn"], update_fields=_FIELDS
    )
    listed = {h.urn for h in holders}
    gone = (
        Seat.objects.filter(contract=contract, listed=True)
        .exclude(urn__in=listed)
        .update(listed=False)
    )
    Contract.objects.filter(pk=contract.pk).update(seats_synced_at=now, seats_error="")
    remember_member_names({h.member: h.name for h in holders if h.member}, source="seat")
    mapped, unmapped = seatmap.refresh_auto_mappings(seats=Seat.objects.filter(contract=contract))
    return SeatSync(len(holders), len(listed - known), gone, mapped, unmapped)
