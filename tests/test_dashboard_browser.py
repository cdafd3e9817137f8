"""The dashboard in a real browser under the strict CSP: filter by seat, search, open a
prospect's timeline, export CSV, and press "Sync now" to watch the progress bar fill through the
polling script. Screenshots of each page land in var/screenshots/."""

from __future__ import annotations

import csv
import threading
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect
from rq import SimpleWorker
from rq.timeouts import TimerDeathPenalty

from linkedin.oauth import clear_token_cache
from recruiter import queue as recruiter_queue
from recruiter.export import CSV_HEADER
from recruiter.models import Contract, PushEvent, SyncRun
from tests.conftest import screenshot, sign_in
from tests.helpers import make_note, make_prospect, make_seat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def notes(bob):
    """Two seats on one contract, a few prospects, notes with line breaks and markup."""
    other = make_seat(bob.seat.contract, name="Dana's seat")
    make_seat(bob.seat.contract, name="Vacant seat")
    ada = make_prospect(name="Ada Lovelace")
    grace = make_prospect(name="Grace Hopper")
    now = timezone.now()
    texts = [
        (bob.seat, ada, "Strong Python engineer.\nWants remote work; follow up in March."),
        (other, ada, "Met at the meetup <b>not bold</b>.\nAsked about our data team."),
        (other, grace, "Compilers background, open to relocation."),
        (bob.seat, grace, "Second call went well.\n\n- salary: ok\n- notice: 2 months"),
    ]
    for i, (seat, prospect, text) in enumerate(texts):
        created = now - timedelta(days=10 - i, hours=i)
        modified = created + timedelta(days=2) if i == 1 else created
        make_note(seat, prospect, text=text, created=created, last_modified=modified)
    for i in range(12):
        make_note(other, grace, text=f"Weekly check-in #{i}", created=now - timedelta(days=30 + i))
    make_note(
        bob.seat,
        grace,
        text="Duplicate, removed on LinkedIn.",
        created=now - timedelta(days=20),
        active=False,
        deleted_at=now - timedelta(days=19),
        deleted_by="push",
    )
    return {"other": other, "ada": ada, "grace": grace}


def rows(page) -> list[str]:
    return page.locator("table.notes tbody .note-text").all_inner_texts()


def test_filter_by_seat_search_and_export(page, alice, bob, notes, tmp_path):
    sign_in(page, "alice")
    page.goto("/notes/")
    assert page.locator("h1").inner_text() == "Prospect notes"
    assert len(rows(page)) == 16
    # Line breaks are kept and markup is shown as text.
    assert "Met at the meetup <b>not bold</b>.\nAsked about our data team." in rows(page)
    screenshot(page, "notes")

    page.select_option("select[name=seat]", label="Bob's seat")
    page.click("button:text-is('Filter')")
    page.wait_for_url("**/notes/?*seat=*")
    assert sorted(rows(page)) == [
        "Second call went well.\n\n- salary: ok\n- notice: 2 months",
        "Strong Python engineer.\nWants remote work; follow up in March.",
    ]

    page.select_option("select[name=seat]", label="All seats")
    page.fill("input[name=q]", "relocation")
    page.click("button:text-is('Filter')")
    page.wait_for_url("**/notes/?*q=relocation*")
    assert rows(page) == ["Compilers background, open to relocation."]
    screenshot(page, "notes-search")

    with page.expect_download() as download:
        page.click("text=Export CSV")
    path = Path(download.value.path())
    assert download.value.suggested_filename.startswith("prospect-notes_search-relocation_")
    lines = list(csv.reader(path.open(newline="", encoding="utf-8-sig")))
    assert lines[0] == CSV_HEADER
    assert [line[CSV_HEADER.index("note")] for line in lines[1:]] == [
        "Compilers background, open to relocation."
    ]


def test_a_prospect_timeline_from_the_notes_list(page, bob, notes):
    sign_in(page, "bob")
    page.goto("/notes/")
    # bob holds one seat: only its two notes, and no status filter.
    assert len(rows(page)) == 2
    assert page.locator("select[name=status]").count() == 0
    page.locator("table.notes").get_by_role("link", name="Ada Lovelace").click()
    page.wait_for_url(f"**/prospects/{notes['ada'].pk}/")
    assert page.locator("h1").inner_text() == "Ada Lovelace"
    items = page.locator(".timeline-item .note-text").all_inner_texts()
    assert items == ["Strong Python engineer.\nWants remote work; follow up in March."]
    screenshot(page, "prospect-bob")


def test_alices_timeline_marks_edits_and_seats(page, alice, notes):
    sign_in(page, "alice")
    page.goto(f"/prospects/{notes['ada'].pk}/")
    assert page.locator(".timeline-item").count() == 2
    assert page.locator(".timeline-item .badge", has_text="edited").count() == 1
    assert "Dana's seat" in page.locator(".timeline").inner_text()
    screenshot(page, "prospect")
    page.goto("/prospects/")
    assert page.locator("table tbody tr").count() == 2
    screenshot(page, "prospects")
    # Alice may also list deleted notes; the prospect filter shows as a removable chip.
    page.goto(f"/notes/?prospect={notes['grace'].pk}&status=all")
    assert page.locator(".chip a").first.inner_text() == "Grace Hopper"
    assert page.locator("tr.deleted").count() == 1
    assert len(rows(page)) == 15
    screenshot(page, "notes-deleted")
    page.click(".chip-remove")
    page.wait_for_url(lambda url: "prospect=" not in url)
    assert len(rows(page)) == 17


def test_seats_page(page, alice, notes):
    sign_in(page, "alice")
    page.goto("/seats/")
    assert page.locator("table tbody tr").count() == 3
    assert page.locator("tr.unmapped").count() == 2  # Dana's and the vacant seat
    screenshot(page, "seats")


def test_notes_page_at_phone_width(page, alice, notes):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "alice")
    page.goto("/notes/")
    assert len(rows(page)) == 16
    # Nothing wider than the screen but the table's own scroll box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "notes-phone")


class ThreadWorker(SimpleWorker):
    """rq's in-process worker, runnable off the main thread (where signals cannot be set)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def run_worker_until_done(job_id: str, stop: threading.Event) -> None:
    """An in-process worker: work the queue in bursts until the sync job has run."""
    queue = django_rq.get_queue("default")
    worker = ThreadWorker([queue], connection=queue.connection)
    try:
        while not stop.is_set():
            worker.work(burst=True)
            job = queue.fetch_job(job_id)
            if job is not None and job.is_finished:
                return
            stop.wait(0.2)
    finally:
        connection.close()


def test_sync_now_fills_the_progress_bar(page, alice, make_sandbox):
    clear_token_cache()
    sandbox = make_sandbox(notes=120, days=6, seats=3, prospects=30)
    contract = Contract.objects.create(
        urn=sandbox.store.contract_urns()[0],
        name="Sandbox contract",
        backfill_start=timezone.now() - timedelta(days=7),
    )
    PushEvent.objects.create(
        event_type="DELETE_PROSPECT_NOTE",
        raw_body="{}",
        body_sha256="c" * 64,
        signature_valid=True,
        contract=contract,
        prospect_note_id=1234,
    )
    sign_in(page, "alice")
    page.goto("/sync/")
    progress = page.locator(f"#progress-{contract.pk}")
    assert progress.get_attribute("value") == "0.0"
    button = page.get_by_role("button", name="Sync now")
    assert button.is_enabled()
    button.click()
    page.wait_for_url("**/sync/")
    assert "queued" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="Sync now").is_disabled()
    # A marker on this document: if the page reloaded, it would be gone.
    page.evaluate("window.__notReloaded = true")

    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker_until_done,
        args=(recruiter_queue.sync_job_id(contract.pk), stop),
        daemon=True,
    )
    worker.start()
    try:
        # The polling script sets the bar's value (which the attribute reflects).
        expect(progress).to_have_attribute("value", "100", timeout=60_000)
        expect(page.get_by_role("button", name="Sync now")).to_be_enabled(timeout=10_000)
    finally:
        stop.set()
        worker.join(30)
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("[data-field=progress-label]").inner_text() == "100%"
    assert page.locator("[data-field=state]").inner_text().lower() == "succeeded"
    assert page.locator("[data-field=last-success]").inner_text() != "never"
    run = SyncRun.objects.get(contract=contract)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.notes_created > 0
    # A fresh load shows the run in the table, the chart and the push event.
    page.reload()
    assert page.locator("table.runs tbody tr").count() == 1
    assert page.locator("svg.chart rect.chart-bar").count() > 0
    assert "DELETE_PROSPECT_NOTE" in page.content()
    screenshot(page, "sync")
