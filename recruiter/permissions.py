"""Who sees what: the one place the dashboard's access rules are written.

Recruiting admins (staff, or members of the "Recruiting admins" group, created by migration
0007) see every seat, prospect and note, deleted notes included on request; a recruiter sees
the seats mapped to them, the active notes of those seats, and the prospects those notes are
about; anyone else sees nothing, and the views answer 403 rather than an empty page. Views,
forms, the home page and the navigation ask these functions; they never re-derive a rule.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from recruiter.models import Prospect, ProspectNote, Seat

RECRUITING_ADMINS = "Recruiting admins"

User = AbstractBaseUser | AnonymousUser


def _signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_recruiting_admin(user: User) -> bool:
    if not _signed_in(user):
        return False
    if user.is_staff:
        return True
    cached = getattr(user, "_is_recruiting_admin", None)
    if cached is None:
        cached = user.groups.filter(name=RECRUITING_ADMINS).exists()
        user._is_recruiting_admin = cached
    return cached


def visible_seats(user: User) -> QuerySet[Seat]:
    if is_recruiting_admin(user):
        return Seat.objects.all()
    if not _signed_in(user):
        return Seat.objects.none()
    return Seat.objects.filter(users=user)


def _visible_seat_ids(user: User) -> list[int]:
    cached = getattr(user, "_visible_seat_ids", None)
    if cached is None:
        cached = list(visible_seats(user).values_list("pk", flat=True))
        if _signed_in(user):
            user._visible_seat_ids = cached
    return cached


def can_view_notes(user: User) -> bool:
    """Recruiting admins, and recruiters holding at least one seat."""
    return is_recruiting_admin(user) or bool(_visible_seat_ids(user))


def can_view_sync(user: User) -> bool:
    """The sync's health, runs and "Sync now": recruiting admins only."""
    return is_recruiting_admin(user)


def visible_notes(user: User, *, include_deleted: bool = False) -> QuerySet[ProspectNote]:
    """The notes this user may see; deleted ones only for recruiting admins who ask for them.

    A recruiter's notes are filtered by their seat ids as a literal list, not by a join through
    the seat-user table: PostgreSQL would then expect one seat, and plan a count of a
    recruiter's notes as one bitmap scan per seat over the whole table (a quarter of a second
    on a million notes); with the literal list its statistics on owner_id apply, and the same
    count reads a few thousand rows in order (tens of milliseconds).
    """
    notes = ProspectNote.objects.all()
    admin = is_recruiting_admin(user)
    if not (include_deleted and admin):
        notes = notes.filter(active=True)
    if admin:
        return notes
    if not _signed_in(user):
        return notes.none()
    return notes.filter(owner_id__in=_visible_seat_ids(user))


def note_owners(user: User) -> list[int] | None:
    """The seat ids this user's visible notes are limited to (a recruiter's seats), or None
    when they are not limited by seat (recruiting admins): the search walks each seat's own
    index rather than the whole table's."""
    return None if is_recruiting_admin(user) else _visible_seat_ids(user)


def visible_prospects(user: User) -> QuerySet[Prospect]:
    """Every prospect for recruiting admins; for a recruiter, those their seats have an active
    note about (a prospect's name would leak otherwise)."""
    if is_recruiting_admin(user):
        return Prospect.objects.all()
    if not can_view_notes(user):
        return Prospect.objects.none()
    seen = visible_notes(user).filter(prospect=OuterRef("pk"))
    return Prospect.objects.filter(Exists(seen))


def can_view_prospect(user: User, prospect: Prospect) -> bool:
    return visible_prospects(user).filter(pk=prospect.pk).exists()


def can_view_seat(user: User, seat: Seat) -> bool:
    return is_recruiting_admin(user) or seat.pk in _visible_seat_ids(user)


def access_granters() -> list[str]:
    """Who can give a user access: the names of (up to five) recruiting admins and superusers,
    and the ACCESS_CONTACT setting (a team's name or address) when it is set."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=RECRUITING_ADMINS) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    names = [user.get_full_name() or user.get_username() for user in users[:5]]
    contact = getattr(settings, "ACCESS_CONTACT", "")
    return names + ([contact] if contact else [])
