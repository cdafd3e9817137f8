"""The received and sent lists, and the on-demand refresh of both."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from linkedin.errors import LinkedInError
from recommendations import actions
from recommendations.forms import SentFilterForm, StatusFilterForm
from recommendations.models import LinkedInAccount
from recommendations.people import attach_names
from recommendations.views.common import linkedin_trouble, safe_next, with_account

RECEIVED_DEFAULT = ("PENDING",)
SENT_DEFAULT = ("PENDING", actions.ACCEPTED)


def _show(request: HttpRequest, account: LinkedInAccount, tab: str, form, listing) -> HttpResponse:
    if listing.error is not None:
        linkedin_trouble(request, listing.error, "fetch the latest requests; showing stored copies")
    for warning in listing.warnings:
        messages.warning(request, warning)
    attach_names(listing.requests)
    context = {
        "account": account,
        "tab": tab,
        "form": form,
        "requests": listing.requests,
        "stale_list": listing.error is not None,
    }
    return render(request, "recommendations/list.html", context)


@require_GET
@with_account
def received(request: HttpRequest, account: LinkedInAccount) -> HttpResponse:
    form = StatusFilterForm(
        request.GET or None,
        initial={"status": RECEIVED_DEFAULT},
        statuses=actions.FILTER_STATUSES,
        default=RECEIVED_DEFAULT,
    )
    listing = actions.list_received(account, form.statuses())
    return _show(request, account, "received", form, listing)


@require_GET
@with_account
def sent(request: HttpRequest, account: LinkedInAccount) -> HttpResponse:
    form = SentFilterForm(
        request.GET or None,
        initial={"status": SENT_DEFAULT},
        statuses=actions.FILTER_STATUSES,
        default=SENT_DEFAULT,
    )
    listing = actions.list_sent(account, form.statuses(), form.entities())
    return _show(request, account, "sent", form, listing)


@require_POST
@with_account
def refresh(request: HttpRequest, account: LinkedInAccount) -> HttpResponse:
    """Re-read every request of the member now (the periodic job does the same)."""
    try:
        count = actions.sync_account(account, interactive=True)
    except LinkedInError as exc:
        linkedin_trouble(request, exc, "refresh your requests")
    else:
        noun = "request" if count == 1 else "requests"
        messages.success(request, f"Refreshed from LinkedIn: {count} {noun} re-read in all.")
    return redirect(safe_next(request, "recommendations:received"))
