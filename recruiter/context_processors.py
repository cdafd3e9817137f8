from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from recruiter.permissions import can_view_notes, can_view_sync, is_recruiting_admin


def roles(request: HttpRequest) -> dict:
    """What the layout needs to know of the user's role (lazy: no query unless a page asks).

    The navigation and the home page's tiles show only the pages these allow.
    """
    user = request.user
    return {
        "is_recruiting_admin": SimpleLazyObject(lambda: is_recruiting_admin(user)),
        "can_view_notes": SimpleLazyObject(lambda: can_view_notes(user)),
        "can_view_sync": SimpleLazyObject(lambda: can_view_sync(user)),
    }
