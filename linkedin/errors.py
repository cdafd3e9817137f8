"""One error type for every LinkedIn failure, with the facts a caller needs to act on it."""

from __future__ import annotations

import re
from typing import Any

import requests

from .retry import parse_retry_after

__all__ = [
    "AuthError",
    "ConflictError",
    "LinkedInError",
    "error_from_exception",
    "error_from_payload",
    "error_from_response",
    "is_transient_status",
    "request_id_of",
]

_SNIPPET_CHARS = 200


def is_transient_status(status: int) -> bool:
    """Whether an HTTP status is worth retrying: throttling, timeouts and server errors."""
    return status in (408, 425, 429) or 500 <= status <= 599


class LinkedInError(Exception):
    """A failed LinkedIn call.

    ``status`` is the HTTP status, or None when no answer came (timeout, connection reset).
    ``transient`` says whether trying again later may succeed (429, 5xx, timeouts, resets,
    a truncated 2xx body); permanent errors (400, 401, 403, 404, 409, 422) need a change first.
    ``request_id`` is the id LinkedIn gave its answer (``X-LI-UUID``), the one its support asks
    for; None when no answer came or it carried none.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        service_error_code: int | None = None,
        transient: bool | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.service_error_code = service_error_code
        if transient is None:
            transient = status is not None and is_transient_status(status)
        self.transient = transient
        self.retry_after = retry_after
        self.request_id = request_id

    @property
    def is_daily_quota(self) -> bool:
        """A 429 for the application's daily quota: retrying before midnight UTC is useless."""
        return self.status == 429 and "day limit" in self.message.lower()

    def __str__(self) -> str:
        if self.status is None:
            return f"LinkedIn request failed: {self.message}"
        if self.service_error_code is not None:
            code = self.service_error_code
            return f"LinkedIn {self.status} (serviceErrorCode {code}): {self.message}"
        return f"LinkedIn {self.status}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, "
            f"service_error_code={self.service_error_code!r}, message={self.message!r}, "
            f"transient={self.transient!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments defeat Exception's default pickling; job queues pickle errors.
        return (
            _rebuild,
            (
                type(self),
                self.message,
                self.status,
                self.service_error_code,
                self.transient,
                self.retry_after,
                self.request_id,
            ),
        )


def _rebuild(
    cls: type[LinkedInError],
    message: str,
    status: int | None,
    service_error_code: int | None,
    transient: bool,
    retry_after: float | None,
    request_id: str | None = None,
) -> LinkedInError:
    return cls(
        message,
        status=status,
        service_error_code=service_error_code,
        transient=transient,
        retry_after=retry_after,
        request_id=request_id,
    )


class AuthError(LinkedInError):
    """The token was refused even after a refresh, or the OAuth server refused a grant."""


class ConflictError(LinkedInError):
    """409: the change conflicts with the resource's current state."""


def _snippet(text: str) -> str:
    # Proxies answer with HTML pages; tags and whitespace only hide the words that matter.
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    if len(text) > _SNIPPET_CHARS:
        text = text[: _SNIPPET_CHARS - 1] + "…"
    return text


def _error_class(status: int | None) -> type[LinkedInError]:
    if status == 401:
        return AuthError
    if status == 409:
        return ConflictError
    return LinkedInError


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def error_from_payload(
    payload: Any, status: int | None, *, retry_after: float | None = None
) -> LinkedInError | None:
    """Build the error a JSON error body describes, or None if the body has neither shape.

    Two shapes exist: Rest.li's ``{"status", "serviceErrorCode", "message"}`` and OAuth's
    ``{"error", "error_description"}``. The same shape appears per key in BATCH_GET answers.
    """
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("error"), str) and "message" not in payload:
        message = str(payload.get("error_description") or payload["error"])
        oauth_refusal = status is None or not is_transient_status(status)
        cls = AuthError if oauth_refusal else LinkedInError
        return cls(message, status=status, retry_after=retry_after)
    if "message" not in payload and "serviceErrorCode" not in payload:
        return None
    status = _as_int(payload.get("status")) if status is None else status
    message = str(payload.get("message") or "no message")
    return _error_class(status)(
        message,
        status=status,
        service_error_code=_as_int(payload.get("serviceErrorCode")),
        retry_after=retry_after,
    )


def error_from_response(response: requests.Response) -> LinkedInError:
    """Turn a non-2xx response into a LinkedInError, whatever its body looks like."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        payload = response.json()
    except ValueError:
        payload = None
    error = error_from_payload(payload, status, retry_after=retry_after)
    if error is None:
        message = _snippet(response.text) or response.reason or "no response body"
        error = _error_class(status)(message, status=status, retry_after=retry_after)
    error.request_id = request_id_of(response)
    return error


# LinkedIn's support asks for these with a failed call (api-guide/concepts/error-handling).
_REQUEST_ID_HEADERS = ("X-LI-UUID", "X-LI-Request-Id")


def request_id_of(response: requests.Response) -> str | None:
    """The id LinkedIn gave this answer, or None (an answer from a proxy, say)."""
    for name in _REQUEST_ID_HEADERS:
        value = (response.headers.get(name) or "").strip()
        if value:
            return value[:100]
    return None


def error_from_exception(exc: requests.RequestException) -> LinkedInError:
    """Wrap a transport failure as an error with no status.

    Timeouts, refused or reset connections and bodies cut off mid-read are transient;
    a malformed URL or header is our own bug and permanent.
    """
    detail = _snippet(str(exc))
    name = type(exc).__name__
    transient = isinstance(exc, _TRANSIENT_EXCEPTIONS)
    return LinkedInError(f"{name}: {detail}" if detail else name, status=None, transient=transient)


_TRANSIENT_EXCEPTIONS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
