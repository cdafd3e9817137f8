"""The public endpoints LinkedIn delivers push events to; the work is in recruiter.push.

Each contract has its own push URL, /webhooks/linkedin/<push_token>/, to register with
LinkedIn as that customer's callback URL (LinkedIn wants one per customer). The shared
/webhooks/linkedin/ serves only contracts on the site's own credentials, with the site's
secret. On both, GET is LinkedIn's validation challenge, answered only for a UUID code.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from linkedin.signatures import challenge_response, is_challenge_code
from recruiter.models import Contract
from recruiter.push import contract_for_push_token, record_push_event

logger = logging.getLogger(__name__)


@csrf_exempt  # LinkedIn cannot send a CSRF token: the HMAC signature is the check instead.
@login_not_required
@require_http_methods(["GET", "POST"])
def linkedin_webhook(request: HttpRequest) -> JsonResponse:
    """The shared URL, for contracts on the site's credentials. GET: LinkedIn's endpoint
    validation challenge. POST: a signed push event."""
    return _guarded(request, None)


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def contract_webhook(request: HttpRequest, token: str) -> JsonResponse:
    """One contract's push URL: its secret, its events only."""
    try:
        contract = contract_for_push_token(token)
    except Exception:
        logger.exception("push endpoint failed")
        return _error(503, "internal error, try again later")
    if contract is None:
        return _error(404, "no such push URL")
    return _guarded(request, contract)


def _guarded(request: HttpRequest, contract: Contract | None) -> JsonResponse:
    try:
        if request.method == "GET":
            return _challenge(request, contract)
        return _push(request, contract)
    except Exception:
        # Never a 500 for LinkedIn to puzzle over, but never silent either: the traceback is
        # logged, and 503 makes LinkedIn deliver the event again once we are fixed.
        logger.exception("push endpoint failed")
        return _error(503, "internal error, try again later")


def _challenge(request: HttpRequest, contract: Contract | None) -> JsonResponse:
    code = request.GET.get("challengeCode", "")
    if not is_challenge_code(code):
        # Never an HMAC of anything but a UUID: the answer would be a valid push signature.
        return _error(400, "challengeCode must be a UUID")
    if contract is None:
        client_id, secret = settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET
    else:
        client_id, secret = contract.credentials()
    application = request.GET.get("applicationId")
    if application is not None and application != client_id:
        # LinkedIn names the (child) application whose secret to answer with: not ours here.
        return _error(400, "applicationId is not this push URL's application")
    if not secret:
        logger.error("LinkedIn endpoint validation failed: no client secret for %s", contract)
        return _error(503, "not configured")
    if contract is not None:
        Contract.objects.filter(pk=contract.pk).update(push_last_validated_at=timezone.now())
    return JsonResponse(
        {"challengeCode": code, "challengeResponse": challenge_response(secret, code)}
    )


def _push(request: HttpRequest, contract: Contract | None) -> JsonResponse:
    # Refuse an announced oversized body before reading a byte of it.
    length = _content_length(request)
    if length is None:
        return _error(400, "invalid Content-Length")
    if length > settings.PUSH_MAX_BODY_BYTES:
        return _error(413, "body too large")
    try:
        body = request.body
    except OSError:  # the sender hung up mid-body (UnreadablePostError)
        return _error(400, "could not read the body")
    result = record_push_event(body, request.headers.get("X-LI-Signature"), contract)
    if not result.ok:
        return _error(result.status, result.detail)
    return JsonResponse({"ok": True, "outcome": result.detail, "duplicate": result.duplicate})


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)
