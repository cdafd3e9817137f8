"""What the recruiter app erases about a person (registered with accounts.erasure), and the
purge both erasure and retention use: a note's text and member go, its tombstone stays."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from recruiter.models import Prospect, ProspectNote, PushEvent, Seat

ERASED = ProspectNote.DeletedBy.ERASED


def purge_notes(notes: QuerySet[ProspectNote], now: datetime | None = None) -> int:
    """Keep only the tombstone (contract, LinkedIn id, when) of these notes: no text, no
    member, never written again by the sync (purged_at). Return how many were purged."""
    now = now or timezone.now()
    count = notes.filter(purged_at__isnull=True).update(
        text="",
        prospect=None,
        active=False,
        deleted_at=Coalesce(F("deleted_at"), Value(now)),
        deleted_by=Case(When(deleted_by="", then=Value(ERASED)), default=F("deleted_by")),
        purged_at=now,
    )
    if count and connection.vendor == "postgresql":
        # The stored search vector holds the words of the text (recruiter.search).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE recruiter_prospectnote SET search_vector = ''::tsvector "
                "WHERE purged_at = %s AND search_vector IS DISTINCT FROM ''::tsvector",
                [now],
            )
    return count


def blank_push_bodies(events: QuerySet[PushEvent]) -> int:
    """Drop the bodies (the type, the note id and the outcome stay)."""
    return events.exclude(raw_body="").update(raw_body="")


class RecruiterEraser:
    def plan_member(self, person_urn: str) -> dict[str, int]:
        notes = ProspectNote.objects.filter(prospect__urn=person_urn)
        return {
            "notes": notes.count(),
            "contracts with notes": notes.values("contract").distinct().count(),
            "push events about the notes": _push_events_about(notes).exclude(raw_body="").count(),
            "prospect": Prospect.objects.filter(urn=person_urn).count(),
        }

    def erase_member(self, person_urn: str) -> dict[str, int]:
        prospect = Prospect.objects.filter(urn=person_urn).first()
        if prospect is None:
            return {"notes": 0, "push events about the notes": 0, "prospect": 0}
        notes = ProspectNote.objects.filter(prospect=prospect)
        events = blank_push_bodies(_push_events_about(notes))
        purged = purge_notes(notes)
        prospect.delete()
        return {"notes": purged, "push events about the notes": events, "prospect": 1}

    def names_of(self, person_urn: str) -> set[str]:
        return set(Prospect.objects.filter(urn=person_urn).values_list("name", flat=True))

    def erase_user(self, user: AbstractBaseUser, person_urn: str | None) -> dict[str, int]:
        mappings = Seat.users.through.objects.filter(user=user).delete()[0]
        return {"seat mappings": mappings}


def _push_events_about(notes: QuerySet[ProspectNote]) -> QuerySet[PushEvent]:
    condition = Q(pk__in=[])
    by_contract: dict[int, list[int]] = {}
    for contract_id, linkedin_id in notes.values_list("contract_id", "linkedin_id"):
        by_contract.setdefault(contract_id, []).append(linkedin_id)
    for contract_id, ids in by_contract.items():
        condition |= Q(contract_id=contract_id, prospect_note_id__in=ids)
    return PushEvent.objects.filter(condition)
