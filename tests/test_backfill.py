"""The first backfill: slices that stop at window boundaries, pause and resume with nothing
lost or duplicated, the contract's own syncs held meanwhile, other contracts' syncs served
between slices, and two real rq workers running a second contract's sync during a backfill."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from linkedin.oauth import clear_token_cache
from recruiter import backfill, jobs
from recruiter import queue as recruiter_queue
from recruiter.models import Backfill, Contract, ProspectNote, SyncRun
from recruiter.sync import to_ms
from tests import helpers
from tests.helpers import sandbox_contract

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def one_window_slices(settings):
    """Every slice stops after its first window: a backfill of N windows takes N slices."""
    settings.BACKFILL_SLICE_SECONDS = 0


def work(max_jobs: int | None = None) -> None:
    """Run queued jobs here, as `rqworker default backfill --burst` would (default first)."""
    helpers.work("default", "backfill", max_jobs=max_jobs)


def queues():
    return [django_rq.get_queue("default"), django_rq.get_queue("backfill")]


def linkedin_ids(sandbox, urn: str) -> list[int]:
    return sorted(note["id"] for note in sandbox.store.notes(urn))


def our_ids(contract: Contract) -> list[int]:
    return sorted(
        ProspectNote.objects.filter(contract=contract).values_list("linkedin_id", flat=True)
    )


def backfill_runs(contract: Contract):
    return SyncRun.objects.filter(contract=contract, kind=SyncRun.Kind.BACKFILL).order_by("pk")


# --- slices, pause and resume ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backfill_in_slices_reads_every_note_once(make_sandbox, one_window_slices):
    sandbox = make_sandbox(notes=300, days=4)
    contract = sandbox_contract(sandbox)

    fill, new = backfill.start_backfill(contract)
    work()

    fill.refresh_from_db()
    assert new and fill.status == Backfill.Status.DONE
    assert our_ids(contract) == linkedin_ids(sandbox, contract.urn)
    runs = list(backfill_runs(contract))
    # 5 days in 12-hour windows: one slice each, all but the last stopped at its boundary.
    assert len(runs) == fill.slices >= 10
    assert {r.status for r in runs[:-1]} == {SyncRun.Status.STOPPED}
    assert runs[-1].status == SyncRun.Status.SUCCEEDED
    # Each slice starts where the one before stopped (less the usual overlap): no gap.
    overlap = timedelta(minutes=contract.overlap_minutes)
    for before, after in zip(runs, runs[1:], strict=False):
        assert after.window_start == before.cursor
        assert after.window_start - overlap < before.cursor
    # Nothing written twice: every note was created by exactly one slice.
    assert sum(r.notes_created for r in runs) == len(linkedin_ids(sandbox, contract.urn))
    assert fill.notes == sum(r.notes_created for r in runs)
    contract.refresh_from_db()
    assert contract.watermark >= fill.end  # then the schedule's sync took over


@pytest.mark.django_db(transaction=True)
def test_pause_stops_at_a_window_boundary_and_resume_continues_from_there(
    make_sandbox, settings, monkeypatch
):
    settings.BACKFILL_SLICE_SECONDS = 3600  # one slice would do it all: only the pause stops it
    sandbox = make_sandbox(notes=400, days=6)
    contract = sandbox_contract(sandbox)
    asked = []
    should_stop = backfill._Slice.should_stop

    def pause_during_the_third_window(self):
        asked.append(1)
        if len(asked) == 3:
            backfill.pause_backfill(contract)  # as the Pause button, while the slice runs
        return should_stop(self)

    monkeypatch.setattr(backfill._Slice, "should_stop", pause_during_the_third_window)
    fill, _ = backfill.start_backfill(contract)
    work()

    fill.refresh_from_db()
    assert fill.status == Backfill.Status.PAUSED
    (paused_run,) = backfill_runs(contract)
    assert paused_run.status == SyncRun.Status.STOPPED
    # Stopped at the end of the third window: 12 hours each, each reaching 15 minutes back.
    third_end = fill.start + 3 * timedelta(hours=12) - 3 * timedelta(minutes=15)
    assert fill.cursor == paused_run.cursor
    assert abs(fill.cursor - third_end) < timedelta(milliseconds=2)
    assert 0 < fill.fraction < 1
    written = our_ids(contract)
    assert 0 < len(written) < len(linkedin_ids(sandbox, contract.urn))
    assert fill.notes == len(written)

    work()  # nothing is queued while paused
    assert backfill_runs(contract).count() == 1

    monkeypatch.setattr(backfill._Slice, "should_stop", should_stop)
    assert backfill.resume_backfill(contract) is not None
    work()

    fill.refresh_from_db()
    assert fill.status == Backfill.Status.DONE
    first, second = backfill_runs(contract)
    assert second.window_start == first.cursor
    assert our_ids(contract) == linkedin_ids(sandbox, contract.urn)  # nothing lost
    assert first.notes_created + second.notes_created == len(our_ids(contract))  # nor doubled
    assert fill.notes == len(our_ids(contract))


@pytest.mark.django_db(transaction=True)
def test_pausing_a_queued_backfill_pauses_it_at_once(make_sandbox):
    sandbox = make_sandbox(notes=50, days=2)
    contract = sandbox_contract(sandbox)
    backfill.start_backfill(contract)

    fill = backfill.pause_backfill(contract)
    work()  # the queued slice finds it paused

    assert fill.status == Backfill.Status.PAUSED
    assert not backfill_runs(contract).exists()
    assert not ProspectNote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_starting_twice_gives_the_backfill_under_way(make_sandbox):
    contract = sandbox_contract(make_sandbox(notes=20, days=1))
    first, new = backfill.start_backfill(contract)
    again, new_again = backfill.start_backfill(contract)
    assert new and not new_again and again.pk == first.pk
    assert django_rq.get_queue("backfill").count == 1


@pytest.mark.django_db(transaction=True)
def test_the_last_slice_hands_over_to_the_schedule(make_sandbox):
    sandbox = make_sandbox(notes=60, days=2)
    contract = sandbox_contract(sandbox)
    backfill.start_backfill(contract)

    work(max_jobs=1)  # the backfill, in one slice

    assert Backfill.objects.get().status == Backfill.Status.DONE
    assert recruiter_queue.sync_job_id(contract.pk) in django_rq.get_queue("default").get_job_ids()
    assert not backfill.holds_regular_syncs(contract)


@pytest.mark.django_db(transaction=True)
def test_a_failed_slice_is_shown_and_can_be_resumed(make_sandbox):
    sandbox = make_sandbox(notes=60, days=2)
    contract = sandbox_contract(sandbox)
    backfill.start_backfill(contract)
    sandbox.set_faults(1.0, ["500"])

    work()

    fill = Backfill.objects.get()
    assert fill.status == Backfill.Status.FAILED and "500" in fill.error
    assert backfill.can_resume(fill)
    sandbox.set_faults(0.0)
    backfill.resume_backfill(contract)
    work()
    assert Backfill.objects.get().status == Backfill.Status.DONE
    assert our_ids(contract) == linkedin_ids(sandbox, contract.urn)


# --- the estimate ---------------------------------------------------------------------------


def test_the_estimate_comes_from_the_rate_so_far():
    now = timezone.now()
    fill = Backfill(start=now - timedelta(days=100), end=now, cursor=now - timedelta(days=75))
    assert fill.seconds_left is None  # no time measured yet: no estimate
    fill.active_seconds = 60.0  # a quarter of the range in a minute...
    assert fill.fraction == pytest.approx(0.25)
    assert fill.seconds_left == pytest.approx(180.0)  # ...three more minutes


# --- the contract's own syncs wait, other contracts' do not ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_contracts_own_syncs_wait_for_its_backfill(make_sandbox):
    sandbox = make_sandbox(contracts=2, notes=100, days=2)
    first, second = (sandbox_contract(sandbox, urn) for urn in sandbox.store.contract_urns())
    backfill.start_backfill(first)
    backfill.pause_backfill(first)

    assert jobs.sync_active_contracts() == 1  # only the second contract
    assert django_rq.get_queue("default").get_job_ids() == [recruiter_queue.sync_job_id(second.pk)]
    summary = jobs.sync_contract(first.pk, SyncRun.Kind.MANUAL)  # "Sync now" meanwhile
    assert summary["status"] == SyncRun.Status.SKIPPED
    assert "backfill is under way" in summary["error"]
    assert not ProspectNote.objects.filter(contract=first).exists()


@pytest.mark.django_db(transaction=True)
def test_a_contract_synced_to_the_present_keeps_its_schedule_during_a_backfill(make_sandbox):
    sandbox = make_sandbox(notes=100, days=3)
    contract = sandbox_contract(sandbox)
    jobs.sync_contract(contract.pk)  # live for a while: synced up to now
    contract.refresh_from_db()
    contract.backfill_start = timezone.now() - timedelta(days=400)  # then more history asked
    contract.save()

    backfill.start_backfill(contract)

    assert not backfill.holds_regular_syncs(contract)
    assert jobs.sync_active_contracts() == 1
    work()
    assert Backfill.objects.get().status == Backfill.Status.DONE
    assert our_ids(contract) == linkedin_ids(sandbox, contract.urn)


@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_scheduled_syncs_between_two_slices(make_sandbox, one_window_slices):
    sandbox = make_sandbox(contracts=2, notes=300, days=4)
    big, other = (sandbox_contract(sandbox, urn) for urn in sandbox.store.contract_urns())
    backfill.start_backfill(big)
    work(max_jobs=1)  # the first slice; it queued the second
    jobs.sync_active_contracts()  # the schedule ticks: the other contract's sync is queued

    default = django_rq.get_queue("default")
    while default.count:
        work(max_jobs=1)

    # The worker took the default queue first: the other contract is synced (and the notes
    # indexed) while the backfill's next slice waits.
    assert other.runs.get().status == SyncRun.Status.SUCCEEDED
    assert backfill_runs(big).count() == 1
    work()
    assert Backfill.objects.get().status == Backfill.Status.DONE


# --- two real workers -----------------------------------------------------------------------


def _worker_environment(sandbox) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace("@", f":{db['PASSWORD']}@", 1)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "REDIS_URL": django_settings.REDIS_URL,
        "LINKEDIN_API_BASE_URL": sandbox.api_base_url,
        "LINKEDIN_OAUTH_BASE_URL": sandbox.oauth_base_url,
        "LINKEDIN_CLIENT_ID": sandbox.config.client_id,
        "LINKEDIN_CLIENT_SECRET": sandbox.config.client_secret,
        "BACKFILL_SLICE_SECONDS": "0.5",
    }


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the workers are other processes and the SQLite test database lives in this one's "
    "memory; CI runs this on PostgreSQL.",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sync_another_contract_while_a_backfill_runs(make_sandbox):
    # Every LinkedIn call takes 40 ms: the backfill of 40 days lasts several seconds.
    sandbox = make_sandbox(
        contracts=2, notes=800, days=40, fault_rate=1.0, fault_kinds=("slow",), slow_seconds=0.04
    )
    big_urn, other_urn = sandbox.store.contract_urns()
    big = sandbox_contract(sandbox, big_urn)
    other = sandbox_contract(sandbox, other_urn, days=2)
    backfill.start_backfill(big)
    env = _worker_environment(sandbox)
    workers = [
        subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "rqworker", "default", "backfill", "--burst"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while Backfill.objects.get().status == Backfill.Status.QUEUED:
            assert time.monotonic() < deadline, "no worker took the backfill"
            time.sleep(0.05)
        jobs.sync_active_contracts()  # the schedule ticks while the backfill runs
        for worker in workers:
            worker.wait(timeout=180)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()

    fill = Backfill.objects.get()
    assert fill.status == Backfill.Status.DONE, fill.error
    synced = other.runs.get(kind=SyncRun.Kind.SCHEDULED)
    assert synced.status == SyncRun.Status.SUCCEEDED
    # The other contract's sync ran, start to end, while the backfill was under way.
    assert fill.started_at < synced.started_at and synced.finished_at < fill.finished_at
    assert our_ids(big) == linkedin_ids(sandbox, big_urn)
    since = to_ms(other.backfill_start)
    recent = {n["id"] for n in sandbox.store.notes(other_urn) if n["lastModified"] > since}
    assert recent and recent <= set(our_ids(other)) <= set(linkedin_ids(sandbox, other_urn))
    assert backfill_runs(big).count() == fill.slices > 1


# --- the Sync page --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_sync_page_starts_pauses_and_resumes_a_backfill(client, alice, make_sandbox):
    contract = sandbox_contract(make_sandbox(notes=40, days=2))
    client.force_login(alice)

    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-field="start-backfill"' in page
    client.post(reverse("recruiter:start_backfill", args=[contract.pk]))
    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-backfill="queued"' in page and 'data-field="pause-backfill"' in page
    client.post(reverse("recruiter:pause_backfill", args=[contract.pk]))
    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-backfill="paused"' in page and 'data-field="resume-backfill"' in page
    client.post(reverse("recruiter:resume_backfill", args=[contract.pk]))
    work()

    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-backfill="done"' in page
    assert "40 notes so far" in page


@pytest.mark.django_db(transaction=True)
def test_the_polling_endpoint_carries_the_backfill(client, alice, make_sandbox, one_window_slices):
    contract = sandbox_contract(make_sandbox(notes=200, days=4))
    backfill.start_backfill(contract)
    work(max_jobs=2)
    fill = Backfill.objects.get()
    client.force_login(alice)

    body = client.get(reverse("recruiter:sync_progress")).json()

    (entry,) = body["contracts"]
    assert entry["backfill"]["status"] == "queued"
    assert entry["backfill"]["percent"] == round(100 * fill.fraction, 1) > 0
    assert entry["backfill"]["notes"] == f"{fill.notes} notes so far"
    assert entry["backfill"]["time_left"].endswith("left")


def test_only_recruiting_admins_run_backfills(client, bob, charlie, db):
    contract = Contract.objects.create(urn="urn:li:contract:77")
    for user in (bob, charlie):
        client.force_login(user)
        for name in ("start_backfill", "pause_backfill", "resume_backfill"):
            assert client.post(reverse(f"recruiter:{name}", args=[contract.pk])).status_code == 403
    assert not Backfill.objects.exists()


def test_the_admin_lists_backfills_read_only(client, staff, db):
    contract = Contract.objects.create(urn="urn:li:contract:78", client_secret="s3cret")
    now = timezone.now()
    Backfill.objects.create(
        contract=contract, start=now - timedelta(days=10), end=now, cursor=now - timedelta(days=5)
    )
    client.force_login(staff)
    page = client.get(reverse("admin:recruiter_backfill_changelist")).content.decode()
    assert "50%" in page and "urn:li:contract:78" in page
    assert client.get(reverse("admin:recruiter_backfill_add")).status_code == 403
