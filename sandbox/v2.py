"""The /v2 front door: URL length, faults, tunnelling, token, protocol header, routing.

The order follows a real gateway: a URL that is too long is refused before anything else,
throttling and outages happen before authentication, and the Rest.li protocol is checked only
for an authenticated caller.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sandbox.errors import INVALID_TOKEN, NOT_FOUND, URI_TOO_LONG, ApiError, bad_request
from sandbox.faults import error_for
from sandbox.notes_api import prospect_notes, userinfo
from sandbox.recs_api import recommendation_request
from sandbox.restli import RestliSyntaxError, parse_query
from sandbox.seats_api import seats_v2
from sandbox.wire import Request, Response, api_error_response

if TYPE_CHECKING:
    from sandbox.server import Sandbox

FORM_TYPE = "application/x-www-form-urlencoded"


def handle(sb: Sandbox, req: Request) -> Response:
    if req.method == "GET" and len(req.query) > sb.config.max_query_length:
        error = ApiError(414, "Request-URI Too Long: use query tunnelling", URI_TOO_LONG)
        return api_error_response(error)
    fault = sb.faults.pick()
    if fault is not None:
        return _faulted(sb, req, fault)
    return _answer(sb, req)


def _faulted(sb: Sandbox, req: Request, fault: str) -> Response:
    failure = error_for(fault, sb.config.retry_after)
    if failure is not None:
        response = api_error_response(*failure)
    elif fault == "drop":
        response = Response(0)
    else:
        if fault == "slow":
            time.sleep(sb.config.slow_seconds)
        response = _answer(sb, req)
    response.fault = fault
    return response


def _answer(sb: Sandbox, req: Request) -> Response:
    try:
        _untunnel(req)
        _authenticate(sb, req)
        _check_protocol(req)
        return _route(sb, req)
    except RestliSyntaxError as exc:
        return api_error_response(bad_request(f"Rest.li syntax error: {exc}"))
    except ApiError as exc:
        return api_error_response(exc)


def _untunnel(req: Request) -> None:
    """Query tunnelling: a POST carrying a GET's query string in a form body becomes the GET."""
    override = req.header("X-HTTP-Method-Override")
    if override is None:
        return
    if req.method != "POST" or override.upper() != "GET":
        raise bad_request("X-HTTP-Method-Override is only supported as GET on a POST")
    content_type = (req.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise bad_request(f"a tunnelled query must be sent as {FORM_TYPE}")
    body = req.body.decode("utf-8", "strict") if req.body else ""
    req.query = "&".join(part for part in (req.query, body) if part)
    req.method = "GET"


def _authenticate(sb: Sandbox, req: Request) -> None:
    scheme, _, value = (req.header("Authorization") or "").partition(" ")
    token = sb.store.auth.lookup(value.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiError(401, "Invalid access token", INVALID_TOKEN)
    req.token = token


def _check_protocol(req: Request) -> None:
    version = req.header("X-RestLi-Protocol-Version")
    if version is None:
        raise bad_request(
            "The X-RestLi-Protocol-Version header is required: this API only speaks 2.0.0"
        )
    if version.strip() != "2.0.0":
        raise bad_request(f"Unsupported X-RestLi-Protocol-Version {version!r}; use 2.0.0")


def _route(sb: Sandbox, req: Request) -> Response:
    resource, _, key = req.path.removeprefix("/v2/").partition("/")
    params = parse_query(req.query)
    if resource == "prospectNotes" and not key:
        return prospect_notes(sb, req, params)
    if resource == "recommendationRequest" and "/" not in key:
        return recommendation_request(sb, req, key or None, params)
    if resource == "seatsV2" and not key:
        return seats_v2(sb, req, params)
    if resource == "userinfo" and not key:
        return userinfo(sb, req)
    raise ApiError(404, f"No resource at {req.path}", NOT_FOUND)
