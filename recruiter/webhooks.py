"""The public endpoint LinkedIn delivers push events to; the work is in recruiter.push."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from linkedin.signatures import challenge_response
from recruiter.push import record_push_event

logger = logging.getLogger(__name__)

# LinkedIn's challenge codes are UUIDs; anything far longer is not LinkedIn.
_MAX_CHALLENGE_LENGTH = 200


@csrf_exempt  # LinkedIn cannot send a CSRF token: the HMAC signature is the check instead.
@login_not_required
@require_http_methods(["GET", "POST"])
def linkedin_webhook(request: HttpRequest) -> JsonResponse:
    """GET: LinkedIn's endpoint validation challenge. POST: a signed push event."""
    try:
        if request.method == "GET":
            return _challenge(request)
        return _push(request)
    except Exception:
        # Never a 500 for LinkedIn to puzzle over, but never silent either: the traceback is
        # logged, and 503 makes LinkedIn deliver the event again once we are fixed.
        logger.exception("push endpoint failed")
        return _error(503, "internal error, try again later")


def _challenge(request: HttpRequest) -> JsonResponse:
    code = request.GET.get("challengeCode", "")
    if not code or len(code) > _MAX_CHALLENGE_LENGTH:
        return _error(400, "challengeCode is required")
    secret = settings.LINKEDIN_CLIENT_SECRET
    if not secret:
        logger.error("LinkedIn endpoint validation failed: LINKEDIN_CLIENT_SECRET is not set")
        return _error(503, "not configured")
    return JsonResponse(
        {"challengeCode": code, "challengeResponse": challenge_response(secret, code)}
    )


def _push(request: HttpRequest) -> JsonResponse:
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
    result = record_push_event(body, request.headers.get("X-LI-Signature"))
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
