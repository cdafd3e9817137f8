"""Request and response values passed between the HTTP handler and the endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox.auth import Token
from sandbox.errors import ApiError, OAuthError
from sandbox.httpio import Headers
from sandbox.restli import RestliValue, as_int


@dataclass
class Request:
    method: str
    path: str
    query: str  # raw; for a tunnelled call, the form body is appended here
    headers: Headers
    body: bytes
    token: Token | None = None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # "drop" and "truncate" are carried out by the HTTP handler; other faults are only logged.
    fault: str | None = None


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, headers=headers or {})


def api_error_response(error: ApiError, headers: dict[str, str] | None = None) -> Response:
    # LinkedIn marks every Rest.li error with this header; clients key on it.
    extra = {"X-RestLi-Error-Response": "true", **(headers or {})}
    return json_response(error.status, error.body(), extra)


def oauth_error_response(error: OAuthError) -> Response:
    return json_response(error.status, error.body(), {"Cache-Control": "no-store"})


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    # The consent page has no scripts at all; the policy makes sure none could run.
    policy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    extra = {"Content-Security-Policy": policy, **(headers or {})}
    return Response(status, html.encode(), "text/html; charset=utf-8", extra)


def redirect(location: str) -> Response:
    return Response(302, b"", None, {"Location": location, "Cache-Control": "no-store"})


def page_params(params: dict[str, RestliValue], max_count: int) -> tuple[int, int]:
    """start (default 0) and count (default 10, silently capped at max_count, as LinkedIn)."""
    start = as_int(params["start"], "start", 0) if "start" in params else 0
    count = as_int(params["count"], "count", 0) if "count" in params else 10
    return start, min(count, max_count)


def paging(path: str, query: str, start: int, count: int, total: int) -> dict[str, Any]:
    """The paging block; links keep the caller's own (2.0-encoded) parameters."""
    links = []
    if start + count < total and count > 0:
        links.append(_link("next", path, query, start + count, count))
    if start > 0 and count > 0:
        links.append(_link("prev", path, query, max(0, start - count), count))
    return {"start": start, "count": count, "total": total, "links": links}


def _link(rel: str, path: str, query: str, start: int, count: int) -> dict[str, str]:
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0] not in ("start", "count")]
    href = f"{path}?{'&'.join([*kept, f'count={count}', f'start={start}'])}"
    return {"rel": rel, "href": href, "type": "application/json"}
