"""Connecting and disconnecting the user's LinkedIn account (authorization-code flow)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from linkedin.errors import LinkedInError
from recommendations import accounts


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("recommendations:oauth_callback"))


@require_GET
def connect(request: HttpRequest) -> HttpResponse:
    """Send the user to LinkedIn's consent page.

    A link (GET), not a form: the CSP's form-action 'self' would block a form POST that
    redirects to LinkedIn in Chromium.
    """
    return HttpResponseRedirect(accounts.start_connect(request.session, _callback_url(request)))


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(
        request, "recommendations/connect_failed.html", {"message": message}, status=status
    )


@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """LinkedIn sends the user back here with a code (or an error) and our state."""
    try:
        accounts.check_state(request.session, request.GET.get("state"))
    except accounts.ConnectRefused as exc:
        return _refused(request, str(exc))
    if "error" in request.GET:
        if request.GET["error"] == "user_cancelled_authorize":
            text = "You cancelled the LinkedIn sign-in; nothing was connected."
        else:
            detail = request.GET.get("error_description") or request.GET["error"]
            text = f"LinkedIn did not connect your account: {detail}"
        messages.warning(request, text)
        return redirect("recommendations:received")
    code = request.GET.get("code")
    if not code:
        return _refused(request, "LinkedIn sent no authorization code back.")
    try:
        connection = accounts.finish_connect(request.user, code, _callback_url(request))
    except accounts.ConnectRefused as exc:
        return _refused(request, str(exc))
    except LinkedInError as exc:
        return _refused(
            request, f"LinkedIn could not complete the sign-in right now: {exc}", status=502
        )
    account = connection.account
    messages.success(request, f"LinkedIn connected as {account.name or account.person_urn}.")
    return redirect("recommendations:received")


@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    result = accounts.disconnect(request.user)
    if result is not None and result.revoke_error:
        messages.warning(
            request,
            "LinkedIn disconnected here and its tokens deleted, but LinkedIn did not confirm "
            f"the revocation ({result.revoke_error}): remove the app from your LinkedIn "
            "settings (Data privacy > Permitted services) to be sure.",
        )
    elif result is not None:
        messages.success(request, "LinkedIn disconnected; its token is revoked and deleted.")
    return redirect("recommendations:received")
