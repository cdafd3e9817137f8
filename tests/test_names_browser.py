"""Names in a real browser, with the sandbox's demo data as `make run` shows it on first start
(seat holders read, a few prospects named from the sandbox's CSV, the notes synced): the notes,
a search by a prospect's name, the prospects, a prospect and the seats pages, and the seats
page's one-click "map to user". Screenshots land in var/screenshots/names-*.png."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from linkedin.oauth import clear_token_cache
from recruiter.models import Contract, Prospect, Seat, SeatUser
from recruiter.sync import sync_contract
from tests.conftest import SCREENSHOTS, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(make_sandbox):
    clear_token_cache()
    sandbox = make_sandbox(seed=1, seats=6, prospects=300, notes=1500, days=60)
    call_command("start_demo", sandbox_url=sandbox.url, stdout=io.StringIO())
    contract = Contract.objects.get()
    Contract.objects.filter(pk=contract.pk).update(
        backfill_start=timezone.now() - timedelta(days=61)
    )
    sync_contract(contract.pk)
    yield sandbox
    clear_token_cache()


def shot(page, name: str) -> None:
    """The whole page, and what a 1280x900 window shows of it (to look at)."""
    screenshot(page, name)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-window.png"))


def test_names_on_every_page(page, alice, charlie, demo):
    named = Prospect.objects.exclude(name="").filter(notes__isnull=False).first()
    sign_in(page, "alice")

    page.goto("/notes/")
    expect(page.locator("table.notes")).to_contain_text("Alice Adams")
    shot(page, "names-notes")

    first_name = named.name.split()[0]
    page.fill("input[name=q]", named.name)
    page.click("button:has-text('Filter')")
    expect(page.locator("table.notes tbody tr").first).to_contain_text(first_name)
    rows = page.locator("table.notes tbody tr")
    assert rows.count() == named.notes.filter(active=True).count()
    shot(page, "names-notes-search")

    page.goto("/prospects/")
    expect(page.locator("table")).to_contain_text(named.name)
    shot(page, "names-prospects")

    page.goto(f"/prospects/{named.pk}/")
    expect(page.locator("h1")).to_have_text(named.name)
    expect(page.locator("a.prospect-link")).to_have_attribute("href", named.url)
    shot(page, "names-prospect")

    page.goto("/seats/")
    table = page.locator("table.seats")
    expect(table).to_contain_text("Alice Adams")
    expect(table).to_contain_text("inactive")
    shot(page, "names-seats")
    seat = Seat.objects.get(holder_name="Alice Adams")
    page.locator(f"#seat-{seat.pk}").locator("a:has-text('Map to user')").click()
    page.locator("select[name=user]").select_option(label="Charlie (charlie)")
    page.locator("button:has-text('Map to user')").click()
    expect(page.locator(f"#seat-{seat.pk}")).to_contain_text("Charlie")
    assert SeatUser.objects.get(seat=seat, user=charlie).source == "manual"
    shot(page, "names-seats-mapped")
