"""Who sees which notes.

Recruiting admins (staff, or members of the "Recruiting admins" group) see every note, deleted
ones included on request; a recruiter sees the notes of the seats mapped to them; anyone else
sees nothing, and the views answer 403 rather than an empty page.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from recruiter.models import ProspectNote, Seat

RECRUITING_ADMINS = "Recruiting admins"

User = AbstractBaseUser | AnonymousUser


def is_recruiting_admin(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
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
    if not user.is_authenticated or not user.is_active:
        return Seat.objects.none()
    return Seat.objects.filter(users=user)


def can_view_notes(user: User) -> bool:
    return is_recruiting_admin(user) or visible_seats(user).exists()


def visible_notes(user: User, *, include_deleted: bool = False) -> QuerySet[ProspectNote]:
    """The notes this user may see; deleted ones only for recruiting admins who ask for them."""
    notes = ProspectNote.objects.all()
    if not (include_deleted and is_recruiting_admin(user)):
        notes = notes.filter(active=True)
    if is_recruiting_admin(user):
        return notes
    if not user.is_authenticated or not user.is_active:
        return notes.none()
    return notes.filter(owner__users=user)
