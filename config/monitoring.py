"""What the host's monitoring reads: /healthz (liveness: database and Redis, with the workers
and each active contract's lag for a human), /healthz/sync (503 for the monitors that page
someone: a contract behind by more than SYNC_LAG_ALERT_MINUTES, or no worker alive) and
/metrics (Prometheus, to a bearer token or loopback)."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from recruiter import health, metrics, queue

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health check: database did not answer")
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "redis": queue.ping()}
    ok = all(checks.values())
    body: dict = {
        "status": "ok" if ok else "unavailable",
        **{k: "up" if v else "down" for k, v in checks.items()},
        "workers": health.workers_alive() if checks["redis"] else None,
    }
    if checks["database"]:
        body["contracts"] = [lag.as_json() for lag in health.contract_lags()]
    return JsonResponse(body, status=200 if ok else 503)


@login_not_required
@never_cache
@require_GET
def healthz_sync(request: HttpRequest) -> JsonResponse:
    if not _database_ok():
        return JsonResponse({"status": "alert", "problems": ["the database is down"]}, status=503)
    report = health.sync_health()
    return JsonResponse(report.as_json(), status=503 if report.problems else 200)


@login_not_required
@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _may_scrape(request):
        return HttpResponse("Forbidden: a bearer token or loopback only.\n", status=403)
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)


def _may_scrape(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    # Through the reverse proxy every request comes from loopback: a forwarded one is not ours.
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
