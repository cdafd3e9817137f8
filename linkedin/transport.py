"""Sending one Rest.li call: headers, token, query tunnelling, retries and counters.

``LinkedInClient`` (client.py) builds on this; the split keeps the wire mechanics apart from
the resources.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NewConnectionError

from .errors import LinkedInError, error_from_exception, error_from_response
from .oauth import ClientCredentials
from .restli import build_query
from .retry import RetryPolicy

__all__ = ["ClientStats", "Transport", "TokenSource"]

logger = logging.getLogger("linkedin")

TokenSource = Callable[[], str] | ClientCredentials | str

# LinkedIn answers 414 past about 4 KB of query string; longer queries are tunnelled.
MAX_QUERY_LENGTH = 4000


@dataclass
class ClientStats:
    """What a client has done, for a sync run to record.

    ``calls`` counts HTTP requests sent, retries included; ``by_status`` counts answers per
    HTTP status; ``transport_errors`` counts attempts that got no answer at all; ``by_call``
    counts every attempt per (endpoint, status), the status "error" when no answer came (the
    site's metrics and its daily call budget add these up).
    """

    calls: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0
    by_call: dict[tuple[str, str], int] = field(default_factory=dict)


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request surely did not reach the server (the connection was never made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


class Transport:
    """A requests.Session with LinkedIn's headers, a token source and a retry policy."""

    def __init__(
        self,
        api_base_url: str,
        token: TokenSource,
        *,
        on_unauthorized: Callable[[], None] | None,
        timeout: float | tuple[float, float],
        retry: RetryPolicy,
        user_agent: str,
        session: requests.Session | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.api_base_url = api_base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self.stats = ClientStats()
        self._sleep = sleep
        self._clock = clock
        self._on_unauthorized = on_unauthorized
        self._credentials = token if isinstance(token, ClientCredentials) else None
        if isinstance(token, str):
            fixed = token
            self._get_token: Callable[[], str] = lambda: fixed
        elif isinstance(token, ClientCredentials):
            self._get_token = token.token
        elif callable(token):
            self._get_token = token
        else:
            raise TypeError("token must be a str, a callable returning one, or ClientCredentials")
        if session is None:
            session = requests.Session()
            _read_environment_once(session, self.api_base_url)
        self.session = session
        self.session.headers.update(
            {
                "X-Restli-Protocol-Version": "2.0.0",
                "User-Agent": user_agent,
                "Accept": "application/json",
            }
        )
        self._headers = self.session.headers
        # Proxies, CA bundle and client certificate, from the session and (when it trusts the
        # environment) the environment, resolved once: see _dispatch.
        self._send_settings = self.session.merge_environment_settings(
            self.api_base_url, {}, False, None, None
        )

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        restli_method: str | None = None,
        json_body: Any = None,
        idempotent: bool = True,
    ) -> tuple[requests.Response, Any]:
        """Send a call, retrying transient failures; return the 2xx response and its JSON.

        The JSON is None for an empty answer (204). A call that is not idempotent (CREATE) is
        retried only when LinkedIn surely did not act on it: a 429, or a connection never
        made. Anything else might have created the resource already, so it is raised.
        """
        query = build_query(params) if params else ""
        policy = self.retry
        started = self._clock()
        attempts = 0
        reauthorized = False
        while True:
            attempts += 1
            token: str | None = None
            never_sent = True  # until the request is handed to the connection
            try:
                token = self._get_token()
                never_sent = False
                try:
                    response = self._send(method, path, query, token, restli_method, json_body)
                except requests.RequestException as exc:
                    self.stats.transport_errors += 1
                    self._count_call(path, "error")
                    never_sent = _never_sent(exc)
                    raise error_from_exception(exc) from None
                self._count_call(path, response.status_code)
                return response, self._read(response)
            except LinkedInError as err:
                if err.status == 401 and token is not None and not reauthorized:
                    # The token may have been revoked or rotated: get a new one, try once more.
                    reauthorized = True
                    attempts -= 1
                    self._reauthorize(token)
                    self._count_retry(restli_method or method, path, "401", attempts + 1, 0.0)
                    continue
                if not err.transient or err.is_daily_quota:
                    raise
                if not idempotent and not (never_sent or err.status == 429):
                    raise
                delay = policy.next_delay(attempts, self._clock() - started, err.retry_after)
                if delay is None:
                    raise
                reason = str(err.status) if err.status is not None else err.message.split(":")[0]
                self._count_retry(restli_method or method, path, reason, attempts + 1, delay)
                self._sleep(delay)

    def _send(
        self,
        method: str,
        path: str,
        query: str,
        token: str,
        restli_method: str | None,
        json_body: Any,
    ) -> requests.Response:
        url = self.api_base_url + path
        headers: dict[str, str] = {}
        if restli_method is not None:
            headers["X-RestLi-Method"] = restli_method
        data: bytes | str | None = None
        if method == "GET" and len(query) > MAX_QUERY_LENGTH:
            # Query tunnelling: the same query string travels as a form body.
            method = "POST"
            headers["X-HTTP-Method-Override"] = "GET"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = query
        elif query:
            url = f"{url}?{query}"
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            data = _dump_json(json_body)
        self.stats.calls += 1
        return self._dispatch(method, url, headers, data, token)

    def _dispatch(
        self, method: str, url: str, headers: dict[str, str], data: bytes | str | None, token: str
    ) -> requests.Response:
        """Hand one prepared request to the session's transport adapter.

        ``Session.request`` re-prepares every call from scratch (merging the session's
        headers, cookies, auth, hooks and environment, re-parsing and re-quoting the URL) and
        then runs the redirect machinery: two fifths of the client-side time of a page fetch
        over loopback. None of it applies here: our URLs are already percent-encoded ASCII
        (restli.py), the API sets no cookies, and a redirect is an API error, not something to
        follow with a bearer token. The adapter still does the pooling, timeouts, proxies and
        TLS, so the request on the wire is the one requests would have sent. The token goes in
        the header directly, which also means a ~/.netrc entry can never stand in for it.
        """
        prepared = requests.PreparedRequest()
        prepared.method = method
        prepared.url = url
        prepared.headers = CaseInsensitiveDict(self._headers)
        prepared.headers.update(headers)
        prepared.headers["Authorization"] = f"Bearer {token}"
        prepared.hooks = {"response": []}
        prepared.prepare_body(data, None)
        adapter = self.session.get_adapter(url)
        response = adapter.send(prepared, timeout=self.timeout, **self._send_settings)
        response.content  # noqa: B018 - read the body here, where a cut-off one is a RequestException
        return response

    def _read(self, response: requests.Response) -> Any:
        status = response.status_code
        by_status = self.stats.by_status
        by_status[status] = by_status.get(status, 0) + 1
        if not 200 <= status < 300:
            raise error_from_response(response)
        if status == 204 or not response.content:
            return None
        try:
            # orjson: the bytes decoded as they came, at a third of json's cost per page.
            return orjson.loads(response.content)
        except ValueError:
            # A 2xx with a body that does not parse was cut off in transit: worth another try.
            raise LinkedInError(
                f"truncated or invalid JSON in a {status} answer", status=status, transient=True
            ) from None

    def _count_call(self, path: str, status: int | str) -> None:
        # The endpoint is the resource: "/prospectNotes", not its keys or finder arguments.
        endpoint = "/" + path.lstrip("/").split("/", 1)[0].split("?", 1)[0].split("(", 1)[0]
        key = (endpoint, str(status))
        by_call = self.stats.by_call
        by_call[key] = by_call.get(key, 0) + 1

    def _reauthorize(self, stale_token: str) -> None:
        if self._credentials is not None:
            self._credentials.invalidate(stale_token)
        if self._on_unauthorized is not None:
            self._on_unauthorized()

    def _count_retry(self, what: str, path: str, reason: str, attempt: int, delay: float) -> None:
        self.stats.retries += 1
        logger.info(
            "LinkedIn %s %s failed (%s); attempt %d of %d in %.2f s",
            what,
            path,
            reason,
            attempt,
            self.retry.max_attempts,
            delay,
        )


def _read_environment_once(session: requests.Session, url: str) -> None:
    """Apply proxy and CA bundle settings from the environment to our own session, once.

    The session then no longer trusts the environment, so nothing (a ~/.netrc entry among
    them) is read from it per call; ``_dispatch`` sends with the settings stored here.
    """
    session.proxies.update(requests.utils.get_environ_proxies(url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


def _dump_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
