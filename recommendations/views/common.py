"""What every view shares: loading the user's own account, and pages for the failure cases."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from linkedin.errors import LinkedInError
from recommendations.accounts import ReconnectNeeded, account_for
from recommendations.actions import visible_request
from recommendations.models import LinkedInAccount, RecommendationRequest

View = Callable[..., HttpResponse]


def connect_page(
    request: HttpRequest, account: LinkedInAccount | None, status: int = 200
) -> HttpResponse:
    """Ask the user to connect (or reconnect) their LinkedIn account."""
    return render(request, "recommendations/connect.html", {"account": account}, status=status)


def with_account(view: View) -> View:
    """Call ``view(request, account, ...)`` with the user's own connected account.

    A user without one, or whose tokens LinkedIn refuses, gets the connect page instead, at
    once or whenever an action finds out mid-way.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        account = account_for(request.user)
        if account is None or account.needs_reconnect:
            return connect_page(request, account)
        try:
            return view(request, account, *args, **kwargs)
        except ReconnectNeeded:
            account.refresh_from_db()
            return connect_page(request, account)

    return wrapper


def get_visible(account: LinkedInAccount, pk: int) -> RecommendationRequest:
    """The stored request if the account's member is in it; 404 otherwise (no hint it exists)."""
    found = visible_request(account, pk)
    if found is None:
        raise Http404("No such recommendation request.")
    return found


def linkedin_trouble(request: HttpRequest, exc: LinkedInError, doing: str) -> None:
    """Tell the user LinkedIn failed, in words that say whether trying again may help."""
    if exc.transient:
        text = (
            f"LinkedIn is not answering right now, so we could not {doing}. "
            f"Please try again in a moment. ({exc})"
        )
    else:
        text = f"LinkedIn refused to {doing}: {exc.message}"
    messages.error(request, text)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
