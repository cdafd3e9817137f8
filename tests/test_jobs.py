"""The sync's jobs, schedule and commands: what cron registers, what gets enqueued (once), a
real RQ worker running it, `manage.py sync_prospect_notes` and `manage.py start_demo`."""

from __future__ import annotations

import importlib
import io
import socket
import threading
from datetime import UTC, datetime, timedelta

import django_rq
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rq import cron as rq_cron

from config.run import wait_for_api
from linkedin.oauth import clear_token_cache
from recruiter import jobs
from recruiter import queue as recruiter_queue
from recruiter.management.commands.start_demo import DEMO_CONTRACT
from recruiter.management.commands.sync_prospect_notes import _moment
from recruiter.models import Contract, ProspectNote, SyncRun
from tests.helpers import make_contract, sandbox_contract, work


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def queue():
    return django_rq.get_queue("default")


def notes_in(sandbox, urn: str) -> int:
    return len(sandbox.store.notes(urn))


# --- schedule -----------------------------------------------------------------------------------


def test_cron_registers_the_sync_and_the_daily_rescan(settings):
    rq_cron._job_data_registry.clear()
    import config.cron

    importlib.reload(config.cron)
    scheduler = rq_cron.create_cron(django_rq.get_connection("default"))
    registered = {job.func_name: job for job in scheduler.get_jobs()}

    sync = registered["recruiter.jobs.sync_active_contracts"]
    assert sync.interval == settings.SYNC_INTERVAL_MINUTES * 60 and sync.queue_name == "default"
    rescan = registered["recruiter.jobs.rescan_active_contracts"]
    assert rescan.cron and rescan.interval is None
    assert "config.jobs.clear_expired_sessions" in registered  # the existing entry stays
    assert all(job.job_options.get("job_timeout") for job in registered.values())


# --- enqueueing ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_active_contracts_are_enqueued_once_each():
    first, second = make_contract(), make_contract()
    make_contract(active=False)

    assert jobs.sync_active_contracts() == 2
    assert recruiter_queue.fan_out_syncs([first.pk, second.pk]) == 0  # still queued

    assert sorted(queue().get_job_ids()) == sorted(
        [recruiter_queue.sync_job_id(first.pk), recruiter_queue.sync_job_id(second.pk)]
    )
    assert jobs.rescan_active_contracts() == 2
    assert recruiter_queue.rescan_job_id(first.pk) in queue().get_job_ids()
    assert queue().count == 4


@pytest.mark.django_db(transaction=True)
def test_enqueue_sync_gives_the_waiting_job_instead_of_a_second_one():
    contract = make_contract()

    first = recruiter_queue.enqueue_sync(contract.pk)
    again = recruiter_queue.enqueue_sync(contract.pk)

    assert first.job_id == again.job_id == f"sync-contract-{contract.pk}"
    assert (first.added, again.added) == (True, False)
    assert queue().count == 1
    job = queue().fetch_job(first.job_id)
    assert job.timeout == recruiter_queue.SYNC_TIMEOUT
    assert job.func_name == "recruiter.jobs.sync_contract"
    assert job.args == (contract.pk, "manual")


def test_enqueue_sync_waits_for_the_transaction_to_commit(db, django_capture_on_commit_callbacks):
    contract = make_contract()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert recruiter_queue.enqueue_sync(contract.pk).added
        assert queue().count == 0  # a worker must not look for an uncommitted contract
    assert len(callbacks) == 1
    assert queue().get_job_ids() == [recruiter_queue.sync_job_id(contract.pk)]


# --- a real worker ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_an_enqueued_sync_to_completion(sandbox):
    contract = sandbox_contract(sandbox)

    job = queue().fetch_job(recruiter_queue.enqueue_sync(contract.pk).job_id)
    work()

    job.refresh()
    assert job.is_finished, job.latest_result()
    assert job.return_value()["status"] == SyncRun.Status.SUCCEEDED
    run = SyncRun.objects.get()
    assert (run.kind, run.status) == (SyncRun.Kind.MANUAL, SyncRun.Status.SUCCEEDED)
    assert ProspectNote.objects.filter(contract=contract).count() == notes_in(sandbox, contract.urn)


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_fan_out_syncs_every_active_contract(make_sandbox):
    sandbox = make_sandbox(contracts=2, notes=200, days=2)
    contracts = [sandbox_contract(sandbox, urn=urn) for urn in sandbox.store.contract_urns()]

    queue().enqueue(jobs.sync_active_contracts)
    work()  # the fan-out, then the two syncs it enqueued

    for contract in contracts:
        assert contract.runs.get().status == SyncRun.Status.SUCCEEDED
        assert contract.notes.count() == notes_in(sandbox, contract.urn)

    jobs.rescan_active_contracts()
    work()
    assert SyncRun.objects.filter(kind=SyncRun.Kind.RESCAN).count() == 2
    assert all(c.last_rescan_at for c in Contract.objects.all())


def test_the_job_function_returns_a_summary(db, sandbox):
    contract = sandbox_contract(sandbox)

    summary = jobs.sync_contract(contract.pk)
    rescan = jobs.rescan_contract(contract.pk)

    assert summary["status"] == SyncRun.Status.SUCCEEDED
    assert summary["created"] == notes_in(sandbox, contract.urn)
    assert rescan["status"] == SyncRun.Status.SUCCEEDED and rescan["created"] == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_waits_for_a_sandbox_that_starts_late():
    from sandbox.server import Sandbox, SandboxConfig

    port = free_port()
    late = Sandbox(SandboxConfig(seed=3, notes=5, days=1))
    timer = threading.Timer(0.5, late.start, args=("127.0.0.1", port))
    timer.start()
    try:
        assert wait_for_api(f"http://127.0.0.1:{port}/v2", 20, poll=0.05) is True
    finally:
        timer.join()
        late.stop()


def test_waiting_for_an_api_that_never_listens_gives_up():
    assert wait_for_api(f"http://127.0.0.1:{free_port()}/v2", 0.3, poll=0.05) is False


# --- manage.py sync_prospect_notes --------------------------------------------------------------


def test_the_command_creates_the_contract_syncs_and_prints_a_summary(db, make_sandbox):
    sandbox = make_sandbox(notes=150, days=5)
    urn = sandbox.store.contract_urns()[0]
    out, err = io.StringIO(), io.StringIO()

    call_command("sync_prospect_notes", "--contract", urn, stdout=out, stderr=err)

    contract = Contract.objects.get(urn=urn)
    assert contract.client_id == ""  # the site's credentials
    run = contract.runs.get()
    assert (run.kind, run.status) == (SyncRun.Kind.COMMAND, SyncRun.Status.SUCCEEDED)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Created contract {urn} (site credentials)."
    assert lines[-1].startswith(
        f"{urn} succeeded: notes created 150, updated 0, deactivated 0, unchanged "
    )
    assert f"pages {run.pages}, API calls {run.api_calls}, retries 0;" in lines[-1]
    assert lines[-1].endswith(" s")
    assert "\r" not in out.getvalue()  # no progress bar when stdout is not a terminal


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_shows_a_progress_bar_on_a_terminal(db, make_sandbox, capsys):
    sandbox = make_sandbox(notes=60, days=3)
    out = Terminal()

    call_command("sync_prospect_notes", "--contract", sandbox.store.contract_urns()[0], stdout=out)

    bar = capsys.readouterr().out  # tqdm draws on the real stdout
    assert "100%" in bar and "notes=60" in bar
    assert "succeeded: notes created 60" in out.getvalue()


def test_the_command_takes_a_range_and_full(db, make_sandbox):
    sandbox = make_sandbox(notes=100, days=5)
    contract = sandbox_contract(sandbox)
    since, until = timezone.now() - timedelta(days=2), timezone.now() - timedelta(days=1)
    out = io.StringIO()

    call_command(
        "sync_prospect_notes",
        f"--contract={contract.urn}",
        f"--since={since.isoformat()}",
        f"--until={until.isoformat()}",
        stdout=out,
    )
    call_command("sync_prospect_notes", f"--contract={contract.urn}", "--full", stdout=out)

    ranged, full = contract.runs.order_by("pk")
    assert abs(ranged.window_start - since) < timedelta(milliseconds=1)
    assert abs(ranged.window_end - until) < timedelta(milliseconds=1)
    assert 0 < ranged.notes_created < 100
    assert full.window_start == contract.backfill_start.replace(
        microsecond=contract.backfill_start.microsecond // 1000 * 1000
    )
    assert contract.notes.count() == 100


def test_the_command_fails_loudly_on_a_failed_run(db, make_sandbox):
    make_sandbox(notes=10, days=1)
    with pytest.raises(CommandError, match="403"):
        call_command(
            "sync_prospect_notes", "--contract", "urn:li:contract:777", stdout=io.StringIO()
        )
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_the_command_refuses_what_is_not_a_contract_urn(db):
    with pytest.raises(CommandError, match="contract URN"):
        call_command("sync_prospect_notes", "--contract", "1001", stdout=io.StringIO())
    assert not Contract.objects.exists()


def test_dates_on_the_command_line():
    assert _moment("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    assert _moment("2026-03-01T12:30:00") == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert _moment("2026-03-01T12:30:00+02:00") == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        _moment("last tuesday")


# --- manage.py start_demo -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_start_demo_creates_the_contract_and_its_first_sync_once(sandbox):
    out = io.StringIO()
    call_command("start_demo", stdout=out)
    call_command("start_demo", stdout=out)

    contract = Contract.objects.get()
    assert (contract.urn, contract.name, contract.client_id) == (DEMO_CONTRACT, "Demo contract", "")
    assert timezone.now() - contract.backfill_start > timedelta(days=59)
    assert queue().get_job_ids() == [recruiter_queue.sync_job_id(contract.pk)]  # not two

    work()

    assert contract.notes.count() == notes_in(sandbox, DEMO_CONTRACT)
    call_command("start_demo", stdout=out)
    assert queue().count == 0  # synced once: the schedule takes over
    assert "already synced" in out.getvalue()
