"""Every page in Chromium at a phone's width (390 px) and a desktop's (1280 px), as each named
user: nothing scrolls sideways (scrollWidth <= clientWidth), no console error, no CSP
violation; a screenshot of each in var/screenshots/pages-<user>-<page>-<width>.png.

Also the browser's time zone becoming the user's, the filters' toggle on a phone, and long
notes folding behind "Show more"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Preference
from recruiter.models import PushEvent, SyncRun
from tests.conftest import PASSWORD, screenshot
from tests.helpers import make_note, make_prospect, make_seat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "desktop": 1280}
LONG_URN = "urn:li:person:" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" * 2
LONG_TEXT = "\n".join(
    [
        "First call: strong Django and PostgreSQL background, led a team of six.",
        "Wants remote work, open to relocation for the right role.",
        "Salary expectations fine; notice period three months.",
        "Portfolio: https://example.com/" + "a-very-long-path-segment-without-spaces" * 3,
        "Asked about equity and the on-call rota.",
        "Follow up next week with the team lead.",
    ]
)


@pytest.fixture
def world(alice, bob, charlie):
    """Seats (one unmapped, with a long URN), prospects with long URNs, notes short and long,
    a failed and a succeeded run, a push event."""
    contract = bob.seat.contract
    other = make_seat(contract, name="Dana's seat", urn="urn:li:seat:" + "9" * 60)
    ada = make_prospect(name="Ada Lovelace", urn=LONG_URN)
    grace = make_prospect(name="Grace Hopper")
    now = timezone.now()
    make_note(bob.seat, ada, text=LONG_TEXT, created=now - timedelta(hours=3))
    make_note(bob.seat, grace, text="Jalapeño lover from Łódź, résumé sent", created=now)
    make_note(other, grace, text="Met at the meetup <b>not bold</b>.", created=now)
    make_note(bob.seat, ada, text="x" * 300, created=now - timedelta(days=1))
    contract.watermark = contract.last_success_at = now - timedelta(minutes=15)
    contract.last_error, contract.last_error_at = "LinkedIn answered 503", now
    contract.save()
    for status in ("succeeded", "failed"):
        SyncRun.objects.create(
            contract=contract,
            status=status,
            error="boom " * 40 if status == "failed" else "",
            window_start=now - timedelta(hours=12),
            window_end=now,
            finished_at=now,
        )
    PushEvent.objects.create(
        event_type="DELETE_PROSPECT_NOTE", raw_body="{}", body_sha256="0" * 64, contract=contract
    )
    return {"ada": ada}


def pages_for(user: str, world) -> dict[str, str]:
    ada = world["ada"].pk
    pages = {"home": "/", "recommendations": "/recommendations/", "settings": "/accounts/settings/"}
    if user in ("alice", "bob"):
        pages |= {
            "notes": "/notes/",
            "notes-search": "/notes/?q=jalapeno+or+relocation",
            "notes-bad-filter": "/notes/?created_from=2026-11-05&created_to=2026-11-01",
            "prospects": "/prospects/",
            "prospect": f"/prospects/{ada}/",
            "seats": "/seats/",
        }
    if user == "alice":
        pages["sync"] = "/sync/"
    if user == "charlie":
        pages["forbidden"] = "/notes/"
    return pages


def open_context(browser, live_server, width: int):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        timezone_id="America/New_York",
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    return context, page, problems


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def overflow(page) -> tuple[int, int]:
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


@pytest.mark.parametrize("width_name", list(WIDTHS))
@pytest.mark.parametrize("user", ["alice", "bob", "charlie"])
def test_every_page_fits_without_errors(browser, live_server, world, user, width_name):
    context, page, problems = open_context(browser, live_server, WIDTHS[width_name])
    try:
        page.goto("/login/")
        wide, visible = overflow(page)
        assert wide <= visible, f"login is {wide} px wide in {visible}"
        screenshot(page, f"pages-anonymous-login-{width_name}")
        sign_in(page, user)
        for name, url in pages_for(user, world).items():
            response = page.goto(url)
            page.wait_for_load_state("networkidle")
            expected = {"forbidden": 403, "notes-bad-filter": 400}.get(name, 200)
            assert response.status == expected, (name, response.status)
            if expected != 200:
                # The browser logs the document's own status: the answer we want, no error.
                problems[:] = [p for p in problems if f"status of {expected}" not in p]
            wide, visible = overflow(page)
            assert wide <= visible, f"{user} {name}: {wide} px wide in {visible}"
            screenshot(page, f"pages-{user}-{name}-{width_name}")
            assert not problems, (name, problems)
    finally:
        context.close()


def test_the_browsers_time_zone_becomes_the_users(browser, live_server, world, bob):
    context, page, problems = open_context(browser, live_server, 1280)
    try:
        sign_in(page, "bob")
        page.goto("/notes/")
        assert Preference.objects.get(user=bob).time_zone == "America/New_York"
        assert page.locator("table.notes time").first.inner_text().endswith(("EST", "EDT"))
        assert not problems
    finally:
        context.close()


def test_the_filters_fold_behind_a_toggle_on_a_phone(browser, live_server, world):
    context, page, problems = open_context(browser, live_server, 390)
    try:
        sign_in(page, "bob")
        page.goto("/notes/")
        assert not page.locator("#id_created_from").is_visible()
        page.click("label[for=filters-toggle]")
        assert page.locator("#id_created_from").is_visible()
        screenshot(page, "pages-bob-notes-filters-open-phone")
        context.set_default_timeout(5000)
        desktop = context.new_page()
        desktop.set_viewport_size({"width": 1280, "height": 900})
        desktop.goto("/notes/")
        assert desktop.locator("#id_created_from").is_visible()
        assert not desktop.locator("label[for=filters-toggle]").is_visible()
        assert not problems
    finally:
        context.close()


def test_a_long_note_folds_behind_show_more(browser, live_server, world):
    context, page, problems = open_context(browser, live_server, 390)
    try:
        sign_in(page, "bob")
        page.goto("/notes/")
        long_note = page.locator(".note-text", has_text="First call")
        button = page.locator("button.show-more").first
        assert "folded" in long_note.get_attribute("class")
        folded = long_note.bounding_box()["height"]
        button.click()
        assert button.inner_text() == "Show less"
        assert long_note.bounding_box()["height"] > folded
        short = page.locator(".note-text", has_text="Jalapeño lover")
        assert "folded" not in (short.get_attribute("class") or "")
        assert not problems
    finally:
        context.close()
