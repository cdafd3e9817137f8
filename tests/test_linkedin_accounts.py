"""Connecting a LinkedIn account (3-legged OAuth against the sandbox), tokens and their refresh."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from recommendations import accounts
from recommendations.models import LinkedInAccount

RECEIVED = reverse("recommendations:received")
CONNECT = reverse("recommendations:connect")
CALLBACK = reverse("recommendations:oauth_callback")
DISCONNECT = reverse("recommendations:disconnect")


def consent(authorization_url: str, member: str, action: str = "allow") -> str:
    """Answer the sandbox's consent page as ``member``; return where it sends the browser."""
    page = requests.get(authorization_url, timeout=5)
    assert page.status_code == 200, page.text
    fields = {k: v[-1] for k, v in parse_qs(urlsplit(authorization_url).query).items()}
    answer = requests.post(
        authorization_url.split("?")[0],
        data={**fields, "member": member, "action": action},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def start_connect(client) -> str:
    response = client.get(CONNECT)
    assert response.status_code == 302
    return response["Location"]


def connect_linkedin(client, user, member: str) -> LinkedInAccount:
    """Sign ``user`` in and connect them to the sandbox member ``member`` (e.g. alice01)."""
    client.force_login(user)
    back = consent(start_connect(client), member)
    response = client.get(back)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == RECEIVED
    return LinkedInAccount.objects.get(user=user)


def token_endpoint_calls(sandbox, grant_type: str) -> int:
    return sum(
        1
        for entry in sandbox.request_log
        if entry.path == "/oauth/v2/accessToken"
        and f"grant_type={grant_type}" in entry.body.decode()
    )


# -- the flow -----------------------------------------------------------------------------------


def test_connect_link_redirects_to_linkedin_with_a_session_state(client, charlie, sandbox):
    client.force_login(charlie)
    location = start_connect(client)

    assert location.startswith(sandbox.oauth_base_url + "/authorization?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == "sandbox-client-id"
    assert query["redirect_uri"] == "http://testserver" + CALLBACK
    assert query["scope"] == "openid profile r_recommendations"
    assert len(query["state"]) >= 32
    assert client.session[accounts.SESSION_STATE_KEY] == query["state"]


def test_a_page_without_account_offers_the_connect_link(client, charlie):
    client.force_login(charlie)
    response = client.get(RECEIVED)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connect LinkedIn" in html
    # A link, not a form post: the CSP's form-action would block a POST redirecting away.
    assert f'href="{CONNECT}"' in html


def test_connecting_stores_the_member_and_encrypted_tokens(client, alice, sandbox):
    account = connect_linkedin(client, alice, "alice01")

    assert account.person_urn == "urn:li:person:alice01"
    assert account.name == "Alice Adams"
    assert account.access_token.startswith("AQV")
    assert account.refresh_token.startswith("AQX")
    assert account.expires_at > timezone.now() + timedelta(days=59)
    assert account.refresh_expires_at > timezone.now() + timedelta(days=364)
    assert not account.needs_reconnect
    # The callback used up the state, and the code was traded at the token endpoint once.
    assert accounts.SESSION_STATE_KEY not in client.session
    assert token_endpoint_calls(sandbox, "authorization_code") == 1

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM recommendations_linkedinaccount WHERE id = %s",
            [account.pk],
        )
        raw_access, raw_refresh = cursor.fetchone()
    assert account.access_token not in raw_access
    assert account.refresh_token not in raw_refresh
    assert raw_access.startswith("gAAAA")  # a Fernet token

    page = client.get(RECEIVED).content.decode()
    assert "Alice Adams" in page
    assert "Connect LinkedIn" not in page


def test_a_wrong_state_is_refused_and_the_code_is_not_used(client, alice, sandbox):
    client.force_login(alice)
    back = consent(start_connect(client), "alice01")
    code = parse_qs(urlsplit(back).query)["code"][0]

    response = client.get(CALLBACK, {"code": code, "state": "forged-state-value-from-elsewhere"})

    assert response.status_code == 400
    assert "could not be matched" in response.content.decode()
    assert not LinkedInAccount.objects.exists()
    assert token_endpoint_calls(sandbox, "authorization_code") == 0
    # The real state was used up by the failed attempt: the genuine answer no longer works.
    assert client.get(back).status_code == 400
    assert not LinkedInAccount.objects.exists()


def test_a_missing_state_is_refused(client, alice, sandbox):
    client.force_login(alice)
    back = consent(start_connect(client), "alice01")
    code = parse_qs(urlsplit(back).query)["code"][0]

    response = client.get(CALLBACK, {"code": code})

    assert response.status_code == 400
    assert not LinkedInAccount.objects.exists()


def test_a_callback_without_a_started_sign_in_is_refused(client, alice, sandbox):
    client.force_login(alice)
    response = client.get(CALLBACK, {"code": "abc", "state": "abc"})
    assert response.status_code == 400
    assert not LinkedInAccount.objects.exists()


def test_a_replayed_callback_is_refused(client, alice, sandbox):
    client.force_login(alice)
    back = consent(start_connect(client), "alice01")
    assert client.get(back).status_code == 302
    LinkedInAccount.objects.all().delete()

    response = client.get(back)

    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert not LinkedInAccount.objects.exists()


def test_cancelling_on_linkedin_connects_nothing(client, alice, sandbox):
    client.force_login(alice)
    back = consent(start_connect(client), "alice01", action="cancel")

    response = client.get(back, follow=True)

    assert "You cancelled the LinkedIn sign-in" in response.content.decode()
    assert not LinkedInAccount.objects.exists()
    assert token_endpoint_calls(sandbox, "authorization_code") == 0


def test_one_member_cannot_belong_to_two_users(client, alice, bob, sandbox):
    connect_linkedin(client, alice, "alice01")
    client.force_login(bob)
    back = consent(start_connect(client), "alice01")

    response = client.get(back)

    assert response.status_code == 400
    assert "already connected to another user" in response.content.decode()
    assert not LinkedInAccount.objects.filter(user=bob).exists()
    assert LinkedInAccount.objects.get(person_urn="urn:li:person:alice01").user == alice


def test_connecting_again_replaces_the_tokens(client, alice, sandbox):
    first = connect_linkedin(client, alice, "alice01")
    second = connect_linkedin(client, alice, "alice01")
    assert second.pk == first.pk
    assert second.access_token != first.access_token
    assert LinkedInAccount.objects.count() == 1


def test_disconnect_deletes_the_tokens(client, alice, sandbox):
    connect_linkedin(client, alice, "alice01")

    assert client.get(DISCONNECT).status_code == 405
    response = client.post(DISCONNECT, follow=True)

    assert not LinkedInAccount.objects.exists()
    assert "LinkedIn disconnected" in response.content.decode()
    assert "Connect LinkedIn" in response.content.decode()


def test_disconnect_revokes_the_token_at_linkedin(client, alice, sandbox):
    account = connect_linkedin(client, alice, "alice01")
    token = account.access_token
    assert sandbox.store.auth.lookup(token) is not None

    response = client.post(DISCONNECT, follow=True)

    assert "token is revoked" in response.content.decode()
    assert sandbox.store.auth.lookup(token) is None  # LinkedIn no longer accepts it
    (call,) = [e for e in sandbox.request_log if e.path == "/oauth/v2/revoke"]
    form = parse_qs(call.body.decode())
    assert form["token"] == [token] and form["client_id"] == ["sandbox-client-id"]
    assert not LinkedInAccount.objects.exists()


def test_disconnect_when_linkedin_refuses_still_deletes_and_says_so(
    client, alice, sandbox, settings, caplog
):
    connect_linkedin(client, alice, "alice01")
    settings.LINKEDIN_CLIENT_SECRET = "not-the-sandbox-secret"

    with caplog.at_level(logging.ERROR):
        response = client.post(DISCONNECT, follow=True)

    assert not LinkedInAccount.objects.exists()
    assert "did not confirm the revocation" in response.content.decode()
    assert any(
        r.levelno == logging.ERROR and "did not revoke" in r.getMessage() for r in caplog.records
    )


def test_disconnect_needs_the_csrf_token(alice, sandbox):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    connect_linkedin(client, alice, "alice01")
    assert client.post(DISCONNECT).status_code == 403
    assert LinkedInAccount.objects.filter(user=alice).exists()


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in (RECEIVED, CONNECT, CALLBACK + "?code=x&state=y"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(DISCONNECT)["Location"].startswith(reverse("login"))


# -- tokens -------------------------------------------------------------------------------------


def test_an_access_token_about_to_lapse_is_refreshed_before_use(client, alice, sandbox):
    account = connect_linkedin(client, alice, "alice01")
    old_token = account.access_token
    LinkedInAccount.objects.filter(pk=account.pk).update(
        expires_at=timezone.now() + timedelta(minutes=2)
    )

    response = client.get(RECEIVED)

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.access_token != old_token
    assert account.expires_at > timezone.now() + timedelta(days=59)
    assert account.last_refreshed_at is not None
    assert token_endpoint_calls(sandbox, "refresh_token") == 1
    # The refresh token is kept: the sandbox, like LinkedIn, does not rotate it.
    assert account.refresh_token.startswith("AQX")


def test_sixty_days_later_the_token_is_refreshed_not_refused(client, alice, sandbox):
    account = connect_linkedin(client, alice, "alice01")
    old_token = account.access_token
    # Both sides move: the sandbox's own clock says the old token has expired, too.
    with time_machine.travel(timezone.now() + timedelta(days=61), tick=True):
        client.force_login(alice)  # the session itself has expired by then
        response = client.get(RECEIVED)
        assert response.status_code == 200
        assert "Reconnect" not in response.content.decode()
        account.refresh_from_db()
        assert account.access_token != old_token
        assert account.expires_at > timezone.now()
    assert token_endpoint_calls(sandbox, "refresh_token") == 1


def test_a_401_refreshes_the_token_once_and_retries(client, alice, sandbox):
    account = connect_linkedin(client, alice, "alice01")
    sandbox.store.revoke_token(account.access_token)
    sandbox.clear_log()

    response = client.get(RECEIVED)

    assert response.status_code == 200
    assert "bob02" in response.content.decode()  # the list came after the retry
    account.refresh_from_db()
    assert token_endpoint_calls(sandbox, "refresh_token") == 1
    statuses = [e.status for e in sandbox.request_log if e.path.startswith("/v2/")]
    assert statuses[0] == 401
    assert 200 in statuses[1:]
    assert sandbox.store.auth.lookup(account.access_token) is not None


def test_a_refused_refresh_asks_to_reconnect_instead_of_failing(client, alice, sandbox):
    account = connect_linkedin(client, alice, "alice01")
    # The member revoked our access on LinkedIn: the access token and its refresh token die.
    sandbox.store.revoke_token(account.access_token)
    revoke_refresh_token(sandbox, account.refresh_token)

    response = client.get(RECEIVED)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Reconnect LinkedIn" in html
    assert "refused to renew" in html
    account.refresh_from_db()
    assert account.needs_reconnect
    # Other pages now ask at once, without calling LinkedIn.
    sandbox.clear_log()
    for name in ("received", "sent", "create"):
        page = client.get(reverse(f"recommendations:{name}"))
        assert page.status_code == 200
        assert "Reconnect LinkedIn" in page.content.decode()
    assert sandbox.request_log == []


def test_reconnecting_clears_the_reconnect_prompt(client, alice, sandbox):
    account = connect_linkedin(client, alice, "alice01")
    LinkedInAccount.objects.filter(pk=account.pk).update(needs_reconnect=True, last_error="x")
    account = connect_linkedin(client, alice, "alice01")
    assert not account.needs_reconnect
    assert account.last_error == ""
    assert "Reconnect LinkedIn" not in client.get(RECEIVED).content.decode()


def revoke_refresh_token(sandbox, refresh_token: str) -> None:
    """Make the sandbox refuse a refresh token, as LinkedIn does once a member revokes access."""
    grant = sandbox.store.auth.refresh_grant(refresh_token)
    assert grant is not None
    grant.expires_at = 0


def test_tokens_never_reach_the_logs(client, alice, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    account = connect_linkedin(client, alice, "alice01")
    first_access, refresh = account.access_token, account.refresh_token
    sandbox.store.revoke_token(first_access)  # forces a 401 and a refresh
    assert client.get(RECEIVED).status_code == 200
    account.refresh_from_db()

    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert "refreshed" in logged  # the refresh is logged, without the token
    for secret in (first_access, refresh, account.access_token, "sandbox-client-secret"):
        assert secret not in logged
    assert first_access not in repr(account)


def test_the_admin_never_shows_tokens(client, alice, staff, sandbox):
    from django.test import Client

    account = connect_linkedin(client, alice, "alice01")
    admin = Client()
    admin.force_login(staff)

    change = admin.get(reverse("admin:recommendations_linkedinaccount_change", args=[account.pk]))
    listing = admin.get(reverse("admin:recommendations_linkedinaccount_changelist"))

    assert change.status_code == 200
    assert listing.status_code == 200
    assert "urn:li:person:alice01" in change.content.decode()
    for page in (change, listing):
        html = page.content.decode()
        assert account.access_token not in html
        assert account.refresh_token not in html
        assert 'name="access_token"' not in html
        assert "gAAAA" not in html  # not even the ciphertext
