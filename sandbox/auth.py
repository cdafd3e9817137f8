"""Demo members, OAuth clients' tokens, authorization codes and refresh tokens.

Token values are random (secrets), not seeded: nothing may depend on guessing one.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

CODE_TTL_S = 600  # LinkedIn's authorization codes live 10 minutes (oauth docs: code lifetime)


@dataclass(frozen=True)
class Member:
    """A LinkedIn member who can sign in on the consent page."""

    sub: str
    given_name: str
    family_name: str
    email: str
    locale: str = "en_US"
    email_verified: bool = True

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.sub}"


# Fixed, not seeded: tests and demos refer to them by name.
DEMO_MEMBERS: tuple[Member, ...] = (
    Member("alice01", "Alice", "Adams", "alice@example.com"),
    Member("bob02", "Bob", "Brown", "bob@example.com"),
    Member("carol03", "Carol", "Chen", "carol@example.com", "zh_CN"),
    Member("zoe04", "Zoë", "Żuławska", "zoe@example.com", "pl_PL"),
    # Her email is not verified: a site open to example.com must not let her sign up by it.
    Member("erin05", "Erin", "Evans", "erin@example.com", email_verified=False),
)


@dataclass
class Token:
    """An access token: an application's (member is None) or a member's (3-legged)."""

    value: str
    client_id: str
    member: Member | None
    scope: str
    expires_at: float
    created_at: float = field(default_factory=time.time)
    revoked: bool = False

    def is_valid(self, now: float | None = None) -> bool:
        return not self.revoked and (now or time.time()) < self.expires_at


@dataclass
class Grant:
    """An authorization code or a refresh token, bound to a member and a client."""

    client_id: str
    member: Member
    scope: str
    redirect_uri: str
    expires_at: float
    nonce: str | None = None  # OpenID Connect: copied into the id_token


class AuthStore:
    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.members = list(DEMO_MEMBERS)
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}
        self._codes: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}

    def member(self, sub: str) -> Member | None:
        return next((m for m in self.members if m.sub == sub), None)

    def check_client(self, client_id: str, client_secret: str) -> bool:
        ok_id = secrets.compare_digest(client_id.encode(), self.client_id.encode())
        ok_secret = secrets.compare_digest(client_secret.encode(), self.client_secret.encode())
        return ok_id and ok_secret

    def issue(self, ttl: float, member: Member | None = None, scope: str = "") -> Token:
        token = Token(
            value="AQV" + secrets.token_urlsafe(32),
            client_id=self.client_id,
            member=member,
            scope=scope,
            expires_at=time.time() + ttl,
        )
        with self._lock:
            self._tokens[token.value] = token
        return token

    def lookup(self, value: str) -> Token | None:
        """The token if it exists, is not revoked and has not expired."""
        with self._lock:
            token = self._tokens.get(value)
        return token if token is not None and token.is_valid() else None

    def find(self, value: str) -> Token | None:
        """The token whatever its state (for introspection)."""
        with self._lock:
            return self._tokens.get(value)

    def revoke_token(self, value: str) -> None:
        with self._lock:
            self._tokens[value].revoked = True

    def revoke(self, value: str) -> None:
        """Revoke an access token, or drop a refresh token; unknown values are ignored."""
        with self._lock:
            token = self._tokens.get(value)
            if token is not None:
                token.revoked = True
            self._refresh.pop(value, None)

    def expire_token(self, value: str) -> None:
        with self._lock:
            self._tokens[value].expires_at = time.time() - 1

    def new_code(
        self, member: Member, scope: str, redirect_uri: str, nonce: str | None = None
    ) -> str:
        code = secrets.token_urlsafe(24)
        expires_at = time.time() + CODE_TTL_S
        grant = Grant(self.client_id, member, scope, redirect_uri, expires_at, nonce)
        with self._lock:
            self._codes[code] = grant
        return code

    def take_code(self, code: str, redirect_uri: str) -> Grant | None:
        """Use up the code; None if unknown, used, expired or issued for another redirect."""
        with self._lock:
            grant = self._codes.pop(code, None)
        if grant is None or grant.expires_at < time.time() or grant.redirect_uri != redirect_uri:
            return None
        return grant

    def new_refresh(self, grant: Grant, ttl: float) -> str:
        value = "AQX" + secrets.token_urlsafe(32)
        refresh = Grant(grant.client_id, grant.member, grant.scope, "", time.time() + ttl)
        with self._lock:
            self._refresh[value] = refresh
        return value

    def refresh_grant(self, value: str) -> Grant | None:
        with self._lock:
            grant = self._refresh.get(value)
        return grant if grant is not None and grant.expires_at > time.time() else None
