"""Who may open which page: the checks every dashboard view starts with.

Login is already required by LoginRequiredMiddleware; these answer 403 to a signed-in user who
has no business here, rather than an empty page that would look like missing data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from recruiter.permissions import can_view_notes, is_recruiting_admin

View = Callable[..., HttpResponse]


def notes_viewer_required(view: View) -> View:
    """Recruiting admins and recruiters holding at least one seat."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_view_notes(request.user):
            raise PermissionDenied("You hold no recruiter seat.")
        return view(request, *args, **kwargs)

    return wrapper


def recruiting_admin_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_recruiting_admin(request.user):
            raise PermissionDenied("For recruiting admins only.")
        return view(request, *args, **kwargs)

    return wrapper
