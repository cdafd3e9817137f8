from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.preferences import record_visit
from recruiter.home import start_of_day
from recruiter.permissions import access_granters


def home(request: HttpRequest) -> HttpResponse:
    """The start page: the recruiter's start of the day, or whom to ask for access."""
    since = record_visit(request.user)
    start = start_of_day(request.user, since)
    context = {"start": start, "granters": [] if start else access_granters()}
    return render(request, "home.html", context)
