"""Site-wide response headers that are wiring rather than any app's business."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import patch_cache_control


def private_no_store(get_response: Callable[[HttpRequest], HttpResponse]):
    """Every page a signed-in user gets may hold notes or names: no shared cache (a proxy)
    and no disk cache (the browser's) may keep it. Static files never reach this (WhiteNoise
    answers them first)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def reject_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """A NUL in the path or a query parameter is a 400 before any view sees it: PostgreSQL
    refuses NUL in text, so a view passing the value to a query would fail with a 500. (Form
    fields already refuse NUL; query parameters read directly did not.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                "The address holds a NUL character.", content_type="text/plain"
            )
        return get_response(request)

    return middleware
