"""Sign In with LinkedIn using OpenID Connect: discovery document, JWKS and the id_token.

LinkedIn publishes its discovery document at /oauth/.well-known/openid-configuration with the
issuer https://www.linkedin.com/oauth and the keys at /oauth/openid/jwks; the id_token is an
RS256 JWT whose header names its key (kid). Here the issuer is this server's /oauth, and the
RSA key is made with `cryptography` the first time anything needs it (most sandboxes a test
starts never sign anyone in, and a 2048-bit key costs tens of milliseconds).

`next_fault` spoils the next id_token once, so that a relying party can be shown to refuse
it: "expired", "wrong_audience", "wrong_issuer", "wrong_nonce" or "forged" (signed by
another key under the same kid).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.errors import OAuthError
from sandbox.wire import Request, Response, json_response

if TYPE_CHECKING:
    from sandbox.auth import Member
    from sandbox.server import Sandbox

DISCOVERY_PATH = "/oauth/.well-known/openid-configuration"
JWKS_PATH = "/oauth/openid/jwks"
ID_TOKEN_TTL_S = 3600
FAULTS = ("expired", "wrong_audience", "wrong_issuer", "wrong_nonce", "forged")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


class Signer:
    """The sandbox's signing key, made on first use, and the one-shot id_token fault."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: rsa.RSAPrivateKey | None = None
        self.kid = secrets.token_hex(8)
        self.next_fault: str | None = None

    def _private_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._key is None:
                self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._key

    def jwks(self) -> dict[str, Any]:
        numbers = self._private_key().public_key().public_numbers()
        key = {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url(_int_bytes(numbers.n)),
            "e": _b64url(_int_bytes(numbers.e)),
        }
        return {"keys": [key]}

    def take_fault(self) -> str | None:
        with self._lock:
            fault, self.next_fault = self.next_fault, None
            return fault

    def sign(self, claims: dict[str, Any], *, forged: bool = False) -> str:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signing_input = (
            _b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
        ).encode()
        key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if forged
            else self._private_key()
        )
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + _b64url(signature)


def issuer(sb: Sandbox) -> str:
    return sb.url + "/oauth"


def handle(sb: Sandbox, req: Request) -> Response:
    if req.method == "GET" and req.path == DISCOVERY_PATH:
        return json_response(200, discovery(sb), {"Cache-Control": "max-age=3600"})
    if req.method == "GET" and req.path == JWKS_PATH:
        return json_response(200, sb.signer.jwks(), {"Cache-Control": "max-age=3600"})
    raise OAuthError(404, "not_found", f"{req.method} {req.path} does not exist")


def discovery(sb: Sandbox) -> dict[str, Any]:
    """LinkedIn's discovery document, with this server's URLs."""
    return {
        "issuer": issuer(sb),
        "authorization_endpoint": sb.oauth_base_url + "/authorization",
        "token_endpoint": sb.oauth_base_url + "/accessToken",
        "userinfo_endpoint": sb.api_base_url + "/userinfo",
        "jwks_uri": sb.url + JWKS_PATH,
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
        "claims_supported": [
            "iss",
            "aud",
            "iat",
            "exp",
            "sub",
            "name",
            "given_name",
            "family_name",
            "picture",
            "email",
            "email_verified",
            "locale",
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
    }


def profile_claims(member: Member, scopes: set[str]) -> dict[str, Any]:
    """The member's claims a grant of ``scopes`` shows (demo members have no picture)."""
    claims: dict[str, Any] = {"sub": member.sub}
    if "profile" in scopes:
        claims.update(
            name=member.name, given_name=member.given_name, family_name=member.family_name
        )
    if "email" in scopes:
        claims.update(email=member.email, email_verified=member.email_verified)
    return claims


def id_token(sb: Sandbox, member: Member, scope: str, nonce: str | None) -> str:
    """The signed id_token for a member's authorization-code grant (spoiled once if asked)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer(sb),
        "aud": sb.store.auth.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_TTL_S,
        **profile_claims(member, set(scope.split())),
        "locale": member.locale,
    }
    if nonce:
        claims["nonce"] = nonce
    fault = sb.signer.take_fault()
    if fault == "expired":
        claims.update(iat=now - 2 * ID_TOKEN_TTL_S, exp=now - ID_TOKEN_TTL_S)
    elif fault == "wrong_audience":
        claims["aud"] = "another-application"
    elif fault == "wrong_issuer":
        claims["iss"] = "https://issuer.invalid/oauth"
    elif fault == "wrong_nonce":
        claims["nonce"] = secrets.token_urlsafe(16)
    return sb.signer.sign(claims, forged=fault == "forged")
