"""The sandbox's Sign In with LinkedIn: discovery, JWKS, a signed id_token with the nonce."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from sandbox.server import Sandbox, SandboxConfig

REDIRECT = "http://127.0.0.1:1/callback"


@pytest.fixture(scope="module")
def sb():
    with Sandbox(SandboxConfig(notes=10, prospects=5, seats=2)) as sandbox:
        yield sandbox


def code_for(sb: Sandbox, member: str, scope: str, nonce: str | None = "n-0123456789") -> str:
    fields = {
        "response_type": "code",
        "client_id": sb.config.client_id,
        "redirect_uri": REDIRECT,
        "state": "s-0123456789",
        "scope": scope,
        **({"nonce": nonce} if nonce else {}),
    }
    page = requests.get(f"{sb.oauth_base_url}/authorization?{urlencode(fields)}", timeout=5)
    assert 'name="nonce"' in page.text or not nonce
    answer = requests.post(
        f"{sb.oauth_base_url}/authorization",
        data={**fields, "member": member, "action": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["s-0123456789"]
    return query["code"][0]


def tokens_for(sb: Sandbox, code: str) -> dict:
    response = requests.post(
        f"{sb.oauth_base_url}/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": sb.config.client_id,
            "client_secret": sb.config.client_secret,
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


def verified_claims(sb: Sandbox, id_token: str) -> tuple[dict, dict]:
    keys = KeySet.import_key_set(requests.get(sb.url + "/oauth/openid/jwks", timeout=5).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    return token.header, token.claims


def test_the_discovery_document_is_linkedins_with_this_servers_urls(sb):
    doc = requests.get(sb.url + "/oauth/.well-known/openid-configuration", timeout=5).json()

    assert doc["issuer"] == sb.url + "/oauth"
    assert doc["authorization_endpoint"] == sb.oauth_base_url + "/authorization"
    assert doc["token_endpoint"] == sb.oauth_base_url + "/accessToken"
    assert doc["userinfo_endpoint"] == sb.api_base_url + "/userinfo"
    assert doc["jwks_uri"] == sb.url + "/oauth/openid/jwks"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["scopes_supported"] == ["openid", "profile", "email"]


def test_the_id_token_is_signed_and_carries_the_member_and_the_nonce(sb):
    tokens = tokens_for(sb, code_for(sb, "bob02", "openid profile email r_recommendations"))

    header, claims = verified_claims(sb, tokens["id_token"])
    assert header["alg"] == "RS256" and header["kid"] == sb.signer.kid
    assert claims["iss"] == sb.url + "/oauth" and claims["aud"] == sb.config.client_id
    assert claims["iat"] <= time.time() < claims["exp"]
    assert (claims["sub"], claims["name"], claims["email"]) == (
        "bob02",
        "Bob Brown",
        "bob@example.com",
    )
    assert claims["email_verified"] is True and claims["nonce"] == "n-0123456789"
    assert tokens["access_token"] and tokens["scope"] == "openid profile email r_recommendations"
    userinfo = requests.get(
        sb.api_base_url + "/userinfo",
        headers={
            "Authorization": "Bearer " + tokens["access_token"],
            "X-RestLi-Protocol-Version": "2.0.0",
        },
        timeout=5,
    ).json()
    assert userinfo["sub"] == "bob02" and userinfo["email"] == "bob@example.com"


def test_claims_follow_the_scopes_and_no_openid_means_no_id_token(sb):
    tokens = tokens_for(sb, code_for(sb, "erin05", "openid profile", nonce=None))
    _, claims = verified_claims(sb, tokens["id_token"])
    assert "email" not in claims and "nonce" not in claims and claims["given_name"] == "Erin"

    plain = tokens_for(sb, code_for(sb, "alice01", "r_recommendations", nonce=None))
    assert "id_token" not in plain


def test_a_fault_spoils_the_next_id_token_once(sb):
    answer = requests.post(sb.url + "/_sandbox/oidc", json={"fault": "expired"}, timeout=5)
    assert answer.json() == {"fault": "expired"}
    spoiled = tokens_for(sb, code_for(sb, "alice01", "openid"))["id_token"]
    _, claims = verified_claims(sb, spoiled)
    assert claims["exp"] < time.time()
    fine = tokens_for(sb, code_for(sb, "alice01", "openid"))["id_token"]
    assert verified_claims(sb, fine)[1]["exp"] > time.time()

    sb.signer.next_fault = "forged"
    forged = tokens_for(sb, code_for(sb, "alice01", "openid"))["id_token"]
    with pytest.raises(Exception, match="signature"):
        verified_claims(sb, forged)
    bad = requests.post(sb.url + "/_sandbox/oidc", json={"fault": "nope"}, timeout=5)
    assert bad.status_code == 400
