"""LinkedIn OAuth 2.0: client-credentials tokens (cached) and the authorization-code flow.

Secrets travel only in POST form bodies, never in URLs or log lines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import requests

from .errors import LinkedInError, error_from_exception, error_from_response
from .records import TokenSet

__all__ = [
    "ClientCredentials",
    "authorization_url",
    "clear_token_cache",
    "exchange_code",
    "introspect_token",
    "refresh_token",
    "revoke_token",
]

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 15.0)
# Fetch a new token this long before the old one expires, so no call leaves with a token
# that dies in flight.
REFRESH_MARGIN = 60.0

Timeout = float | tuple[float, float]


@dataclass(frozen=True)
class _CachedToken:
    token: str
    refresh_at: float


# Client-credentials tokens are shared per process, keyed by (OAuth base URL, client id): every
# client built for the same credentials (one per contract and job, say) reuses one token
# instead of fetching its own, which matters under LinkedIn's daily call quota.
_cache: dict[tuple[str, str], _CachedToken] = {}
_key_locks: dict[tuple[str, str], threading.Lock] = {}
_registry_lock = threading.Lock()


def _lock_for(key: tuple[str, str]) -> threading.Lock:
    with _registry_lock:
        return _key_locks.setdefault(key, threading.Lock())


def clear_token_cache() -> None:
    """Forget every cached client-credentials token (tests, or after rotating a secret)."""
    with _registry_lock:
        _cache.clear()


def _post(
    url: str, data: dict[str, str], session: requests.Session | None, timeout: Timeout
) -> requests.Response:
    """POST a form to an OAuth endpoint; raise LinkedInError unless the answer is a 2xx."""
    headers = {"Accept": "application/json"}
    try:
        if session is None:
            with requests.Session() as own:
                response = own.post(url, data=data, headers=headers, timeout=timeout)
        else:
            response = session.post(url, data=data, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise error_from_exception(exc) from None
    if not 200 <= response.status_code < 300:
        raise error_from_response(response)
    return response


def _post_form(
    url: str, data: dict[str, str], session: requests.Session | None, timeout: Timeout
) -> dict[str, Any]:
    """POST a form to an OAuth endpoint and return its JSON object, or raise LinkedInError."""
    response = _post(url, data, session, timeout)
    try:
        payload = response.json()
    except ValueError:
        raise LinkedInError(
            "OAuth answer is not valid JSON", status=response.status_code, transient=True
        ) from None
    if not isinstance(payload, dict):
        raise LinkedInError("OAuth answer is not a JSON object", status=response.status_code)
    return payload


def _token_set(payload: dict[str, Any], status: int = 200) -> TokenSet:
    try:
        return TokenSet.from_json(payload)
    except ValueError as exc:
        raise LinkedInError(str(exc), status=status, transient=False) from None


class ClientCredentials:
    """A 2-legged (client credentials) token source for one application.

    ``token()`` returns a cached token until ``REFRESH_MARGIN`` seconds before it expires.
    The cache is module-level and keyed by (oauth_base_url, client_id), so separate instances
    for the same credentials share one token; concurrent callers wait for a single fetch.
    """

    def __init__(
        self,
        oauth_base_url: str,
        client_id: str,
        client_secret: str,
        session: requests.Session | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._session = session
        self.timeout = timeout
        self._clock = clock
        self._key = (self.oauth_base_url, client_id)
        self._lock = _lock_for(self._key)

    def __repr__(self) -> str:
        return f"ClientCredentials({self.oauth_base_url!r}, client_id={self.client_id!r})"

    def token(self) -> str:
        """A valid access token, fetched only when the shared cache has none fresh enough."""
        cached = _cache.get(self._key)
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.token
        with self._lock:
            # Another thread may have fetched while we waited for the lock.
            cached = _cache.get(self._key)
            if cached is not None and self._clock() < cached.refresh_at:
                return cached.token
            tokens = self._fetch()
            _cache[self._key] = _CachedToken(tokens.access_token, self._refresh_at(tokens))
            return tokens.access_token

    def invalidate(self, token: str | None = None) -> None:
        """Drop the cached token, e.g. after LinkedIn answered 401 to it.

        With ``token`` given, drop it only if it is still the cached one, so a thread holding
        a stale token does not throw away the fresh token another thread just fetched.
        """
        with self._lock:
            cached = _cache.get(self._key)
            if cached is not None and (token is None or cached.token == token):
                del _cache[self._key]

    def _fetch(self) -> TokenSet:
        now = self._clock()
        payload = _post_form(
            f"{self.oauth_base_url}/accessToken",
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._client_secret,
            },
            self._session,
            self.timeout,
        )
        try:
            return TokenSet.from_json(payload, now=now)
        except ValueError as exc:
            raise LinkedInError(str(exc), status=200, transient=False) from None

    def _refresh_at(self, tokens: TokenSet) -> float:
        lifetime = tokens.expires_at - self._clock()
        # A token that lives less than twice the margin is reused for half its life instead.
        return tokens.expires_at - min(REFRESH_MARGIN, max(lifetime, 0.0) / 2)


def authorization_url(
    oauth_base_url: str,
    client_id: str,
    redirect_uri: str,
    state: str,
    scope: str | Sequence[str],
) -> str:
    """The URL to send a member to so they can grant us access (3-legged OAuth)."""
    scope_text = scope if isinstance(scope, str) else " ".join(scope)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": scope_text,
        },
        quote_via=quote,
    )
    return f"{oauth_base_url.rstrip('/')}/authorization?{query}"


def exchange_code(
    oauth_base_url: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    session: requests.Session | None = None,
    *,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> TokenSet:
    """Trade an authorization code for tokens; raise AuthError if LinkedIn refuses it."""
    payload = _post_form(
        f"{oauth_base_url.rstrip('/')}/accessToken",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": client_secret,
        },
        session,
        timeout,
    )
    return _token_set(payload)


def refresh_token(
    oauth_base_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    session: requests.Session | None = None,
    *,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> TokenSet:
    """Get a new access token with a refresh token; raise AuthError if it is refused.

    LinkedIn may or may not return a new refresh token; when it does not, the returned
    TokenSet carries None and the caller keeps the one it has.
    """
    payload = _post_form(
        f"{oauth_base_url.rstrip('/')}/accessToken",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        },
        session,
        timeout,
    )
    return _token_set(payload)


def introspect_token(
    oauth_base_url: str,
    client_id: str,
    client_secret: str,
    token: str,
    session: requests.Session | None = None,
    *,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Ask LinkedIn about a token: the answer has ``active``, ``status``, ``expires_at``, ..."""
    return _post_form(
        f"{oauth_base_url.rstrip('/')}/introspectToken",
        {"client_id": client_id, "client_secret": client_secret, "token": token},
        session,
        timeout,
    )


def revoke_token(
    oauth_base_url: str,
    client_id: str,
    client_secret: str,
    token: str,
    session: requests.Session | None = None,
    *,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> None:
    """Revoke a member's token at LinkedIn (POST /oauth/v2/revoke); raise LinkedInError.

    The answer's body is not read: any 2xx means the token no longer works.
    """
    _post(
        f"{oauth_base_url.rstrip('/')}/revoke",
        {"client_id": client_id, "client_secret": client_secret, "token": token},
        session,
        timeout,
    )
