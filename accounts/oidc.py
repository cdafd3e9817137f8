"""Sign In with LinkedIn using OpenID Connect, the relying party's side, through Authlib.

Authlib's Django client reads LinkedIn's discovery document, keeps the state and the nonce
in the session, trades the code for tokens (client_secret_post, as LinkedIn's token endpoint
takes it) and checks the id_token: its RS256 signature against the JWKS (fetched again when
the kid is unknown, so a key rotation is followed), the issuer of the discovery document,
our client id as the audience, the expiry and the nonce. We add what Authlib leaves open:
the audience is checked directly (Authlib only infers it from ``azp``), an answer without an
id_token is refused, and the discovery document must name the issuer it was served under.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
SIGN_IN_SCOPES = ("openid", "profile", "email")
# Seconds of clock difference forgiven on exp and iat.
LEEWAY = 60


class SignInRefused(Exception):
    """LinkedIn's answer cannot be trusted or used; the message is for the member."""

    def __init__(self, message: str, *, cause: str = "", who: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause or message
        # The member LinkedIn vouched for, when the refusal is ours and not about the token.
        self.who = who


class LinkedInUnavailable(Exception):
    """LinkedIn could not be reached or answered with a server error."""


@dataclass(frozen=True)
class Member:
    """Who signed in, from the verified id_token, and the tokens LinkedIn granted."""

    sub: str
    name: str
    given_name: str
    family_name: str
    email: str
    email_verified: bool
    tokens: dict[str, Any]

    @property
    def person_urn(self) -> str:
        return f"urn:li:person:{self.sub}"

    @property
    def scopes(self) -> frozenset[str]:
        # LinkedIn writes the granted scopes comma-separated; the standard is spaces.
        raw = str(self.tokens.get("scope") or "")
        return frozenset(raw.replace(",", " ").split())


def scopes() -> str:
    """Sign-in's scopes plus what recommendations need, so one consent serves both."""
    return " ".join(dict.fromkeys((*SIGN_IN_SCOPES, *settings.LINKEDIN_SCOPES)))


def _client() -> DjangoOAuth2App:
    return _cached_client(
        settings.LINKEDIN_OIDC_DISCOVERY_URL,
        settings.LINKEDIN_CLIENT_ID,
        settings.LINKEDIN_CLIENT_SECRET,
        scopes(),
        tuple(settings.LINKEDIN_TIMEOUT),
    )


@functools.lru_cache(maxsize=8)
def _cached_client(
    discovery_url: str, client_id: str, client_secret: str, scope: str, timeout: tuple
) -> DjangoOAuth2App:
    # One per configuration, so the discovery document and the keys are fetched once.
    return OAuth().register(
        "linkedin",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=discovery_url,
        client_kwargs={
            "scope": scope,
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": timeout,
        },
    )


def start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """Redirect to LinkedIn's authorization page with a fresh state and nonce (in the session)."""
    try:
        return _client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError, AuthlibBaseError) as exc:
        raise LinkedInUnavailable(f"LinkedIn's sign-in could not be started: {exc}") from exc


def finish(request: HttpRequest) -> Member:
    """Check the callback and the id_token; raise SignInRefused or LinkedInUnavailable."""
    client = _client()
    try:
        metadata = client.load_server_metadata()
        _check_issuer(metadata)
        token = client.authorize_access_token(
            request, claims_options=_claims_options(metadata), leeway=LEEWAY
        )
    except requests.RequestException as exc:
        raise LinkedInUnavailable(f"LinkedIn did not answer: {exc}") from exc
    except JoseError as exc:
        raise SignInRefused(
            "LinkedIn's answer did not pass our checks, so nobody was signed in.",
            cause=f"id_token refused: {exc.__class__.__name__}: {exc}",
        ) from exc
    except AuthlibBaseError as exc:
        raise SignInRefused(_oauth_message(exc), cause=f"{exc.__class__.__name__}: {exc}") from exc
    claims = token.pop("userinfo", None)
    if not claims:
        raise SignInRefused(
            "LinkedIn sent no identity (no id_token), so nobody was signed in.",
            cause="token answer without id_token",
        )
    token.pop("id_token", None)
    return _member(claims, token)


def _check_issuer(metadata: dict[str, Any]) -> None:
    issuer = metadata.get("issuer")
    if not issuer or issuer + DISCOVERY_SUFFIX != settings.LINKEDIN_OIDC_DISCOVERY_URL:
        raise SignInRefused(
            "LinkedIn's sign-in is misconfigured here; please tell an administrator.",
            cause=f"discovery document names issuer {issuer!r}",
        )


def _claims_options(metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": settings.LINKEDIN_CLIENT_ID},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def _oauth_message(exc: AuthlibBaseError) -> str:
    error = getattr(exc, "error", "")
    if error == "mismatching_state":
        return (
            "The answer from LinkedIn could not be matched to a sign-in started here "
            "(missing, wrong or already used state). Nobody was signed in; please try again."
        )
    if error == "user_cancelled_authorize":
        return "You cancelled the LinkedIn sign-in."
    detail = getattr(exc, "description", "") or error or str(exc)
    return f"LinkedIn did not sign you in: {detail}"


def _member(claims: dict[str, Any], tokens: dict[str, Any]) -> Member:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise SignInRefused("LinkedIn did not say which member signed in.", cause="no sub")
    given, family = _text(claims.get("given_name")), _text(claims.get("family_name"))
    return Member(
        sub=sub,
        name=_text(claims.get("name")) or f"{given} {family}".strip(),
        given_name=given,
        family_name=family,
        email=_text(claims.get("email")).lower(),
        # Public id_tokens from LinkedIn write this claim as the string "true".
        email_verified=claims.get("email_verified") in (True, "true"),
        tokens=tokens,
    )


def _text(value: Any) -> str:
    return value.strip()[:200] if isinstance(value, str) else ""
