from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.preferences import TZ_COOKIE, remember_browser_time_zone, valid_time_zone


class TimeZoneMiddleware:
    """Show every page in the user's time zone: theirs if signed in (remembered, first taken
    from the browser), the browser's cookie for the sign-in page, else the site's TIME_ZONE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cookie = request.COOKIES.get(TZ_COOKIE)
        if request.user.is_authenticated:
            name = remember_browser_time_zone(request.user, cookie)
        else:
            name = valid_time_zone(cookie)
        if name:
            timezone.activate(name)
        else:
            timezone.deactivate()
        request.time_zone_chosen = bool(name)
        request.time_zone_name = timezone.get_current_timezone_name()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
