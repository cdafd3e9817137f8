"""django-rq's dashboard (/admin/rq/), for superusers only, under a CSP scoped to its pages.

django-rq guards its views with staff_member_required, so any staff user could empty queues
and requeue or delete jobs, even one refused on every admin page: each view is wrapped here to
need an active superuser. Its pages carry a few static inline <style> blocks and style
attributes; rather than loosen the site's policy, these pages alone allow those exact styles by
hash (computed from the installed templates, so an upgrade of django-rq keeps working). Its
inline scripts are replaced (templates/django_rq/). A lookup of something that is not there (a
queue index, a job, a worker, a scheduler) is a 404, and any other failure a logged 503, never
a 500.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path

import django_rq
from csp.decorators import csp_update
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, reverse
from django_rq.queues import get_queues_list
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns
from rq.job import Job
from rq.worker import Worker

__all__ = ["rq_urlpatterns", "superuser_dashboard"]

logger = logging.getLogger(__name__)

_TEMPLATES = Path(django_rq.__file__).resolve().parent / "templates" / "django_rq"
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle="([^"{}]*)\"""")


def _hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@cache
def style_hashes() -> tuple[str, ...]:
    """CSP sources for every static <style> block and style attribute of django-rq's pages."""
    found: set[str] = set()
    for template in sorted(_TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        blocks = _STYLE_BLOCK.findall(text)
        found.update(_hash(b) for b in blocks if "{{" not in b and "{%" not in b)
        found.update(_hash(m) for m in _STYLE_ATTRIBUTE.findall(text))
    return tuple(sorted(found))


def _scoped_csp() -> dict[str, list[str]]:
    return {"style-src": ["'unsafe-hashes'", *style_hashes()]}


def superuser_dashboard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap one django-rq view: superusers only, missing things 404, failures a logged 503."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_superuser):
            raise PermissionDenied("The job queue dashboard is for superusers.")
        _check_exists(kwargs)
        try:
            return view(request, *args, **kwargs)
        except (Http404, PermissionDenied):
            raise
        except Exception as exc:
            logger.exception("django-rq page %s failed", request.path)
            context = {"error": f"{type(exc).__name__}: {exc}"}
            return render(request, "rq_dashboard_error.html", context, status=503)

    return csp_update(_scoped_csp())(wrapper)


def _check_exists(kwargs: dict) -> None:
    queues = get_queues_list()
    for name in ("queue_index", "scheduler_index", "connection_index"):
        if name in kwargs and not 0 <= int(kwargs[name]) < len(queues):
            raise Http404("No such queue.")
    if "scheduler_index" in kwargs:
        try:
            import rq_scheduler  # noqa: F401 (django-rq's schedulers page needs it)
        except ImportError:
            raise Http404("No rq-scheduler here: periodic jobs run from config/cron.py.") from None
    if "queue_index" not in kwargs:
        return
    connection = django_rq.get_queue(queues[int(kwargs["queue_index"])]["name"]).connection
    if "job_id" in kwargs and not Job.exists(kwargs["job_id"], connection=connection):
        raise Http404("No such job.")
    if "key" in kwargs and (
        not kwargs["key"].startswith(Worker.redis_worker_namespace_prefix)
        or Worker.find_by_key(kwargs["key"], connection=connection) is None
    ):
        raise Http404("No such worker.")


def rq_urlpatterns() -> tuple[list[URLPattern], str]:
    """django-rq's URL patterns, each view wrapped, for include() under its own namespace."""
    # The JSON stats and metrics views take an API token instead of a session in django-rq;
    # no token is configured here, so they are behind the same rule.
    api = [
        URLPattern(p.pattern, superuser_dashboard(p.callback), p.default_args, p.name)
        for p in get_api_urlpatterns()
    ]
    return get_admin_urlpatterns(view_wrapper=superuser_dashboard) + api, "django_rq"
