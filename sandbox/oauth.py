"""/oauth/v2: token endpoint (three grants), introspection, and the consent page."""

from __future__ import annotations

import time
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sandbox import oidc
from sandbox.auth import Grant
from sandbox.errors import OAuthError
from sandbox.wire import Request, Response, html_response, json_response, redirect

if TYPE_CHECKING:
    from sandbox.server import Sandbox

# LinkedIn's own wording for a code that does not fit (public error reports).
BAD_CODE = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def form(raw: bytes | str) -> dict[str, str]:
    """An application/x-www-form-urlencoded body or query; the last value of a name wins."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def handle(sb: Sandbox, req: Request) -> Response:
    route = req.path.removeprefix("/oauth/v2/")
    if route == "accessToken" and req.method == "POST":
        return access_token(sb, form(req.body))
    if route == "introspectToken" and req.method == "POST":
        return introspect(sb, form(req.body))
    if route == "revoke" and req.method == "POST":
        return revoke(sb, form(req.body))
    if route == "authorization" and req.method == "GET":
        return consent_page(sb, form(req.query))
    if route == "authorization" and req.method == "POST":
        return consent_answer(sb, form(req.body))
    raise OAuthError(404, "not_found", f"{req.method} {req.path} does not exist")


def _check_client(sb: Sandbox, fields: dict[str, str]) -> None:
    if not sb.store.auth.check_client(fields.get("client_id", ""), fields.get("client_secret", "")):
        raise OAuthError(401, "invalid_client", "Client authentication failed")


def access_token(sb: Sandbox, fields: dict[str, str]) -> Response:
    grant_type = fields.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", 'A required parameter "grant_type" is missing')
    if grant_type not in ("client_credentials", "authorization_code", "refresh_token"):
        raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant_type!r}")
    _check_client(sb, fields)
    if grant_type == "client_credentials":
        token = sb.store.auth.issue(sb.config.token_ttl)
        return json_response(
            200, {"access_token": token.value, "expires_in": _ttl(token)}, NO_STORE
        )
    if grant_type == "authorization_code":
        grant = sb.store.auth.take_code(fields.get("code", ""), fields.get("redirect_uri", ""))
        if grant is None:
            raise OAuthError(400, "invalid_request", BAD_CODE)
        refresh = sb.store.auth.new_refresh(grant, sb.config.refresh_token_ttl)
        return _member_tokens(sb, grant, refresh, with_id_token=True)
    refresh = fields.get("refresh_token", "")
    grant = sb.store.auth.refresh_grant(refresh)
    if grant is None:
        raise OAuthError(400, "invalid_request", "The provided refresh token is invalid")
    return _member_tokens(sb, grant, refresh)


def _ttl(token: Any) -> int:
    return max(0, round(token.expires_at - time.time()))


def _member_tokens(
    sb: Sandbox, grant: Grant, refresh: str, *, with_id_token: bool = False
) -> Response:
    # LinkedIn keeps the refresh token on refresh; its remaining lifetime shrinks.
    token = sb.store.auth.issue(sb.config.member_token_ttl, grant.member, grant.scope)
    body = {
        "access_token": token.value,
        "expires_in": _ttl(token),
        "refresh_token": refresh,
        "refresh_token_expires_in": _ttl(sb.store.auth.refresh_grant(refresh)),
        "scope": grant.scope,
    }
    # OpenID Connect: a code granted with the openid scope also brings the signed id_token.
    if with_id_token and "openid" in grant.scope.split():
        body["id_token"] = oidc.id_token(sb, grant.member, grant.scope, grant.nonce)
        body["token_type"] = "Bearer"  # noqa: S105 - the scheme, not a secret
    return json_response(200, body, NO_STORE)


def revoke(sb: Sandbox, fields: dict[str, str]) -> Response:
    """LinkedIn's token revocation: client_id, client_secret and token in the form body.

    Like RFC 7009, an unknown or already revoked token is still a 200: the caller's goal (the
    token no longer works) holds either way.
    """
    _check_client(sb, fields)
    value = fields.get("token", "")
    if not value:
        raise OAuthError(400, "invalid_request", 'A required parameter "token" is missing')
    sb.store.auth.revoke(value)
    return Response(200, b"", None, NO_STORE)


def introspect(sb: Sandbox, fields: dict[str, str]) -> Response:
    _check_client(sb, fields)
    token = sb.store.auth.find(fields.get("token", ""))
    if token is None:
        return json_response(200, {"active": False})
    status = "revoked" if token.revoked else "active" if token.is_valid() else "expired"
    return json_response(
        200,
        {
            "active": token.is_valid(),
            "client_id": token.client_id,
            "authorized_at": int(token.created_at),
            "created_at": int(token.created_at),
            "status": status,
            "expires_at": int(token.expires_at),
            "scope": token.scope,
            "auth_type": "3L" if token.member else "2L",
        },
    )


def _redirect_ok(sb: Sandbox, uri: str) -> bool:
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        return False
    return not sb.config.redirect_uris or uri in sb.config.redirect_uris


def _check_authorization(sb: Sandbox, fields: dict[str, str]) -> Response | None:
    """A 400 page when the request can't be trusted enough to redirect back."""
    if fields.get("client_id") != sb.store.auth.client_id:
        return _error_page("The application's client_id is not known.")
    if not _redirect_ok(sb, fields.get("redirect_uri", "")):
        return _error_page("The redirect_uri is missing or not registered for this application.")
    if fields.get("response_type") != "code":
        return _error_page("response_type must be 'code'.")
    return None


def consent_page(sb: Sandbox, fields: dict[str, str]) -> Response:
    problem = _check_authorization(sb, fields)
    if problem is not None:
        return problem
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(fields.get(name, ""))}">'
        for name in ("response_type", "client_id", "redirect_uri", "state", "scope", "nonce")
    )
    choices = "".join(
        f'<li><label><input type="radio" name="member" value="{escape(m.sub)}"'
        f"{' checked' if i == 0 else ''}> {escape(m.name)} "
        f"<small>({escape(m.email)})</small></label></li>"
        for i, m in enumerate(sb.store.members)
    )
    scope = escape(fields.get("scope", "")) or "(none)"
    body = (
        f"<h1>Sign in to LinkedIn (sandbox)</h1>"
        f"<p>An application wants access to your account. Requested scope: <code>{scope}</code></p>"
        f'<form method="post" action="/oauth/v2/authorization">{hidden}'
        f"<fieldset><legend>Sign in as</legend><ul>{choices}</ul></fieldset>"
        f'<button type="submit" name="action" value="allow">Allow</button> '
        f'<button type="submit" name="action" value="cancel">Cancel</button></form>'
    )
    return html_response(200, _page("Authorize", body))


def consent_answer(sb: Sandbox, fields: dict[str, str]) -> Response:
    problem = _check_authorization(sb, fields)
    if problem is not None:
        return problem
    back: dict[str, str] = {}
    if fields.get("action") == "allow":
        member = sb.store.member(fields.get("member", ""))
        if member is None:
            return _error_page("Choose a member to sign in as.")
        back["code"] = sb.store.auth.new_code(
            member, fields.get("scope", ""), fields["redirect_uri"], fields.get("nonce") or None
        )
    else:
        back["error"] = "user_cancelled_authorize"
        back["error_description"] = "The user cancelled the authorization"
    if fields.get("state"):
        back["state"] = fields["state"]
    uri = fields["redirect_uri"]
    return redirect(uri + ("&" if "?" in uri else "?") + urlencode(back))


def _error_page(message: str) -> Response:
    body = f"<h1>Something went wrong</h1><p>{escape(message)}</p>"
    return html_response(400, _page("Error", body))


def _page(title: str, body: str) -> str:
    style = (
        "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;color:#1d2226}"
        "h1{font-size:1.4rem}ul{list-style:none;padding:0}li{margin:.4rem 0}"
        "button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem}"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | LinkedIn sandbox</title><style>{style}</style></head>"
        f"<body>{body}</body></html>"
    )
