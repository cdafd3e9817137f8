"""A user's preferences: their time zone (the browser's unless they pick one) and their visits.

Every page is shown in the user's time zone: TimeZoneMiddleware activates it, so printed times
and the days of the date filters are that user's. Until the user picks one, the browser's
zone (static/js/timezone.js puts it in the `tz` cookie) is taken and remembered.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from accounts.models import Preference

TZ_COOKIE = "tz"
# A visit ends after this long without a page: the next one starts a new visit.
VISIT_GAP = timedelta(minutes=30)


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def valid_time_zone(name: str | None) -> str | None:
    """`name` if it is an IANA time zone this machine knows, else None."""
    name = (name or "").strip()
    return name if name in time_zone_names() else None


def preference_for(user: AbstractBaseUser) -> Preference:
    """The user's preferences (unsaved defaults if they have none yet: pages that only read
    them cost one query, no write)."""
    cached = getattr(user, "_preference", None)
    if cached is None:
        cached = Preference.objects.filter(user=user).first() or Preference(user=user)
        user._preference = cached
    return cached


def _save(preference: Preference, *fields: str) -> None:
    if preference.pk is None:
        # Two first pages at once (two tabs) must not both insert: the second updates.
        saved, _ = Preference.objects.update_or_create(
            user=preference.user, defaults={name: getattr(preference, name) for name in fields}
        )
        preference.pk = saved.pk
    else:
        preference.save(update_fields=fields)


def set_time_zone(user: AbstractBaseUser, name: str) -> None:
    """Remember `name` (already validated) as the user's time zone."""
    preference = preference_for(user)
    preference.time_zone = name
    _save(preference, "time_zone")


def remember_browser_time_zone(user: AbstractBaseUser, cookie: str | None) -> str | None:
    """The user's time zone: the one remembered, else the browser's (then remembered)."""
    preference = preference_for(user)
    if preference.time_zone:
        return preference.time_zone
    browser = valid_time_zone(cookie)
    if browser:
        set_time_zone(user, browser)
    return browser


def record_visit(user: AbstractBaseUser, now: datetime | None = None) -> datetime | None:
    """Note that the user is here now; return when their previous visit started (None on the
    first). A visit lasts while pages follow each other within VISIT_GAP."""
    now = now or timezone.now()
    preference = preference_for(user)
    if preference.last_seen_at is None or now - preference.last_seen_at > VISIT_GAP:
        preference.previous_visit_at = preference.visit_started_at
        preference.visit_started_at = now
    preference.last_seen_at = now
    _save(preference, "previous_visit_at", "visit_started_at", "last_seen_at")
    return preference.previous_visit_at
