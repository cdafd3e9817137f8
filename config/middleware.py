"""Site-wide response headers that are wiring rather than any app's business."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
