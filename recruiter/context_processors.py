from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from recruiter.permissions import is_recruiting_admin


def roles(request: HttpRequest) -> dict:
    """What the layout needs to know of the user's role (lazy: no query unless a page asks)."""
    return {"is_recruiting_admin": SimpleLazyObject(lambda: is_recruiting_admin(request.user))}
