"""The prospect-note sync against the LinkedIn sandbox over real HTTP: backfill, windows, edits
and deletions, tombstones, repeated ids, crashes, concurrency, faults, quota and errors, and the
constant number of queries per page."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
import responses
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linkedin import ProspectNote as Note
from linkedin.oauth import clear_token_cache
from recruiter import sync as sync_module
from recruiter.locks import ContractLock
from recruiter.models import Contract, Prospect, ProspectNote, Seat, SyncRun
from recruiter.sync import (
    plan_windows,
    rescan_contract,
    sync_contract,
    to_ms,
)
from recruiter.upsert import NoteWriter, ms_to_datetime, note_writer
from tests.helpers import make_contract

HOUR_MS = 3_600_000

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tokens():
    # Sandboxes reuse ports across tests; a token cached for an old one would be refused.
    clear_token_cache()
    yield
    clear_token_cache()


def contract_for(sandbox, **overrides) -> Contract:
    """The sandbox's first contract, backfilled from before its oldest note."""
    fields = {
        "urn": sandbox.store.contract_urns()[0],
        "name": "Sandbox contract",
        "backfill_start": timezone.now() - timedelta(days=sandbox.config.days + 1),
    }
    return Contract.objects.create(**{**fields, **overrides})


def truth(sandbox, urn: str) -> dict[int, tuple]:
    """The sandbox's current notes, as the fields we store."""
    return {
        n["id"]: (n["note"], n["owner"], n["member"], n["created"], n["lastModified"], n["active"])
        for n in sandbox.store.notes(urn, include_inactive=True)
    }


def stored(contract: Contract) -> dict[int, tuple]:
    rows = ProspectNote.objects.filter(contract=contract).select_related("owner", "prospect")
    return {
        n.linkedin_id: (
            n.text,
            n.owner.urn if n.owner else None,
            n.prospect.urn if n.prospect else None,
            to_ms(n.created) if n.created else None,
            to_ms(n.last_modified) if n.last_modified else None,
            n.active,
        )
        for n in rows
    }


def note_calls(sandbox) -> list[dict[str, int]]:
    """beforeDate, cutoffDate and start of every prospectNotes call, in order."""
    calls = []
    for entry in sandbox.request_log:
        if entry.path.endswith("/prospectNotes"):
            query = parse_qs(entry.query)
            calls.append({k: int(query[k][0]) for k in ("beforeDate", "cutoffDate", "start")})
    return calls


def reload(obj):
    obj.refresh_from_db()
    return obj


# --- the walk -----------------------------------------------------------------------------------


def test_backfill_equals_the_sandbox_across_several_windows(make_sandbox):
    sandbox = make_sandbox(notes=300, days=4)
    contract = contract_for(sandbox)

    run = sync_contract(contract.pk)

    expected = truth(sandbox, contract.urn)
    assert stored(contract) == expected
    assert len(expected) == 300
    assert any(not fields[5] for fields in expected.values())  # some arrive already deleted
    windows = {(c["cutoffDate"], c["beforeDate"]) for c in note_calls(sandbox)}
    assert len(windows) >= 8  # 4 days in windows of at most 12 hours
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.notes_created, run.notes_updated, run.notes_deactivated) == (300, 0, 0)
    assert run.progress == 100.0 and run.cursor == run.window_end and run.finished_at
    assert run.pages >= len(windows) and run.api_calls == len(note_calls(sandbox))
    contract = reload(contract)
    assert contract.watermark == run.window_end and contract.last_success_at
    assert set(Seat.objects.filter(contract=contract).values_list("urn", flat=True)) == {
        fields[1] for fields in expected.values()
    }
    assert Prospect.objects.count() == len({fields[2] for fields in expected.values()})
    deleted = ProspectNote.objects.filter(contract=contract, active=False)
    assert deleted.exists() and all(n.deleted_by == "sync" and n.deleted_at for n in deleted)


@pytest.mark.parametrize("hours, overlap", [(12, 15), (5, 20)])
def test_windows_never_span_more_than_the_window_and_overlap(make_sandbox, hours, overlap):
    sandbox = make_sandbox(notes=200, days=3)
    contract = contract_for(sandbox, window_hours=hours, overlap_minutes=overlap)

    sync_contract(contract.pk)

    windows = sorted({(c["cutoffDate"], c["beforeDate"]) for c in note_calls(sandbox)})
    assert len(windows) > 3
    for cutoff, before in windows:
        assert 0 < before - cutoff <= hours * HOUR_MS <= 12 * HOUR_MS
    for (_, before), (next_cutoff, _) in zip(windows, windows[1:], strict=False):
        assert next_cutoff == before - overlap * 60_000  # each reaches back into the last
    # The first window reaches behind the start; the last ends at the run's end.
    run = SyncRun.objects.get()
    assert windows[0][0] == to_ms(run.window_start) - overlap * 60_000
    assert windows[-1][1] == to_ms(run.window_end)


def test_plan_windows_is_exact():
    assert list(plan_windows(100, 350, 100, 10)) == [
        sync_module.Window(90, 190),
        sync_module.Window(180, 280),
        sync_module.Window(270, 350),
    ]
    assert list(plan_windows(100, 100, 100, 10)) == [sync_module.Window(90, 100)]
    with pytest.raises(ValueError):
        list(plan_windows(0, 10, 10, 10))


def test_progress_is_reported_per_window(make_sandbox):
    sandbox = make_sandbox(notes=100, days=3)
    contract = contract_for(sandbox)
    seen = []

    run = sync_contract(contract.pk, progress=lambda r: seen.append((r.progress, r.cursor)))

    assert len(seen) >= 6
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)
    assert seen[-1] == (100.0, run.window_end)
    assert SyncRun.objects.get().progress == 100.0


def test_edits_and_deletions_made_between_runs_arrive(make_sandbox):
    sandbox = make_sandbox(notes=120, days=2)
    contract = contract_for(sandbox)
    sync_contract(contract.pk)
    active = [n for n in sandbox.store.notes(contract.urn) if n["active"]]
    edited, deleted = active[0]["id"], active[1]["id"]
    sandbox.store.edit_note(edited, "Edited: call back on Tuesday <b>tabs\tand \\ slashes</b>")
    sandbox.store.delete_note(deleted)
    added = sandbox.store.add_note(contract.urn, text="A brand new note")
    # The sandbox's clock gives each change its own millisecond and may run a few ahead of
    # ours; a run in the same millisecond would leave the newest to the next run's overlap.
    time.sleep(0.01)

    run = sync_contract(contract.pk)

    assert stored(contract) == truth(sandbox, contract.urn)
    note = ProspectNote.objects.get(contract=contract, linkedin_id=edited)
    assert note.text.startswith("Edited: call back") and note.active and note.edited
    gone = ProspectNote.objects.get(contract=contract, linkedin_id=deleted)
    assert (gone.active, gone.deleted_by) == (False, "sync") and gone.deleted_at
    assert ProspectNote.objects.filter(contract=contract, linkedin_id=added["id"]).exists()
    assert (run.notes_created, run.notes_updated, run.notes_deactivated) == (1, 1, 1)


def test_a_second_run_only_walks_from_the_watermark(make_sandbox):
    sandbox = make_sandbox(notes=100, days=5)
    contract = contract_for(sandbox)
    first = sync_contract(contract.pk)
    sandbox.clear_log()

    second = sync_contract(contract.pk)

    calls = note_calls(sandbox)
    assert len(calls) == 1  # one window: from the watermark (minus the overlap) to now
    assert calls[0]["cutoffDate"] == to_ms(first.window_end) - 15 * 60_000
    assert second.window_start == first.window_end
    assert second.notes_created == 0


def test_a_full_sync_walks_from_the_backfill_start_again(make_sandbox):
    sandbox = make_sandbox(notes=100, days=2)
    contract = contract_for(sandbox)
    first = sync_contract(contract.pk)

    again = sync_contract(contract.pk, full=True)

    assert to_ms(again.window_start) == to_ms(reload(contract).backfill_start)
    assert again.notes_unchanged >= 100 and again.notes_created == 0
    assert reload(contract).watermark >= first.window_end


def test_an_explicit_range_after_a_gap_does_not_jump_the_watermark(make_sandbox):
    sandbox = make_sandbox(notes=100, days=4)
    now = timezone.now()
    contract = contract_for(sandbox, watermark=now - timedelta(days=3))

    sync_contract(contract.pk, since=now - timedelta(days=1), until=now - timedelta(hours=1))

    assert reload(contract).watermark == now - timedelta(days=3)


# --- the upsert rules ---------------------------------------------------------------------------


def note(id_: int = 7, lm: int = 1_700_000_000_000, active: bool = True, text: str = "v1", **kw):
    fields = {
        "contract": "urn:li:contract:9",
        "owner": "urn:li:seat:1",
        "member": "urn:li:person:abc",
        "created": 1_700_000_000_000,
    }
    fields.update(kw)
    return Note(id_, note=text, last_modified=lm, active=active, **fields)


@pytest.fixture
def writer(db):
    contract = make_contract()
    w = note_writer(contract.pk)
    w.contract = contract
    return w


def row(contract, id_=7) -> ProspectNote:
    return ProspectNote.objects.get(contract=contract, linkedin_id=id_)


def test_upsert_inserts_with_seat_prospect_and_exact_times(writer):
    now = timezone.now()
    counts = writer.write([note(created=1_700_000_000_123, lm=1_700_000_000_999)], now)

    n = row(writer.contract)
    assert (counts.created, counts.updated, counts.unchanged) == (1, 0, 0)
    assert n.owner.urn == "urn:li:seat:1" and n.owner.contract == writer.contract
    assert n.prospect.urn == "urn:li:person:abc"
    assert n.created == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert to_ms(n.last_modified) == 1_700_000_000_999
    assert n.first_synced_at == now == n.last_synced_at
    assert n.active and n.deleted_at is None and n.deleted_by == ""


def test_upsert_applies_only_newer_versions(writer):
    first = timezone.now()
    writer.write([note(text="v1", lm=2000)], first)

    older = writer.write([note(text="older", lm=1000)], first + timedelta(seconds=1))
    equal = writer.write([note(text="same time", lm=2000)], first + timedelta(seconds=2))
    assert (older.unchanged, equal.unchanged) == (1, 1)
    assert row(writer.contract).text == "v1"
    assert row(writer.contract).last_synced_at == first

    later = first + timedelta(seconds=3)
    newer = writer.write([note(text="v2", lm=3000, owner="urn:li:seat:2")], later)
    n = row(writer.contract)
    assert newer.updated == 1 and n.text == "v2" and n.owner.urn == "urn:li:seat:2"
    assert (n.first_synced_at, n.last_synced_at) == (first, later)


def test_an_inactive_version_deletes_and_deletion_is_permanent(writer):
    now = timezone.now()
    writer.write([note(lm=1000)], now)
    gone = writer.write([note(lm=2000, active=False)], now + timedelta(seconds=1))
    n = row(writer.contract)
    assert gone.deactivated == 1
    assert (n.active, n.deleted_by, n.deleted_at) == (False, "sync", now + timedelta(seconds=1))

    # An equal or older active version, and even a newer one, never bring it back.
    for lm in (2000, 1500, 9000):
        writer.write([note(lm=lm, active=True, text=f"back at {lm}")], now + timedelta(minutes=1))
        n = row(writer.contract)
        assert not n.active and n.deleted_at == now + timedelta(seconds=1)
    assert n.text == "back at 9000"  # the newer version's fields are kept, still deleted


def test_a_note_first_seen_inactive_is_stored_as_a_tombstone(writer):
    now = timezone.now()
    counts = writer.write([note(active=False)], now)
    n = row(writer.contract)
    assert counts.created == 1
    assert (n.active, n.deleted_at, n.deleted_by) == (False, now, "sync")


def test_a_push_tombstone_is_filled_but_stays_deleted(writer):
    deleted_at = timezone.now() - timedelta(hours=1)
    ProspectNote.objects.create(
        contract=writer.contract, linkedin_id=7, active=False, deleted_at=deleted_at,
        deleted_by="push",
    )  # fmt: skip
    now = timezone.now()

    counts = writer.write([note(text="known now", lm=1000)], now)

    n = row(writer.contract)
    assert counts.updated == 1
    assert (n.text, n.owner.urn, to_ms(n.last_modified)) == ("known now", "urn:li:seat:1", 1000)
    assert (n.active, n.deleted_at, n.deleted_by) == (False, deleted_at, "push")
    assert n.first_synced_at == now


def test_repeated_ids_in_a_page_keep_the_newest_then_the_last(writer):
    now = timezone.now()
    page = [
        note(text="old", lm=1000),
        note(text="newest", lm=3000),
        note(text="middle", lm=2000),
        note(id_=8, text="tie 1", lm=5000),
        note(id_=8, text="tie 2", lm=5000),
    ]
    counts = writer.write(page, now)
    assert counts.created == 2
    assert row(writer.contract).text == "newest"
    assert row(writer.contract, 8).text == "tie 2"


def test_texts_survive_exactly(writer):
    texts = [
        "tab\there, back\\slash, \\N not null, new\nline, cr\rreturn",
        "<script>alert(1)</script> & 'quotes' \"double\"",
        "👩‍💻 Zürich 面试 مرحبا",
        "",
    ]
    writer.write([note(id_=i, text=t) for i, t in enumerate(texts)], timezone.now())
    for i, text in enumerate(texts):
        assert row(writer.contract, i).text == text
    writer.write([note(id_=99, text="nul\x00byte")], timezone.now())
    assert row(writer.contract, 99).text == "nul\ufffdbyte"


def test_seats_are_per_contract_and_prospects_shared(db):
    first, second = make_contract(), make_contract()
    now = timezone.now()
    note_writer(first.pk).write([note(id_=1)], now)
    note_writer(second.pk).write([note(id_=1)], now)
    assert Seat.objects.filter(urn="urn:li:seat:1").count() == 2
    assert Prospect.objects.filter(urn="urn:li:person:abc").count() == 1
    assert ProspectNote.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # the writer remembers ids only after a real commit
def test_a_seat_created_in_a_rolled_back_batch_is_not_remembered():
    contract, now = make_contract(), timezone.now()
    writer = note_writer(contract.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        writer.write([note(id_=1, owner="urn:li:seat:new", member="urn:li:person:new")], now)
        raise RuntimeError("the batch's transaction fails after the write")
    assert not Seat.objects.filter(urn="urn:li:seat:new").exists()

    writer.write([note(id_=2, owner="urn:li:seat:new", member="urn:li:person:new")], now)
    writer.write([note(id_=3, owner="urn:li:seat:new", member="urn:li:person:new")], now)

    seat = Seat.objects.get(contract=contract, urn="urn:li:seat:new")
    prospect = Prospect.objects.get(urn="urn:li:person:new")
    stored = ProspectNote.objects.filter(contract=contract).order_by("linkedin_id")
    assert [(n.owner_id, n.prospect_id) for n in stored] == [(seat.pk, prospect.pk)] * 2


# --- repeated ids over the wire -----------------------------------------------------------------


def test_repeated_ids_from_the_sandbox_keep_the_newest(make_sandbox):
    sandbox = make_sandbox(notes=200, days=2, repeat_ids=True)
    contract = contract_for(sandbox)

    run = sync_contract(contract.pk)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert stored(contract) == truth(sandbox, contract.urn)


SEED_PAGE = {
    "elements": [
        {
            "active": True,
            "contract": "urn:li:contract:1234567",
            "created": 1489192513000,
            "id": 1323073443,
            "lastModified": 1489192513000,
            "member": "urn:li:person:a1b2c3d4e5",
            "note": f"Testing out the Notes functionality {i}",
            "owner": "urn:li:seat:123456789" if i != 2 else "urn:li:seat:987654321",
        }
        for i in range(1, 6)
    ],
    "paging": {
        "count": 5,
        "links": [
            {
                "href": "/v2/prospectNotes?beforeDate=1489192513000&contract=urn%3Ali%3Acontract"
                "%3A1234567&count=5&q=criteria&start=5&owners=urn%3Ali%3Aseat%3A123456789",
                "rel": "next",
                "type": "application/json",
            }
        ],
        "start": 0,
        "total": 10,
    },
}
SEED_PAGE["elements"][1].update(id=1285510423, member="urn:li:person:f6g7h8i9j0")


@responses.activate
def test_the_seeds_sample_page_with_its_repeated_id(db, settings):
    settings.LINKEDIN_API_BASE_URL = "https://api.linkedin.test/v2"
    settings.LINKEDIN_OAUTH_BASE_URL = "https://www.linkedin.test/oauth/v2"
    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = "id", "secret"
    responses.post(
        "https://www.linkedin.test/oauth/v2/accessToken",
        json={"access_token": "t0ken", "expires_in": 1800},
    )

    def notes_page(request):
        start = int(parse_qs(request.url.split("?", 1)[1])["start"][0])
        body = SEED_PAGE if start == 0 else {"elements": [], "paging": {"start": 5, "count": 5}}
        return 200, {}, json.dumps(body)

    responses.add_callback(
        responses.GET, "https://api.linkedin.test/v2/prospectNotes", callback=notes_page
    )
    contract = Contract.objects.create(urn="urn:li:contract:1234567")
    when = ms_to_datetime(1489192513000)

    run = sync_contract(
        contract.pk, since=when - timedelta(hours=1), until=when + timedelta(hours=1)
    )

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    texts = dict(ProspectNote.objects.values_list("linkedin_id", "text"))
    # Four versions of 1323073443 with the same lastModified: the last one in the page wins.
    assert texts == {
        1323073443: "Testing out the Notes functionality 5",
        1285510423: "Testing out the Notes functionality 2",
    }
    assert run.notes_created == 2 and run.pages == 2


# --- failures -----------------------------------------------------------------------------------


def test_a_crash_mid_window_loses_and_duplicates_nothing(make_sandbox, settings, monkeypatch):
    settings.LINKEDIN_PAGE_SIZE = 10
    monkeypatch.setattr(sync_module, "WRITE_BATCH_NOTES", 30)  # three pages a write
    sandbox = make_sandbox(notes=300, days=2)
    contract = contract_for(sandbox)
    write = NoteWriter.write
    writes = []

    def crashing_write(self, notes, now):
        writes.append(len(notes))
        if len(writes) == 5:  # windows with notes have about 75: the second write of the second
            raise RuntimeError("boom: the database went away")
        return write(self, notes, now)

    monkeypatch.setattr(NoteWriter, "write", crashing_write)
    with pytest.raises(RuntimeError, match="boom"):
        sync_contract(contract.pk)

    failed = SyncRun.objects.get()
    assert failed.status == SyncRun.Status.FAILED and "boom" in failed.error
    contract = reload(contract)
    assert "boom" in contract.last_error and contract.last_error_at
    assert contract.last_success_at is None
    # The watermark is the end of the last complete window; the failed window's first write
    # is committed (notes newer than the watermark), and nothing before it is missing.
    watermark = to_ms(contract.watermark)
    assert contract.watermark == failed.cursor
    assert any(c["cutoffDate"] == watermark - 15 * 60_000 for c in note_calls(sandbox))
    newer = ProspectNote.objects.filter(last_modified__gt=contract.watermark).count()
    assert 0 < newer < 75
    expected = truth(sandbox, contract.urn)
    older = ProspectNote.objects.filter(last_modified__lte=contract.watermark).count()
    assert older == sum(1 for n in expected.values() if n[4] <= watermark) > 0

    monkeypatch.setattr(NoteWriter, "write", write)
    rerun = sync_contract(contract.pk)

    assert rerun.status == SyncRun.Status.SUCCEEDED
    assert rerun.window_start == failed.cursor  # continues from the watermark
    assert stored(contract) == expected
    assert ProspectNote.objects.count() == 300


def test_transient_faults_change_nothing(make_sandbox, monkeypatch):
    # Fast backoff: what is under test is that every fault is retried, not the waiting.
    from linkedin import RetryPolicy

    monkeypatch.setattr(
        "recruiter.linkedin.retry_policy",
        lambda: RetryPolicy(max_attempts=10, max_total_seconds=60, base_delay=0.01, max_delay=0.05),
    )
    sandbox = make_sandbox(notes=300, days=3)
    sandbox.set_faults(0.2, ["429", "500", "503", "drop", "truncate"])
    contract = contract_for(sandbox)

    run = sync_contract(contract.pk)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.retries > 0 and run.api_calls == run.pages + run.retries
    assert any(entry.fault for entry in sandbox.request_log)
    sandbox.set_faults(0.0)
    assert stored(contract) == truth(sandbox, contract.urn)


def test_the_daily_quota_ends_the_run_quietly(make_sandbox):
    sandbox = make_sandbox(notes=100, days=2)
    contract = contract_for(sandbox)
    sync_contract(contract.pk)
    watermark = reload(contract).watermark
    edited = sandbox.store.notes(contract.urn, include_inactive=False)[-1]["id"]
    sandbox.store.edit_note(edited, "not synced today")
    sandbox.set_faults(1.0, ["quota"])

    run = sync_contract(contract.pk)

    assert run.status == SyncRun.Status.THROTTLED
    assert "quota" in run.error and run.api_calls == 1  # no retry of a daily quota
    contract = reload(contract)
    assert contract.watermark == watermark
    assert contract.last_error == ""  # not an error anyone must act on
    assert ProspectNote.objects.get(linkedin_id=edited).text != "not synced today"


def test_a_permanent_error_fails_the_run_and_marks_the_contract(make_sandbox):
    make_sandbox(notes=10, days=1)
    contract = make_contract(urn="urn:li:contract:424242")  # not one the sandbox serves

    run = sync_contract(contract.pk)

    assert run.status == SyncRun.Status.FAILED
    assert "403" in run.error and run.finished_at
    contract = reload(contract)
    assert contract.last_error == run.error and contract.last_error_at
    assert contract.watermark is None and contract.last_success_at is None


def test_missing_credentials_fail_with_a_clear_message(db, settings):
    settings.LINKEDIN_CLIENT_ID = settings.LINKEDIN_CLIENT_SECRET = ""
    contract = make_contract()

    run = sync_contract(contract.pk)

    assert run.status == SyncRun.Status.FAILED and "no LinkedIn credentials" in run.error


def test_a_contracts_own_credentials_are_used(make_sandbox, settings):
    sandbox = make_sandbox(notes=20, days=1)
    contract = contract_for(sandbox, client_id="sandbox-client-id", client_secret="wrong")
    settings.LINKEDIN_CLIENT_SECRET = "sandbox-client-secret"  # the site's would work

    run = sync_contract(contract.pk)

    assert run.status == SyncRun.Status.FAILED and "401" in run.error


def test_a_sync_while_the_lock_is_held_is_skipped(make_sandbox):
    sandbox = make_sandbox(notes=20, days=1)
    contract = contract_for(sandbox)
    lock = ContractLock(contract.pk)
    assert lock.acquire()
    try:
        run = sync_contract(contract.pk)
    finally:
        lock.release()
    assert run.status == SyncRun.Status.SKIPPED and "running" in run.error
    assert note_calls(sandbox) == [] and ProspectNote.objects.count() == 0


def test_a_run_left_running_by_a_killed_worker_is_closed(make_sandbox):
    sandbox = make_sandbox(notes=20, days=1)
    contract = contract_for(sandbox)
    stale = SyncRun.objects.create(contract=contract)

    sync_contract(contract.pk)

    stale.refresh_from_db()
    assert stale.status == SyncRun.Status.INTERRUPTED and "Interrupted" in stale.error


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_one_skips(make_sandbox, monkeypatch):
    sandbox = make_sandbox(notes=200, days=2)
    contract = contract_for(sandbox)
    fetching, release = threading.Event(), threading.Event()
    real_pages = sync_module.LinkedInClient.iter_prospect_note_pages

    def slow_pages(self, *args, **kwargs):
        fetching.set()
        release.wait(10)  # the first run holds the lock, mid-fetch, until the second is done
        yield from real_pages(self, *args, **kwargs)

    monkeypatch.setattr(sync_module.LinkedInClient, "iter_prospect_note_pages", slow_pages)
    results, errors = [], []

    def first_run():
        try:
            results.append(sync_contract(contract.pk))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=first_run)
    thread.start()
    assert fetching.wait(10)
    second = sync_contract(contract.pk)
    release.set()
    thread.join(30)

    assert errors == []
    assert second.status == SyncRun.Status.SKIPPED
    assert results[0].status == SyncRun.Status.SUCCEEDED
    assert stored(contract) == truth(sandbox, contract.urn)
    assert ProspectNote.objects.count() == 200


# --- rescan -------------------------------------------------------------------------------------


def test_rescan_catches_an_old_dated_edit_and_keeps_the_watermark(make_sandbox):
    sandbox = make_sandbox(notes=150, days=5)
    contract = contract_for(sandbox)
    sync_contract(contract.pk)
    watermark = reload(contract).watermark
    # An edit LinkedIn dates well before the watermark (as if it filtered on another date):
    # an ordinary run, walking from the watermark, cannot see it.
    old = next(n for n in sandbox.store.notes(contract.urn) if n["active"])
    at = old["lastModified"] + 1
    assert at < to_ms(watermark) - HOUR_MS
    sandbox.store.edit_note(old["id"], "edited long ago", at_ms=at)
    sync_contract(contract.pk)
    assert ProspectNote.objects.get(linkedin_id=old["id"]).text != "edited long ago"

    run = rescan_contract(contract.pk)

    assert run.kind == SyncRun.Kind.RESCAN and run.status == SyncRun.Status.SUCCEEDED
    assert ProspectNote.objects.get(linkedin_id=old["id"]).text == "edited long ago"
    contract = reload(contract)
    assert contract.watermark >= watermark and contract.last_rescan_at
    assert run.window_start <= timezone.now() - timedelta(days=contract.rescan_days - 1)


# --- queries per page ---------------------------------------------------------------------------


def count_write_queries(monkeypatch) -> list[tuple[int, int]]:
    """(notes, queries) of every write from now on."""
    write = NoteWriter.write
    writes: list[tuple[int, int]] = []

    def counted_write(self, notes, now):
        with CaptureQueriesContext(connection) as queries:
            result = write(self, notes, now)
        writes.append((len(notes), len(queries.captured_queries)))
        return result

    monkeypatch.setattr(NoteWriter, "write", counted_write)
    return writes


def sync_fresh(make_sandbox, size: int) -> Contract:
    """A full sync of 600 notes in pages of ``size``, in a database without notes."""
    ProspectNote.objects.all().delete()  # seats are protected by their notes
    Contract.objects.all().delete()
    clear_token_cache()
    sandbox = make_sandbox(notes=600, days=1, seed=size)
    contract = contract_for(sandbox)
    sync_contract(contract.pk)
    return contract


def test_queries_per_page_do_not_depend_on_the_page_size(make_sandbox, settings, monkeypatch):
    # One write per page, as the issue states it: the same queries for 10 notes and for 100.
    monkeypatch.setattr(sync_module, "WRITE_BATCH_NOTES", 1)
    writes = count_write_queries(monkeypatch)
    per_page = {}
    for size in (10, 100):
        settings.LINKEDIN_PAGE_SIZE = size
        writes.clear()
        run = sync_fresh(make_sandbox, size).runs.get()
        pages = writes  # one write per page that has notes (a window's empty answer has none)
        assert sum(n for n, _ in pages) >= 600 and max(n for n, _ in pages) == size
        assert all(n for n, _ in pages) and len(pages) <= run.pages
        per_page[size] = sum(q for _, q in pages) / len(pages)
        assert {q for _, q in pages} == {per_page[size]}  # the same for every page
    assert per_page[10] == per_page[100] <= 7


def test_batched_writes_cost_the_same_queries_whatever_their_size(
    make_sandbox, settings, monkeypatch
):
    writes = count_write_queries(monkeypatch)
    settings.LINKEDIN_PAGE_SIZE = 10
    sync_fresh(make_sandbox, 10)
    batched = writes
    assert max(n for n, _ in batched) >= 100  # several pages a write
    assert len({q for _, q in batched}) == 1 and batched[0][1] <= 7
