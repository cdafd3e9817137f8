"""One recommendation request: create, show, accept, decline, withdraw, edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from linkedin.errors import LinkedInError
from recommendations import actions
from recommendations.forms import CreateRequestForm, EditRequestForm, new_creation_key
from recommendations.models import LinkedInAccount, RecommendationRequest
from recommendations.people import attach_names, colleagues
from recommendations.views.common import get_visible, linkedin_trouble, safe_next, with_account


@require_http_methods(["GET", "POST"])
@with_account
def create(request: HttpRequest, account: LinkedInAccount) -> HttpResponse:
    if request.method == "GET":
        form = CreateRequestForm(
            own_urn=account.person_urn,
            colleagues=colleagues(account.person_urn),
            initial={**request.GET.dict(), "creation_key": new_creation_key()},
        )
        return _create_page(request, account, form)
    form = CreateRequestForm(
        request.POST, own_urn=account.person_urn, colleagues=colleagues(account.person_urn)
    )
    if not form.is_valid():
        return _create_page(request, account, form, status=400)
    try:
        created = actions.create_request(
            account, request.user, form.cleaned_data["creation_key"], **form.linkedin_fields()
        )
    except actions.CreateInFlight as exc:
        messages.info(request, str(exc))
        return redirect("recommendations:sent")
    except LinkedInError as exc:
        form.add_error(None, f"LinkedIn did not create the request: {exc.message}")
        if exc.transient:
            form.add_error(None, "LinkedIn seems to be having trouble; try again in a moment.")
        return _create_page(request, account, form, status=502 if exc.transient else 400)
    if created.duplicate:
        messages.info(request, "This form was already sent: here is the request it created.")
    else:
        messages.success(request, "Recommendation request sent.")
    return redirect("recommendations:detail", pk=created.request.pk)


def _create_page(request, account, form, status: int = 200) -> HttpResponse:
    context = {"account": account, "form": form, "tab": "create"}
    return render(request, "recommendations/create.html", context, status=status)


@require_http_methods(["GET"])
@with_account
def detail(request: HttpRequest, account: LinkedInAccount, pk: int) -> HttpResponse:
    """Show one request, re-read from LinkedIn first; the stored copy if LinkedIn fails."""
    rec = get_visible(account, pk)
    fresh = True
    try:
        rec = actions.refresh_request(account, rec)
    except LinkedInError as exc:
        fresh = False
        linkedin_trouble(request, exc, "fetch the latest state; this is the stored copy")
    return _detail_page(request, account, rec, fresh)


def _detail_page(
    request: HttpRequest,
    account: LinkedInAccount,
    rec: RecommendationRequest,
    fresh: bool = True,
    status: int = 200,
) -> HttpResponse:
    role = rec.role_of(account)
    attach_names([rec])
    context = {
        "account": account,
        "rec": rec,
        "role": role,
        "fresh": fresh,
        "tab": "sent" if role == "requester" else "received",
    }
    return render(request, "recommendations/detail.html", context, status=status)


# verb -> (the action, who may do it, button text, question, done message)
CHANGES = {
    "accept": (
        actions.accept_request,
        "requestee",
        "Accept",
        "Accept this recommendation request?",
        "Request accepted.",
    ),
    "decline": (
        actions.decline_request,
        "requestee",
        "Decline",
        "Decline this recommendation request?",
        "Request declined.",
    ),
    "withdraw": (
        actions.withdraw_request,
        "requester",
        "Withdraw",
        "Withdraw this recommendation request? The member will no longer see it.",
        "Request withdrawn.",
    ),
}


@require_http_methods(["GET", "POST"])
@with_account
def change_status(
    request: HttpRequest, account: LinkedInAccount, pk: int, verb: str
) -> HttpResponse:
    """A confirmation page (GET) and the change itself (POST)."""
    action, role, button, question, done = CHANGES[verb]
    rec = get_visible(account, pk)
    if rec.role_of(account) != role:
        raise PermissionDenied(f"Only the request's {role} can {verb} it.")
    back = safe_next(request, "")
    if request.method == "GET":
        attach_names([rec])
        context = {
            "account": account,
            "rec": rec,
            "verb": verb,
            "button": button,
            "question": question,
            "next": back,
            "tab": "sent" if role == "requester" else "received",
        }
        return render(request, "recommendations/confirm.html", context)
    try:
        rec = action(account, rec)
    except actions.ActionRefused as exc:
        messages.error(request, exc.message)
        return _detail_page(request, account, exc.request or rec, status=409)
    except LinkedInError as exc:
        linkedin_trouble(request, exc, f"{verb} the request")
        return _detail_page(request, account, rec, fresh=False, status=502)
    if back:
        # The list it came from may not show the new status: say where the request is.
        link = reverse("recommendations:detail", args=[rec.pk])
        messages.success(request, format_html('{} <a href="{}">See the request</a>.', done, link))
        return redirect(back)
    messages.success(request, done)
    return redirect("recommendations:detail", pk=rec.pk)


@require_http_methods(["GET", "POST"])
@with_account
def edit(request: HttpRequest, account: LinkedInAccount, pk: int) -> HttpResponse:
    rec = get_visible(account, pk)
    if rec.role_of(account) != "requester":
        raise PermissionDenied("Only the request's requester can edit it.")
    form = EditRequestForm(request.POST or None, request_obj=rec)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect("recommendations:detail", pk=rec.pk)
        try:
            rec = actions.edit_request(account, rec, changes)
        except actions.ActionRefused as exc:
            messages.error(request, exc.message)
            return _detail_page(request, account, exc.request or rec, status=409)
        except LinkedInError as exc:
            form.add_error(None, f"LinkedIn did not save the change: {exc.message}")
        else:
            messages.success(request, "Request updated.")
            return redirect("recommendations:detail", pk=rec.pk)
    status = 400 if form.is_bound else 200
    attach_names([rec])
    context = {"account": account, "rec": rec, "form": form, "tab": "sent"}
    return render(request, "recommendations/edit.html", context, status=status)
