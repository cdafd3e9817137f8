"""Recommendation requests in a real browser: alice asks bob, bob accepts, alice sees it.

The live server and the sandbox both listen on 127.0.0.1 (different ports), so the browser
really goes to the sandbox's consent page and is sent back to our callback.
"""

from __future__ import annotations

import re

import pytest

from accounts.identity import link_identity
from recommendations.models import LinkedInAccount, RecommendationRequest
from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Recommendation for the billing rewrite"


def connect_linkedin(page, sandbox, member_name: str, shot: str) -> None:
    page.goto("/recommendations/")
    assert page.locator("h1").inner_text() == "Connect LinkedIn"
    screenshot(page, f"{shot}-connect")
    page.click("a.button:has-text('Connect LinkedIn')")
    page.wait_for_url(re.compile(re.escape(sandbox.oauth_base_url) + r"/authorization\?.*"))
    page.check(f"label:has-text('{member_name}') input[type=radio]")
    screenshot(page, f"{shot}-consent")
    page.click("button[value=allow]")
    page.wait_for_url("**/recommendations/")
    assert "LinkedIn connected as " + member_name in page.locator(".messages").inner_text()


def sign_out(page, username: str) -> None:
    page.click(f"text=Sign out {username}")
    page.wait_for_url("**/login/")


def test_alice_asks_bob_who_accepts(page, live_server, make_sandbox, alice, bob):
    sandbox = make_sandbox(notes=10, prospects=5)

    # Alice connects as the LinkedIn member alice01 and asks bob02 for a recommendation.
    sign_in(page, "alice")
    connect_linkedin(page, sandbox, "Alice Adams", "recs-alice")
    screenshot(page, "recs-alice-received")
    assert page.locator("table.recs-table tbody tr").count() == 2  # the demo's pending ones

    page.click("text=Ask for a recommendation")
    page.fill("#id_requestee", "urn:li:person:bob02")
    page.fill("#id_subject", SUBJECT)
    page.fill("#id_message", "Could you say a word about our work on <billing>?")
    page.select_option("#id_relationship", "WORKED_IN_SAME_GROUP")
    screenshot(page, "recs-alice-create")
    page.click("text=Send request")
    page.wait_for_url(re.compile(r".*/recommendations/requests/\d+/$"))
    assert page.locator("h1").inner_text() == SUBJECT
    assert page.locator(".badge").first.inner_text() == "Pending"
    assert "about our work on <billing>?" in page.locator(".note-text").inner_text()
    screenshot(page, "recs-alice-detail")
    created = RecommendationRequest.objects.get(notification_subject=SUBJECT)
    assert created.requester == "urn:li:person:alice01"
    sign_out(page, "alice")

    # Bob connects as bob02, finds the request under Received and accepts it.
    sign_in(page, "bob")
    connect_linkedin(page, sandbox, "Bob Brown", "recs-bob")
    row = page.locator("table.recs-table tbody tr", has_text=SUBJECT)
    assert row.count() == 1
    screenshot(page, "recs-bob-received")
    row.locator("text=Accept").click()
    assert page.locator("h1").inner_text() == "Accept this recommendation request?"
    screenshot(page, "recs-bob-confirm")
    page.click("button:has-text('Accept')")
    page.wait_for_url("**/recommendations/")
    assert "Request accepted." in page.locator(".messages").inner_text()
    assert page.locator("table.recs-table tbody tr", has_text=SUBJECT).count() == 0
    screenshot(page, "recs-bob-after-accept")
    [answered] = [r for r in sandbox.store.recommendation_requests() if r.key == created.urn]
    assert answered.status == "ACCEPTED"
    sign_out(page, "bob")

    # Alice sees it accepted under Sent.
    sign_in(page, "alice")
    page.goto("/recommendations/sent/")
    row = page.locator("table.recs-table tbody tr", has_text=SUBJECT)
    assert row.locator(".badge").inner_text() == "Accepted"
    screenshot(page, "recs-alice-sent")
    assert LinkedInAccount.objects.count() == 2


def test_narrow_screen_and_reconnect_prompt(page, live_server, make_sandbox, alice):
    sandbox = make_sandbox(notes=10, prospects=5)
    sign_in(page, "alice")
    connect_linkedin(page, sandbox, "Alice Adams", "recs-narrow")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/recommendations/?status=PENDING&status=FULFILLED")
    screenshot(page, "recs-mobile-received")
    assert page.locator("table.recs-table tbody tr").count() == 3

    LinkedInAccount.objects.update(needs_reconnect=True, last_error="LinkedIn refused it.")
    page.goto("/recommendations/sent/")
    assert page.locator("h1").inner_text() == "Reconnect LinkedIn"
    screenshot(page, "recs-reconnect")


def sign_in_with_linkedin(page, sandbox, member_name: str, shot: str) -> None:
    """From the login page through the sandbox's consent page, back signed in."""
    page.goto("/login/")
    page.click("text=Sign in with LinkedIn")
    page.wait_for_url(re.compile(re.escape(sandbox.oauth_base_url) + r"/authorization\?.*"))
    page.check(f"label:has-text('{member_name}') input[type=radio]")
    screenshot(page, f"{shot}-consent")
    page.click("button[value=allow]")
    page.wait_for_url(lambda url: "/accounts/linkedin/" not in url and "/login/" not in url)


def test_members_sign_in_with_linkedin_ask_and_accept(
    page, live_server, make_sandbox, bob, settings
):
    """alice has no site account and signs up by signing in; bob's site user is already
    linked to his LinkedIn member, so he is one of alice's colleagues to pick."""
    settings.LINKEDIN_SIGNUP_DOMAINS = ["example.com"]
    sandbox = make_sandbox(notes=10, prospects=5)
    link_identity(bob, "urn:li:person:bob02", name="Bob Brown")

    page.goto("/login/")
    screenshot(page, "oidc-login")
    sign_in_with_linkedin(page, sandbox, "Alice Adams", "oidc-alice")
    assert page.locator("h1").inner_text() == "Welcome, Alice"
    page.goto("/recommendations/")
    assert page.locator("h1").inner_text() == "Requests you received"  # no Connect step

    page.click("text=Ask for a recommendation")
    assert page.locator("#id_colleague option").all_inner_texts() == ["— choose —", "Bob Brown"]
    page.select_option("#id_colleague", label="Bob Brown")
    page.fill("#id_subject", SUBJECT)
    page.fill("#id_message", "Could you say a word about our work on <billing>?")
    screenshot(page, "oidc-alice-create")
    page.click("text=Send request")
    page.wait_for_url(re.compile(r".*/recommendations/requests/\d+/$"))
    assert page.locator("h1").inner_text() == SUBJECT
    assert page.locator(".badge").first.inner_text() == "Pending"
    assert "about our work on <billing>?" in page.locator(".note-text").inner_text()
    assert "Bob Brown" in page.locator(".recs-fields").inner_text()
    screenshot(page, "oidc-alice-detail")
    sign_out(page, "alice")

    sign_in_with_linkedin(page, sandbox, "Bob Brown", "oidc-bob")
    page.goto("/recommendations/")
    row = page.locator("table.recs-table tbody tr", has_text=SUBJECT)
    assert "Alice Adams" in row.inner_text()
    screenshot(page, "oidc-bob-received")
    row.locator("text=Accept").click()
    page.click("button:has-text('Accept')")
    page.wait_for_url("**/recommendations/")
    page.click(".messages >> text=See the request")
    assert page.locator(".badge").first.inner_text() == "Accepted"
    screenshot(page, "oidc-bob-accepted")
    sign_out(page, "bob")

    sign_in_with_linkedin(page, sandbox, "Alice Adams", "oidc-alice-again")
    page.goto("/recommendations/sent/")
    row = page.locator("table.recs-table tbody tr", has_text=SUBJECT)
    assert row.locator(".badge").inner_text() == "Accepted"
    assert "Bob Brown" in row.inner_text()
    screenshot(page, "oidc-alice-sent")
    row.locator(f"text={SUBJECT}").click()
    assert page.locator(".badge").first.inner_text() == "Accepted"
    assert "about our work on <billing>?" in page.locator(".note-text").inner_text()
    screenshot(page, "oidc-alice-detail-accepted")
