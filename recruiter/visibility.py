"""permissions.visible_notes, shaped for the dashboard's queries.

visible_notes() limits a recruiter with a join through the seat-user table. PostgreSQL then
expects one seat, and plans a count of a recruiter's notes as one bitmap scan per seat over the
whole table (a quarter of a second on a million notes); with the seat ids as a literal list
its statistics on owner_id apply, and the same count reads a few thousand rows in order
(tens of milliseconds). The rule is the same: a recruiter sees the active notes of the seats
visible_seats() gives them; recruiting admins get visible_notes() itself.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from recruiter.models import ProspectNote
from recruiter.permissions import is_recruiting_admin, visible_notes, visible_seats


def seat_scoped_notes(
    user: AbstractBaseUser | AnonymousUser, *, include_deleted: bool = False
) -> QuerySet[ProspectNote]:
    if is_recruiting_admin(user):
        return visible_notes(user, include_deleted=include_deleted)
    seat_ids = list(visible_seats(user).values_list("pk", flat=True))
    # Deleted notes stay for recruiting admins only, whatever was asked.
    return ProspectNote.objects.filter(active=True, owner_id__in=seat_ids)
