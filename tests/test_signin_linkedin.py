"""Sign In with LinkedIn (OpenID Connect) end to end against the sandbox over real HTTP.

The Django test client plays the browser on our side, `requests` answers the sandbox's
consent page; the sandbox signs the id_token with its own RSA key, and spoils one on demand
(forged, expired, wrong audience or issuer, wrong nonce) to show that we refuse it.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY, user_logged_in, user_login_failed
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.identity import identity_for, link_identity
from recommendations.models import LinkedInAccount
from tests.test_linkedin_accounts import consent

LOGIN = reverse("login")
START = reverse("accounts:linkedin_login")
RECEIVED = reverse("recommendations:received")

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals():
    """What Django's auth signals said during the test: ("ok", user) or ("failed", credentials)."""
    heard: list[tuple[str, object]] = []

    def ok(sender, user, **kwargs):
        heard.append(("ok", user))

    def failed(sender, credentials, **kwargs):
        heard.append(("failed", credentials))

    user_logged_in.connect(ok, dispatch_uid="test-ok")
    user_login_failed.connect(failed, dispatch_uid="test-failed")
    yield heard
    user_logged_in.disconnect(dispatch_uid="test-ok")
    user_login_failed.disconnect(dispatch_uid="test-failed")


@pytest.fixture
def open_signup(settings):
    settings.LINKEDIN_SIGNUP_DOMAINS = ["example.com"]


def authorization_url(client: Client, next_url: str | None = None) -> str:
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content
    return response["Location"]


def sign_in_with_linkedin(client: Client, member: str, next_url: str | None = None):
    """The whole dance: our link, LinkedIn's consent page as ``member``, our callback."""
    back = consent(authorization_url(client, next_url), member)
    assert back.startswith("http://testserver/accounts/linkedin/callback/?"), back
    return client.get(back.removeprefix("http://testserver"))


def signed_in_user(client: Client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def test_the_login_page_offers_sign_in_with_linkedin(client, db):
    page = client.get(LOGIN, {"next": "/recommendations/"}).content.decode()

    assert "Sign in with LinkedIn" in page
    assert f'href="{START}?next=/recommendations/"' in page
    assert 'name="password"' in page  # admins keep their password sign-in


def test_the_link_asks_linkedin_for_openid_with_a_state_and_a_nonce(client, sandbox):
    location = authorization_url(client)

    assert location.startswith(sandbox.oauth_base_url + "/authorization?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == "sandbox-client-id"
    assert query["redirect_uri"] == "http://testserver/accounts/linkedin/callback/"
    assert query["scope"].split() == ["openid", "profile", "email", "r_recommendations"]
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    second = parse_qs(urlsplit(authorization_url(Client())).query)
    assert second["nonce"][0] != query["nonce"] and second["state"][0] != query["state"]


def test_a_new_member_gets_an_account_with_no_role_when_sign_up_is_open(
    client, sandbox, open_signup, signals
):
    response = sign_in_with_linkedin(client, "alice01")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = signed_in_user(client)
    assert user is not None and signals == [("ok", user)]
    assert (user.username, user.email, user.get_full_name()) == (
        "alice",
        "alice@example.com",
        "Alice Adams",
    )
    assert not user.groups.exists() and not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    identity = identity_for(user)
    assert identity.person_urn == "urn:li:person:alice01"
    assert (identity.name, identity.email, identity.email_verified) == (
        "Alice Adams",
        "alice@example.com",
        True,
    )


def test_the_sign_in_keeps_the_members_tokens_for_recommendations_encrypted(
    client, sandbox, open_signup
):
    sign_in_with_linkedin(client, "alice01")

    account = LinkedInAccount.objects.get(user=signed_in_user(client))
    assert account.person_urn == "urn:li:person:alice01"
    assert account.access_token.startswith("AQV") and account.refresh_token.startswith("AQX")
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM recommendations_linkedinaccount")
        [(raw_access, raw_refresh)] = cursor.fetchall()
    assert account.access_token not in raw_access and account.refresh_token not in raw_refresh
    # No "Connect LinkedIn" step: her received requests are there at once.
    page = client.get(RECEIVED)
    assert page.status_code == 200 and len(page.context["requests"]) == 2


def test_a_new_member_is_refused_while_sign_up_is_closed(client, sandbox, settings, signals):
    settings.LINKEDIN_SIGNUP_DOMAINS = []

    response = sign_in_with_linkedin(client, "alice01")

    assert response.status_code == 403
    assert "There is no account on this site for your LinkedIn profile" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists() and not LinkedInAccount.objects.exists()
    assert [kind for kind, _ in signals] == ["failed"]
    assert signals[0][1]["username"] == "linkedin:urn:li:person:alice01"


@pytest.mark.parametrize(
    ("domains", "member"),
    [
        (["partner.example"], "alice01"),  # her domain is not listed
        (["example.com"], "erin05"),  # listed, but her email is not verified
    ],
)
def test_sign_up_needs_a_verified_email_in_a_listed_domain(
    client, sandbox, settings, domains, member
):
    settings.LINKEDIN_SIGNUP_DOMAINS = domains

    response = sign_in_with_linkedin(client, member)

    assert response.status_code == 403
    assert not User.objects.exists()


def test_a_known_member_is_signed_in_as_their_user(client, bob, sandbox, settings, signals):
    settings.LINKEDIN_SIGNUP_DOMAINS = []  # no sign-up needed for someone the site knows
    link_identity(bob, "urn:li:person:bob02")

    response = sign_in_with_linkedin(client, "bob02")

    assert response.status_code == 302
    assert signed_in_user(client) == bob and signals == [("ok", bob)]
    assert User.objects.count() == 1
    identity = identity_for(bob)
    assert (identity.name, identity.email) == ("Bob Brown", "bob@example.com")  # refreshed


def test_the_same_email_is_not_enough_to_be_someone(client, alice, sandbox, open_signup):
    """The site user alice@example.com is not taken over by the member with that email."""
    sign_in_with_linkedin(client, "alice01")

    user = signed_in_user(client)
    assert user != alice and user.username == "alice-2"
    assert identity_for(alice) is None


def test_next_is_followed_only_on_this_site(client, sandbox, open_signup):
    assert sign_in_with_linkedin(client, "alice01", "/recommendations/sent/")["Location"] == (
        "/recommendations/sent/"
    )
    other = Client()
    assert sign_in_with_linkedin(other, "alice01", "https://evil.example/")["Location"] == "/"


@pytest.mark.parametrize(
    "fault", ["wrong_nonce", "forged", "expired", "wrong_audience", "wrong_issuer"]
)
def test_an_id_token_that_fails_a_check_signs_nobody_in(
    client, sandbox, open_signup, signals, caplog, fault
):
    sandbox.signer.next_fault = fault
    caplog.set_level(logging.WARNING, logger="accounts.views")

    response = sign_in_with_linkedin(client, "alice01")

    assert response.status_code == 403
    assert "did not pass our checks" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists() and not LinkedInAccount.objects.exists()
    assert signals == [("failed", signals[0][1])]
    assert signals[0][1]["username"] == "linkedin"  # nobody vouched for
    assert "id_token refused" in caplog.text
    # The next, untouched id_token passes: the refusal was about that token only.
    assert sign_in_with_linkedin(Client(), "alice01").status_code == 302


def test_a_callback_with_a_wrong_or_used_state_is_refused(client, sandbox, open_signup):
    back = consent(authorization_url(client), "alice01").removeprefix("http://testserver")
    code = parse_qs(urlsplit(back).query)["code"][0]

    forged = client.get(reverse("accounts:linkedin_callback"), {"code": code, "state": "x" * 27})
    assert forged.status_code == 403
    assert "could not be matched to a sign-in started here" in forged.content.decode()

    other = Client()
    back = consent(authorization_url(other), "alice01").removeprefix("http://testserver")
    assert other.get(back).status_code == 302
    other.logout()
    assert other.get(back).status_code == 403  # the state was used up
    assert User.objects.count() == 1


def test_cancelling_on_linkedin_says_so(client, sandbox, open_signup):
    back = consent(authorization_url(client), "alice01", action="cancel")

    response = client.get(back.removeprefix("http://testserver"))

    assert response.status_code == 403
    assert "You cancelled the LinkedIn sign-in." in response.content.decode()
    assert signed_in_user(client) is None


def test_linkedin_down_is_explained_and_logged(client, sandbox, settings, caplog):
    settings.LINKEDIN_OIDC_DISCOVERY_URL = (
        "http://127.0.0.1:9/oauth/.well-known/openid-configuration"
    )

    response = client.get(START)

    assert response.status_code == 502
    assert "LinkedIn is not answering right now" in response.content.decode()
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_password_sign_in_still_works_for_admins(client, staff):
    from tests.conftest import PASSWORD

    response = client.post(LOGIN, {"username": staff.username, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user(client) == staff


def test_the_audit_log_records_linkedin_sign_ins_and_refusals(client, sandbox, settings):
    from audit.models import Action, Entry

    settings.LINKEDIN_SIGNUP_DOMAINS = []
    sign_in_with_linkedin(client, "alice01")
    settings.LINKEDIN_SIGNUP_DOMAINS = ["example.com"]
    sign_in_with_linkedin(client, "alice01")

    failed = Entry.objects.get(action=Action.SIGN_IN_FAILED)
    assert failed.details["username"] == "linkedin:urn:li:person:alice01"
    assert Entry.objects.get(action=Action.SIGN_IN).actor == signed_in_user(client)


def test_sign_in_with_linkedin_is_locked_out_after_too_many_failures(
    client, sandbox, open_signup, settings
):
    """Forged id_tokens count like wrong passwords: past the limit even a good one is refused."""
    settings.AXES_FAILURE_LIMIT = 3
    statuses = []
    for _ in range(3):
        sandbox.signer.next_fault = "forged"
        statuses.append(sign_in_with_linkedin(client, "alice01").status_code)
    assert statuses == [403, 403, 429]  # the failure that reaches the limit locks

    locked = sign_in_with_linkedin(client, "alice01")  # a good id_token now

    assert locked.status_code == 429
    assert signed_in_user(client) is None and not User.objects.exists()
