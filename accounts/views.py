"""Sign In with LinkedIn: the link on the login page and LinkedIn's way back.

Both need no login. A failure renders the login page with the reason and sends Django's
``user_login_failed``, so throttling and the audit log count it like a wrong password.
"""

from __future__ import annotations

import logging

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth import login, user_login_failed
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from accounts import oidc, signin

logger = logging.getLogger(__name__)

NEXT_KEY = "accounts.linkedin_next"
# The model backend: the user is found by LinkedIn, not by a password, but Django must be
# told which backend vouches for the session.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:linkedin_callback"))


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_not_required
@require_GET
def linkedin_login(request: HttpRequest) -> HttpResponse:
    """Send the visitor to LinkedIn (a link, not a form: CSP form-action is 'self')."""
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
    try:
        return oidc.start(request, _callback_url(request))
    except oidc.LinkedInUnavailable as exc:
        logger.error("Sign in with LinkedIn could not start: %s", exc)
        return _login_page(request, "LinkedIn is not answering right now; please try again.", 502)


@login_not_required
@require_GET
def linkedin_callback(request: HttpRequest) -> HttpResponse:
    """Check LinkedIn's answer, find or make the site user, sign them in."""
    # Throttled like the password form: failures without a member LinkedIn vouched for count
    # against "linkedin" from this address, a refused member against that member.
    if locked := _lockout(request, "linkedin"):
        return locked
    try:
        member = oidc.finish(request)
        if locked := _lockout(request, f"linkedin:{member.person_urn}"):
            return locked
        user, created = signin.user_for(member)
    except oidc.SignInRefused as exc:
        logger.warning("Sign in with LinkedIn refused: %s", exc.cause)
        _failed(request, exc.cause, exc.who)
        return _login_page(request, exc.message, 403)
    except oidc.LinkedInUnavailable as exc:
        logger.error("Sign in with LinkedIn failed: %s", exc)
        _failed(request, str(exc))
        return _login_page(request, "LinkedIn is not answering right now; please try again.", 502)
    login(request, user, backend=BACKEND)
    for receiver, outcome in signin.linkedin_signed_in.send_robust(
        sender=signin, user=user, member=member
    ):
        if isinstance(outcome, Exception):
            logger.error(
                "after LinkedIn sign-in of user %s, %s failed: %r", user.pk, receiver, outcome
            )
    logger.info("user %s signed in with LinkedIn%s", user.pk, " (new account)" if created else "")
    return redirect(request.session.pop(NEXT_KEY, "") or "home")


def _lockout(request: HttpRequest, username: str) -> HttpResponse | None:
    """django-axes' lockout page when this sign-in is locked out, else None."""
    credentials = {"username": username}
    if AxesProxyHandler.is_allowed(request, credentials):
        return None
    return get_lockout_response(request, credentials=credentials)


def _failed(request: HttpRequest, cause: str, who: str = "") -> None:
    # No token in here: the member only when LinkedIn vouched for them, and why it failed.
    user_login_failed.send(
        sender=__name__,
        credentials={
            "username": f"linkedin:{who}" if who else "linkedin",
            "method": "linkedin",
            "reason": cause[:200],
        },
        request=request,
    )


def _login_page(request: HttpRequest, error: str, status: int) -> HttpResponse:
    context = {
        "form": AuthenticationForm(request),
        "linkedin_error": error,
        "next": request.session.pop(NEXT_KEY, ""),
    }
    return render(request, "registration/login.html", context, status=status)
