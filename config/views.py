from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.preferences import record_visit
from recruiter import queue
from recruiter.home import start_of_day
from recruiter.permissions import access_granters

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health check: database did not answer")
        return False


def _redis_ok() -> bool:
    return queue.ping()


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    ok = all(checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        **{k: "up" if v else "down" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if ok else 503)


def home(request: HttpRequest) -> HttpResponse:
    """The start page: the recruiter's start of the day, or whom to ask for access."""
    since = record_visit(request.user)
    start = start_of_day(request.user, since)
    context = {"start": start, "granters": [] if start else access_granters()}
    return render(request, "home.html", context)
