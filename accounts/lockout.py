"""The page django-axes shows to a sign-in that is locked out (site and admin alike)."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

__all__ = ["lockout_response"]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """429 with a plain explanation: how long the lock lasts and who can lift it."""
    minutes = math.ceil(float(settings.AXES_COOLOFF_TIME) * 60)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)
