"""The recruiter dashboard: who sees what on every page and in the export, the filters, the
keyset pagination, the escaping of note text, the CSP, and a constant number of queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import django_rq
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recruiter import queue as recruiter_queue
from recruiter.export import CSV_HEADER
from recruiter.locks import ContractLock
from recruiter.models import PushEvent, SyncRun
from tests.helpers import make_contract, make_note, make_prospect, make_seat

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOTES = reverse("recruiter:note_list")
EXPORT = reverse("recruiter:note_export")


@pytest.fixture
def world(bob):
    """bob's seat and another seat on the same contract; a prospect on both, one only on the
    other seat, one deleted note on bob's seat."""
    contract = bob.seat.contract
    other = make_seat(contract, name="Other seat")
    shared = make_prospect(name="Shared Prospect")
    secret = make_prospect(name="Secret Prospect")
    notes = {
        "bob_note": make_note(bob.seat, shared, text="bob writes about java", created=T0),
        "other_note": make_note(
            other, shared, text="other writes about rust", created=T0 + timedelta(hours=1)
        ),
        "secret_note": make_note(
            other, secret, text="only the other seat", created=T0 + timedelta(hours=2)
        ),
        "deleted_note": make_note(
            bob.seat,
            shared,
            text="a removed note",
            created=T0 + timedelta(hours=3),
            active=False,
            deleted_at=T0 + timedelta(days=1),
            deleted_by="push",
        ),
    }
    return {"contract": contract, "other": other, "shared": shared, "secret": secret, **notes}


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def texts(response) -> list[str]:
    return [note.text for note in response.context["page"].notes]


# Who may open what ---------------------------------------------------------------------------

PAGES = ["note_list", "note_export", "prospect_list", "seat_list", "sync_status", "sync_progress"]


@pytest.mark.parametrize("name", PAGES)
def test_charlie_is_refused_every_page(client, charlie, world, name):
    assert get(client, charlie, reverse(f"recruiter:{name}")).status_code == 403


def test_charlie_is_refused_a_prospect_and_sync_now(client, charlie, world):
    client.force_login(charlie)
    assert (
        client.get(reverse("recruiter:prospect_detail", args=[world["shared"].pk])).status_code
        == 403
    )
    assert (
        client.post(reverse("recruiter:sync_now", args=[world["contract"].pk])).status_code == 403
    )


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    response = client.get(reverse(f"recruiter:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["sync_status", "sync_progress"])
def test_bob_may_not_see_sync_health(client, bob, name):
    assert get(client, bob, reverse(f"recruiter:{name}")).status_code == 403


def test_bob_may_not_press_sync_now(client, bob, monkeypatch):
    calls = []
    monkeypatch.setattr(recruiter_queue, "enqueue_sync", lambda *a, **k: calls.append(a))
    client.force_login(bob)
    response = client.post(reverse("recruiter:sync_now", args=[bob.seat.contract.pk]))
    assert response.status_code == 403
    assert calls == []


@pytest.mark.parametrize("name", ["note_list", "note_export", "prospect_list", "seat_list"])
def test_bob_and_alice_may_open_the_notes_pages(client, alice, bob, world, name):
    assert get(client, bob, reverse(f"recruiter:{name}")).status_code == 200
    assert get(client, alice, reverse(f"recruiter:{name}")).status_code == 200


@pytest.mark.parametrize("deleted", [False, True])
def test_visible_notes_follow_the_roles(alice, bob, charlie, staff, world, deleted):
    from recruiter.permissions import visible_notes

    everything = {world[n] for n in ("bob_note", "other_note", "secret_note")}
    if deleted:
        everything.add(world["deleted_note"])
    assert set(visible_notes(alice, include_deleted=deleted)) == everything
    assert set(visible_notes(staff, include_deleted=deleted)) == everything
    assert set(visible_notes(bob, include_deleted=deleted)) == {world["bob_note"]}
    assert set(visible_notes(charlie, include_deleted=deleted)) == set()


# Notes list: who sees which notes ------------------------------------------------------------


def test_bob_sees_only_his_seats_active_notes(client, bob, world):
    response = get(client, bob, NOTES)
    assert texts(response) == ["bob writes about java"]
    assert b"other writes" not in response.content
    assert b"a removed note" not in response.content


def test_bob_cannot_ask_for_deleted_notes(client, bob, world):
    response = get(client, bob, NOTES, status="deleted")
    assert texts(response) == ["bob writes about java"]
    assert b'name="status"' not in response.content


def test_alice_sees_every_active_note_newest_first(client, alice, world):
    response = get(client, alice, NOTES)
    assert texts(response) == [
        "only the other seat",
        "other writes about rust",
        "bob writes about java",
    ]
    assert b'name="status"' in response.content


def test_alice_sees_deleted_notes_when_she_asks(client, alice, world):
    assert texts(get(client, alice, NOTES, status="deleted")) == ["a removed note"]
    assert len(texts(get(client, alice, NOTES, status="all"))) == 4


def test_bob_filtering_by_another_seat_gets_400_and_nothing_of_it(client, bob, world):
    response = get(client, bob, NOTES, seat=world["other"].pk)
    assert response.status_code == 400
    assert b"other writes" not in response.content
    assert b"Other seat" not in response.content
    assert "page" not in response.context


def test_bob_filtering_by_another_seats_prospect_gets_400_without_its_name(client, bob, world):
    response = get(client, bob, NOTES, prospect=world["secret"].pk)
    assert response.status_code == 400
    assert b"Secret Prospect" not in response.content


def test_the_seat_choices_are_the_seats_the_user_may_see(client, alice, bob, world):
    bob_choices = list(get(client, bob, NOTES).context["form"].fields["seat"].queryset)
    assert bob_choices == [bob.seat]
    alice_choices = set(get(client, alice, NOTES).context["form"].fields["seat"].queryset)
    assert alice_choices == {bob.seat, world["other"]}


def test_rows_link_to_the_prospect_and_the_seat(client, bob, world):
    content = get(client, bob, NOTES).content.decode()
    assert reverse("recruiter:prospect_detail", args=[world["shared"].pk]) in content
    assert f"?seat={bob.seat.pk}" in content


def test_note_text_is_escaped_and_keeps_its_line_breaks(client, bob):
    make_note(bob.seat, text='<script>alert("x")</script>\nsecond line & more')
    content = get(client, bob, NOTES).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\nsecond line &amp; more" in content
    assert re.search(r'class="note-text" data-fold>&lt;script', content)


# Filters -------------------------------------------------------------------------------------


def test_filter_by_seat_prospect_and_dates(client, alice, world):
    assert texts(get(client, alice, NOTES, seat=world["other"].pk)) == [
        "only the other seat",
        "other writes about rust",
    ]
    assert texts(get(client, alice, NOTES, prospect=world["secret"].pk)) == ["only the other seat"]
    day = world["bob_note"].created.date()
    make_note(world["other"], text="next day", created=T0 + timedelta(days=1))
    assert len(texts(get(client, alice, NOTES, created_from=day, created_to=day))) == 3
    assert texts(get(client, alice, NOTES, created_from=day + timedelta(days=1))) == ["next day"]


def test_filter_by_last_modified(client, alice, world):
    edited = make_note(
        world["other"], text="edited later", created=T0, last_modified=T0 + timedelta(days=5)
    )
    day = edited.last_modified.date()
    assert texts(get(client, alice, NOTES, modified_from=day)) == ["edited later"]
    assert "edited later" not in texts(
        get(client, alice, NOTES, modified_to=day - timedelta(days=1))
    )


def test_a_range_that_ends_before_it_starts_is_refused(client, alice, world):
    response = get(client, alice, NOTES, created_from="2026-11-05", created_to="2026-11-01")
    assert response.status_code == 400
    assert "Ends before it starts." in response.content.decode()


def test_search_finds_words_in_the_text(client, alice, world):
    make_note(world["other"], text="Senior Java developer,\nopen to relocation")
    found = texts(get(client, alice, NOTES, q="java"))
    assert sorted(found) == ["Senior Java developer,\nopen to relocation", "bob writes about java"]
    assert texts(get(client, alice, NOTES, q="java relocation")) == [
        "Senior Java developer,\nopen to relocation"
    ]
    assert texts(get(client, alice, NOTES, q="cobol")) == []


def test_search_respects_who_sees_what(client, bob, world):
    assert texts(get(client, bob, NOTES, q="rust")) == []
    assert texts(get(client, bob, NOTES, q="java")) == ["bob writes about java"]


# Pagination ----------------------------------------------------------------------------------


def test_keyset_pages_walk_every_note_once_in_order_and_back(client, alice):
    seat = make_seat()
    # Ties on `created` are the hard case for a keyset: id breaks them.
    notes = [
        make_note(seat, text=f"n{i:03d}", created=T0 + timedelta(minutes=i // 3))
        for i in range(120)
    ]
    expected = [n.text for n in sorted(notes, key=lambda n: (n.created, n.pk), reverse=True)]
    seen, pages, url = [], [], f"{NOTES}?seat={seat.pk}"
    client.force_login(alice)
    while url:
        response = client.get(url)
        pages.append(response)
        seen += texts(response)
        older = response.context["older_query"]
        url = f"{NOTES}?{older}" if older else None
    assert seen == expected
    assert [len(texts(p)) for p in pages] == [50, 50, 20]
    assert [p.context["page_number"] for p in pages] == [1, 2, 3]
    # Every link keeps the filter.
    assert f"seat={seat.pk}" in pages[1].context["older_query"]
    newer = pages[2].context["newer_query"]
    assert f"seat={seat.pk}" in newer
    back = client.get(f"{NOTES}?{newer}")
    assert texts(back) == texts(pages[1])
    assert back.context["page_number"] == 2


def test_pagination_links_keep_the_search_and_dates(client, alice):
    seat = make_seat()
    for i in range(55):
        make_note(seat, text=f"python {i}", created=T0 + timedelta(minutes=i))
    response = get(client, alice, NOTES, q="python", created_from="2026-10-01")
    older = response.context["older_query"]
    assert "q=python" in older and "created_from=2026-10-01" in older and "after=" in older
    assert f'href="?{older.replace("&", "&amp;")}"' in response.content.decode()
    second = client.get(f"{NOTES}?{older}")
    assert len(texts(second)) == 5


def test_a_broken_page_position_is_refused(client, alice, world):
    assert get(client, alice, NOTES, after="not-a-cursor").status_code == 400


def test_the_count_is_capped(client, alice, world, monkeypatch):
    from recruiter import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    response = get(client, alice, NOTES)
    assert response.context["total"] == pagination.Total(2, "more")
    assert "More than 2 notes" in response.content.decode()


# Export --------------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 BOM Excel needs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_export_streams_the_current_filter_as_an_attachment(client, alice, world):
    response = get(client, alice, EXPORT, seat=world["other"].pk, q="rust")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="prospect-notes_')
    rows = rows_of(response)
    assert rows[0] == CSV_HEADER
    assert [row[CSV_HEADER.index("note")] for row in rows[1:]] == ["other writes about rust"]


def test_bobs_export_holds_only_his_active_notes(client, bob, world):
    rows = rows_of(get(client, bob, EXPORT, status="all"))
    assert [row[CSV_HEADER.index("note")] for row in rows[1:]] == ["bob writes about java"]


def test_bob_exporting_another_seat_is_refused(client, bob, world):
    response = get(client, bob, EXPORT, seat=world["other"].pk)
    assert response.status_code == 400
    assert b"rust" not in response.content


def test_the_export_link_carries_the_filters(client, alice, world):
    response = get(client, alice, NOTES, q="java", seat=bob_seat_id(world))
    assert f"{EXPORT}?q=java&amp;seat={bob_seat_id(world)}" in response.content.decode()


def bob_seat_id(world) -> int:
    return world["bob_note"].owner_id


# Prospects -----------------------------------------------------------------------------------


def test_bob_opening_another_seats_prospect_gets_404(client, bob, world):
    response = get(client, bob, reverse("recruiter:prospect_detail", args=[world["secret"].pk]))
    assert response.status_code == 404
    assert b"Secret Prospect" not in response.content


def test_an_unknown_prospect_is_404(client, alice, world):
    assert (
        get(client, alice, reverse("recruiter:prospect_detail", args=[999999])).status_code == 404
    )


def test_bobs_timeline_holds_only_his_notes(client, bob, world):
    response = get(client, bob, reverse("recruiter:prospect_detail", args=[world["shared"].pk]))
    assert [n.text for n in response.context["notes"]] == ["bob writes about java"]
    assert b"rust" not in response.content


def test_alices_timeline_spans_the_seats_and_marks_edits_and_deletions(client, alice, world):
    make_note(
        world["other"],
        world["shared"],
        text="edited note",
        created=T0 + timedelta(hours=4),
        last_modified=T0 + timedelta(hours=6),
    )
    response = get(client, alice, reverse("recruiter:prospect_detail", args=[world["shared"].pk]))
    assert [n.text for n in response.context["notes"]] == [
        "edited note",
        "a removed note",
        "other writes about rust",
        "bob writes about java",
    ]
    content = response.content.decode()
    assert "edited 2026-11-01 15:00" in content
    assert content.count('class="badge bad">deleted') == 1
    assert "Other seat" in content and "Bob&#x27;s seat" in content
    assert response.context["seat_count"] == 2


def test_prospect_list_counts_only_visible_notes(client, alice, bob, world):
    bob_rows = {
        p.name: p.note_count
        for p in get(client, bob, reverse("recruiter:prospect_list")).context["prospects"]
    }
    assert bob_rows == {"Shared Prospect": 1}
    alice_rows = {
        p.name: p.note_count
        for p in get(client, alice, reverse("recruiter:prospect_list")).context["prospects"]
    }
    assert alice_rows == {"Shared Prospect": 2, "Secret Prospect": 1}


def test_prospect_list_search(client, alice, world):
    response = get(client, alice, reverse("recruiter:prospect_list"), q="secr")
    assert [p.name for p in response.context["prospects"]] == ["Secret Prospect"]


# Seats ---------------------------------------------------------------------------------------


def test_bob_sees_only_his_seat(client, bob, world):
    response = get(client, bob, reverse("recruiter:seat_list"))
    assert response.context["seats"] == [bob.seat]
    assert response.context["seats"][0].note_count == 1
    assert b"Other seat" not in response.content


def test_alice_sees_every_seat_with_counts_activity_users_and_unmapped_flag(
    client, alice, bob, world
):
    response = get(client, alice, reverse("recruiter:seat_list"))
    seats = {seat.name: seat for seat in response.context["seats"]}
    assert seats["Bob's seat"].note_count == 1
    assert seats["Other seat"].note_count == 2
    assert seats["Other seat"].last_activity == world["secret_note"].last_modified
    assert seats["Bob's seat"].holders == [bob]
    content = response.content.decode()
    assert content.count('class="badge warn">unmapped') == 1
    assert "1 active seat belongs to no site user" in content


# Sync page -----------------------------------------------------------------------------------


@pytest.fixture
def synced(world):
    contract = world["contract"]
    contract.watermark = timezone.now() - timedelta(minutes=42)
    contract.last_success_at = timezone.now() - timedelta(minutes=40)
    contract.last_error = "LinkedIn answered 503 <temporarily>"
    contract.last_error_at = timezone.now() - timedelta(hours=2)
    contract.save()
    SyncRun.objects.create(
        contract=contract,
        status="failed",
        error="boom",
        started_at=timezone.now() - timedelta(hours=2),
        finished_at=timezone.now() - timedelta(hours=2),
        api_calls=3,
        retries=2,
    )
    SyncRun.objects.create(
        contract=contract,
        status="succeeded",
        started_at=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now() - timedelta(minutes=59),
        notes_created=17,
        api_calls=9,
        progress=100,
        window_start=T0,
        window_end=T0 + timedelta(hours=12),
    )
    PushEvent.objects.create(
        event_type="DELETE_PROSPECT_NOTE",
        raw_body="{}",
        body_sha256="a" * 64,
        signature_valid=True,
        contract=contract,
        prospect_note_id=42,
    )
    return contract


def test_alice_sees_runs_lag_errors_chart_and_push_events(client, alice, synced):
    response = get(client, alice, reverse("recruiter:sync_status"))
    assert response.status_code == 200
    content = response.content.decode()
    (state,) = response.context["states"]
    assert [run.status for run in state.runs] == ["succeeded", "failed"]
    assert state.progress == 100.0
    assert "42\xa0minutes" in content  # the lag
    assert "LinkedIn answered 503 &lt;temporarily&gt;" in content
    assert "DELETE_PROSPECT_NOTE" in content
    assert '<progress id="progress-' in content and 'value="100.0"' in content
    # The chart: one bar per day of the last 90 days (the world's notes are older by then).
    with time_machine.travel(datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        seat = synced.seats.first()
        for days_ago in (1, 1, 3):
            make_note(seat, created=timezone.now() - timedelta(days=days_ago))
        response = get(client, alice, reverse("recruiter:sync_status"))
    chart = response.context["chart"]
    assert len(chart.bars) == 90
    content = response.content.decode()
    assert "<title>Sun 2027-02-28: 2 notes</title>" in content
    assert "<title>Fri 2027-02-26: 1 note</title>" in content
    assert chart.last_day.isoformat() == "2027-03-01"
    assert {b.day.isoformat(): b.count for b in chart.bars if b.count} == {
        "2027-02-26": 1,
        "2027-02-28": 2,
    }
    assert chart.peak == 2 and chart.total == 3
    tall = max(chart.bars, key=lambda b: b.height)
    assert tall.height == chart.height and tall.y == 0


def test_sync_now_enqueues_a_manual_sync(client, alice, synced, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recruiter:sync_now", args=[synced.pk]))
    assert response.status_code == 302
    queue = django_rq.get_queue("default")
    job = queue.fetch_job(recruiter_queue.sync_job_id(synced.pk))
    assert job.func_name == "recruiter.jobs.sync_contract"
    assert job.args[:2] == (synced.pk, "manual")
    # Until the worker starts the run, the contract is "queued" and the button is disabled.
    progress = client.get(reverse("recruiter:sync_progress")).json()["contracts"][0]
    assert progress["state"] == "queued" and progress["busy"] is True
    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-field="sync-now" disabled' in page
    # A second press queues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recruiter:sync_now", args=[synced.pk]), follow=True)
    assert queue.count == 1
    assert "already queued" in response.content.decode()


@pytest.fixture
def live_run(synced):
    """A run RUNNING on a live worker: its contract's sync lock is held (and beating)."""
    lock = ContractLock(synced.pk)
    assert lock.acquire()
    yield SyncRun.objects.create(contract=synced, status="running", progress=37.5, api_calls=4)
    lock.release()


def test_sync_now_is_refused_while_a_run_is_running(client, alice, synced, live_run, monkeypatch):
    calls = []
    monkeypatch.setattr(recruiter_queue, "enqueue_sync", lambda *a, **k: calls.append(a))
    client.force_login(alice)
    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-field="sync-now" disabled' in page
    response = client.post(reverse("recruiter:sync_now", args=[synced.pk]), follow=True)
    assert calls == []
    assert "already running" in response.content.decode()


def test_sync_now_needs_the_csrf_token(alice, synced, monkeypatch):
    from django.test import Client

    calls = []
    monkeypatch.setattr(recruiter_queue, "enqueue_sync", lambda *a, **k: calls.append(a))
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("recruiter:sync_now", args=[synced.pk])).status_code == 403
    assert calls == []


def test_sync_progress_reports_the_running_run(client, alice, synced, live_run):
    body = get(client, alice, reverse("recruiter:sync_progress")).json()
    (contract,) = body["contracts"]
    assert contract["state"] == "running"
    assert contract["busy"] is True
    assert contract["progress"] == 37.5
    assert contract["run"]["api_calls"] == 4
    assert contract["lag"] == "42\xa0minutes"


# Query counts, CSP ---------------------------------------------------------------------------


def count_queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def fill(seat, prospect, n: int) -> None:
    for i in range(n):
        make_note(
            seat,
            prospect,
            created=T0 + timedelta(minutes=i),
            last_modified=T0 + timedelta(minutes=i + 1),
        )


@pytest.mark.parametrize("user_name", ["alice", "bob"])
def test_notes_pages_cost_the_same_queries_for_5_or_60_notes(client, request, bob, user_name):
    user = request.getfixturevalue(user_name)
    client.force_login(user)
    prospect = make_prospect()
    urls = [
        (NOTES, {}),
        (NOTES, {"seat": bob.seat.pk, "q": "Note", "prospect": prospect.pk}),
        (reverse("recruiter:prospect_detail", args=[prospect.pk]), {}),
        (reverse("recruiter:prospect_list"), {}),
        (reverse("recruiter:seat_list"), {}),
    ]
    fill(bob.seat, prospect, 5)
    few = [count_queries(client, url, **params) for url, params in urls]
    fill(bob.seat, prospect, 55)
    for _ in range(5):
        fill(make_seat(bob.seat.contract, users=[bob]), make_prospect(), 2)
    many = [count_queries(client, url, **params) for url, params in urls]
    assert few == many


def test_sync_page_costs_the_same_queries_for_1_or_3_contracts(client, alice):
    def add_contract():
        contract = make_contract()
        seat = make_seat(contract)
        fill(seat, make_prospect(), 3)
        for status in ("succeeded", "failed", "running"):
            SyncRun.objects.create(contract=contract, status=status)
        PushEvent.objects.create(
            raw_body="{}", body_sha256=f"{contract.pk:064d}", contract=contract
        )

    client.force_login(alice)
    add_contract()
    few = [
        count_queries(client, reverse(f"recruiter:{n}")) for n in ("sync_status", "sync_progress")
    ]
    add_contract()
    add_contract()
    many = [
        count_queries(client, reverse(f"recruiter:{n}")) for n in ("sync_status", "sync_progress")
    ]
    assert few == many


@pytest.mark.parametrize("name", ["note_list", "prospect_list", "seat_list", "sync_status"])
def test_pages_have_no_inline_script_or_style_and_a_strict_csp(client, alice, synced, name):
    response = get(client, alice, reverse(f"recruiter:{name}"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    content = response.content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", content)
    assert not re.search(r"\sstyle=", content)
    assert not re.search(r"\son[a-z]+=", content)


def test_the_prospect_page_has_no_inline_script_or_style(client, alice, world):
    content = get(
        client, alice, reverse("recruiter:prospect_detail", args=[world["shared"].pk])
    ).content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", content)
    assert not re.search(r"\sstyle=", content)


# Search plans (PostgreSQL: the walk of the created index, the GIN read, and its fallback) ------


@pytest.mark.parametrize(
    ("threshold", "limit", "total_kind"),
    [(10**9, 10**9, "exact"), (0, 10**9, "about"), (10**9, 3, "more")],
    ids=["gin", "walk", "gin-overflow"],
)
def test_every_search_plan_pages_through_the_same_results(
    client, alice, monkeypatch, threshold, limit, total_kind
):
    from recruiter import search
    from recruiter.pagination import Total

    monkeypatch.setattr(search, "walk_threshold", lambda selected, per_page: threshold)
    monkeypatch.setattr(search, "sparse_limit", lambda threshold: limit)
    monkeypatch.setattr("recruiter.views.notes.PER_PAGE", 4)
    seat = make_seat()
    for i in range(11):
        word = "kotlin" if i % 2 else "scala"
        make_note(seat, text=f"{word} dev {i}", created=T0 + timedelta(minutes=i // 2))
    expected = [f"kotlin dev {i}" for i in (9, 7, 5, 3, 1)]
    client.force_login(alice)
    seen, url, pages = [], f"{NOTES}?q=kotlin", []
    while url:
        response = client.get(url)
        pages.append(response)
        seen += texts(response)
        url = response.context["older_query"] and f"{NOTES}?{response.context['older_query']}"
    assert seen == expected
    back = client.get(f"{NOTES}?{pages[1].context['newer_query']}")
    assert texts(back) == expected[:4]
    total = pages[0].context["total"]
    if connection.vendor == "postgresql":
        assert total.kind == total_kind
        assert total.count == {"exact": 5, "more": 3, "about": total.count}[total_kind]
    else:  # SQLite searches with icontains and counts exactly
        assert total == Total(5)


def test_the_walk_threshold_balances_the_two_plans():
    from recruiter.search import walk_threshold

    # A million notes: ~16,000 matches; a recruiter's 60,000: ~3,900; it grows as a square root.
    assert 15_000 < walk_threshold(1_000_000, 50) < 17_000
    assert 3_500 < walk_threshold(60_000, 50) < 4_500
    assert walk_threshold(4_000_000, 50) == pytest.approx(2 * walk_threshold(1_000_000, 50), 1e-3)


def test_key_page_follows_note_pages_rules():
    from recruiter.pagination import Cursor, key_page

    keys = [(T0 + timedelta(minutes=i // 2), i) for i in range(10)]
    keys.sort(reverse=True)
    ids, newer, older = key_page(keys, per_page=4)
    assert ids == [9, 8, 7, 6] and newer is None and older == Cursor(*keys[3])
    ids, newer, older = key_page(keys, after=older, per_page=4)
    assert ids == [5, 4, 3, 2] and newer == Cursor(*keys[4]) and older == Cursor(*keys[7])
    ids, newer, older = key_page(keys, after=older, per_page=4)
    assert ids == [1, 0] and older is None
    ids, newer, older = key_page(keys, before=Cursor(*keys[4]), per_page=4)
    assert ids == [9, 8, 7, 6] and newer is None and older == Cursor(*keys[3])
    ids, newer, _ = key_page(keys, before=Cursor(*keys[8]), per_page=4)
    assert ids == [5, 4, 3, 2] and newer == Cursor(*keys[4])
