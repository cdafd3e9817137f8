"""Going live in a real browser under the strict CSP: the add-contract page, each outcome of
"Save and test connection" against the sandbox, and a backfill in progress on the Sync page.
Screenshots land in var/screenshots/ (going-live-*.png)."""

from __future__ import annotations

from datetime import timedelta

import django_rq
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rq import SimpleWorker

from linkedin.oauth import clear_token_cache
from recruiter import backfill
from recruiter.models import Backfill, ConnectionCheck, Contract
from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "sandbox-client-secret"


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def add_contract(page, urn: str, secret: str) -> None:
    page.goto("/admin/recruiter/contract/add/")
    page.fill("#id_urn", urn)
    page.fill("#id_name", "Acme Recruiting")
    page.fill("#id_client_id", "sandbox-client-id")
    page.fill("#id_client_secret", secret)
    page.click("input[name=_test_connection]")
    page.wait_for_url("**/change/")


def test_the_add_page_and_each_test_connection_outcome(page, staff, make_sandbox):
    sandbox = make_sandbox(notes=400, days=2, seats=6)
    urn = sandbox.store.contract_urns()[0]
    sign_in(page, staff.username)

    page.goto("/admin/recruiter/contract/add/")
    expect(page.locator("#id_urn")).to_have_attribute("placeholder", "urn:li:contract:123456")
    expect(page.get_by_text("LinkedIn asks partners to sync all of a")).to_be_visible()
    screenshot(page, "going-live-add-contract")
    page.fill("#id_urn", "contract 42")
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text("urn:li:contract:123456")
    screenshot(page, "going-live-add-contract-bad-urn")

    add_contract(page, urn, "a-wrong-secret")
    expect(page.locator(".messagelist .error")).to_contain_text("Client authentication failed")
    screenshot(page, "going-live-test-refused")

    add_contract(page, "urn:li:contract:424242", SECRET)
    expect(page.locator(".messagelist .error")).to_contain_text(
        "no Recruiter System Connect access to urn:li:contract:424242"
    )
    screenshot(page, "going-live-test-no-access")

    contract = Contract.objects.get(urn=urn)
    page.goto(f"/admin/recruiter/contract/{contract.pk}/change/")
    page.fill("#id_client_secret", SECRET)
    page.click("input[name=_test_connection]")
    expect(page.locator(".messagelist .success")).to_contain_text("Works: LinkedIn gave a token")
    expect(page.locator(".messagelist .success")).to_contain_text("seats (5 active)")
    screenshot(page, "going-live-test-works")
    assert ConnectionCheck.objects.count() == 2  # one per contract, the last result only


def test_a_backfill_in_progress_on_the_sync_page(page, alice, make_sandbox, settings):
    settings.BACKFILL_SLICE_SECONDS = 0  # one window per slice: stop after a few
    sandbox = make_sandbox(notes=600, days=12)
    contract = Contract.objects.create(
        urn=sandbox.store.contract_urns()[0],
        name="Acme Recruiting",
        backfill_start=timezone.now() - timedelta(days=13),
    )
    ConnectionCheck.objects.create(
        contract=contract, outcome="works", message="Works: 52 notes in the last 12 hours."
    )
    sign_in(page, alice.username)
    page.goto("/sync/")
    page.click("[data-field=start-backfill]")
    expect(page.locator("[data-backfill=queued]")).to_be_visible()

    queue = django_rq.get_queue("backfill")
    SimpleWorker([queue], connection=queue.connection).work(burst=True, max_jobs=9)

    fill = Backfill.objects.get()
    assert 0.2 < fill.fraction < 0.6 and fill.notes > 0
    page.goto("/sync/")
    card = page.locator(f"[data-contract-id='{contract.pk}']")
    expect(card.locator("[data-field=backfill-notes]")).to_have_text(f"{fill.notes} notes so far")
    expect(card.locator("[data-field=backfill-eta]")).to_contain_text("left")
    expect(card.locator("[data-field=pause-backfill]")).to_be_enabled()
    screenshot(page, "going-live-backfill-in-progress")

    # More slices while the page is open: the polling script moves the bar, no reload.
    SimpleWorker([queue], connection=queue.connection).work(burst=True, max_jobs=3)
    fill.refresh_from_db()
    expect(card.locator("[data-field=backfill-notes]")).to_have_text(f"{fill.notes} notes so far")
    expect(card.locator("[data-field=backfill-percent]")).to_have_text(
        f"{round(100 * fill.fraction)}%"
    )

    card.locator("[data-field=pause-backfill]").click()
    expect(page.locator("[data-backfill=paused]")).to_be_visible()
    expect(page.locator("[data-field=resume-backfill]")).to_be_visible()
    screenshot(page, "going-live-backfill-paused")
    assert backfill.backfill_of(contract).status == Backfill.Status.PAUSED


def test_the_push_url_warning_on_the_sync_page(page, alice):
    contract = Contract.objects.create(urn="urn:li:contract:5150", name="Acme Recruiting")
    Contract.objects.filter(pk=contract.pk).update(
        push_last_validated_at=timezone.now() - timedelta(hours=5, minutes=10),
        push_last_event_at=timezone.now() - timedelta(hours=6),
    )
    sign_in(page, alice.username)
    page.goto("/sync/")
    warning = page.locator(f"[data-contract-id='{contract.pk}'] [data-field=push-warning]")
    expect(warning).to_contain_text("No validation from LinkedIn for 5")
    expect(warning).to_contain_text("blocks the URL after 3 failed validations")
    screenshot(page, "going-live-push-warning")
