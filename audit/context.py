"""The request's user, so that receivers of model signals (role and credential changes) know
who made the change without every caller passing it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)


def current_actor() -> Any:
    """The signed-in user of the current request, or None (a job, a command, no request)."""
    value = _actor.get()
    if isinstance(value, HttpRequest):
        user = getattr(value, "user", None)
        return user if user is not None and user.is_authenticated else None
    return value


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Entries recorded inside the block name this actor (a user or None for the system)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


class AuditActorMiddleware:
    """Remembers the request (not the user: reading request.user here would load it on every
    request) for the entries recorded while it runs. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(request):
            return self.get_response(request)
