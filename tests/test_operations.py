"""Operations: a failed sync is a failed job and an ERROR line with LinkedIn's request id;
/healthz and /healthz/sync; the daily call budget; runs of dead workers interrupted; the
Sync page with Redis down; a Redis outage during a run; sentry only when configured; the
launcher restarts a process that dies."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
import redis
from django.urls import reverse
from django.utils import timezone
from rq import SimpleWorker
from rq.registry import FailedJobRegistry, StartedJobRegistry

from config.supervisor import Supervisor
from linkedin.oauth import clear_token_cache
from recruiter import jobs, locks, orphans, usage
from recruiter import queue as recruiter_queue
from recruiter.models import Contract, SyncRun
from tests.helpers import make_contract, sandbox_contract, work

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def default_queue():
    return django_rq.get_queue("default")


# --- failures are seen --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failed_sync_is_a_failed_job_and_an_error_line_with_the_request_id(
    make_sandbox, settings, caplog
):
    settings.LINKEDIN_MAX_ATTEMPTS = 2  # LinkedIn answers 500 to everything: fail fast
    sandbox = make_sandbox(notes=20, days=1, fault_rate=1.0, fault_kinds=("500",))
    contract = sandbox_contract(sandbox)
    enqueued = recruiter_queue.enqueue_sync(contract.pk)

    with caplog.at_level(logging.INFO):
        work()

    run = contract.runs.get()
    assert run.status == SyncRun.Status.FAILED
    assert "LinkedIn 500" in run.error and "request id " in run.error
    request_id = run.error.split("request id ")[1].split(")")[0]
    assert len(request_id) >= 16  # the sandbox's X-LI-UUID, as LinkedIn's
    errors = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.name == "recruiter.sync"
    ]
    assert len(errors) == 1
    assert "failed" in errors[0].getMessage() and request_id in errors[0].getMessage()
    job = default_queue().fetch_job(enqueued.job_id)
    assert job.is_failed
    assert FailedJobRegistry(queue=default_queue()).get_job_ids() == [enqueued.job_id]
    assert "SyncFailed" in job.latest_result().exc_string
    # RQ's own line says the job failed, without a traceback of what we already said.
    (rq_line,) = [
        r.getMessage()
        for r in caplog.records
        if r.name == "rq.worker" and r.levelno == logging.ERROR
    ]
    assert "SyncFailed: " in rq_line and request_id in rq_line
    assert "Traceback" not in rq_line


def test_a_succeeded_sync_logs_no_error(db, sandbox, caplog):
    contract = sandbox_contract(sandbox)
    with caplog.at_level(logging.INFO):
        summary = jobs.sync_contract(contract.pk)
    assert summary["status"] == SyncRun.Status.SUCCEEDED
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# --- health checks ------------------------------------------------------------------------------


@pytest.fixture
def live_worker():
    """A worker registered with its heartbeat, as a running rqworker is."""
    q = default_queue()
    worker = SimpleWorker([q], connection=q.connection)
    worker.register_birth()
    worker.heartbeat()
    yield worker
    worker.register_death()


def test_healthz_reports_workers_and_each_active_contracts_lag(client, db, live_worker):
    make_contract(urn="urn:li:contract:1", watermark=timezone.now() - timedelta(minutes=5))
    make_contract(urn="urn:li:contract:2", active=False)

    body = client.get("/healthz").json()

    assert body["status"] == "ok" and body["workers"] == 1
    (lag,) = body["contracts"]
    assert lag["contract"] == "urn:li:contract:1" and 290 <= lag["lag_seconds"] <= 310
    assert lag["alert"] is False


def test_healthz_sync_is_ok_with_a_worker_and_fresh_contracts(client, db, live_worker):
    make_contract(watermark=timezone.now() - timedelta(minutes=20))
    response = client.get("/healthz/sync")
    assert response.status_code == 200, response.json()
    assert response.json()["problems"] == []


def test_healthz_sync_answers_503_when_a_contract_lags(client, db, live_worker, settings):
    settings.SYNC_LAG_ALERT_MINUTES = 90
    make_contract(urn="urn:li:contract:7", watermark=timezone.now() - timedelta(minutes=91))
    make_contract(watermark=timezone.now() - timedelta(minutes=10))

    response = client.get("/healthz/sync")

    assert response.status_code == 503
    (problem,) = response.json()["problems"]
    assert problem.startswith("urn:li:contract:7 is 91 minutes behind")
    assert client.get("/healthz").status_code == 200  # liveness is another question


def test_healthz_sync_answers_503_when_no_worker_is_alive(client, db):
    make_contract(watermark=timezone.now())
    response = client.get("/healthz/sync")
    assert response.status_code == 503
    assert response.json()["problems"] == ["no worker is alive"]
    assert response.json()["workers"] == 0


# --- the daily API call budget ------------------------------------------------------------------


def test_calls_are_counted_per_application_and_utc_day(db, sandbox):
    contract = sandbox_contract(sandbox)
    run = jobs.run_sync(contract.pk, SyncRun.Kind.MANUAL)

    (budget,) = usage.budgets([usage.application_of(contract)])
    assert budget.application == "sandbox-client-id"
    assert budget.calls == run.api_calls > 0
    assert budget.limit == 100_000
    calls = usage.endpoint_calls()
    assert calls[("/prospectNotes", "200")] == run.api_calls


def test_new_syncs_stop_at_the_budget_share_and_say_why(db, sandbox, settings, caplog):
    settings.LINKEDIN_DAILY_CALL_LIMIT = 1000
    settings.LINKEDIN_BUDGET_STOP_SHARE = 0.9
    contract = sandbox_contract(sandbox)
    usage.record(usage.application_of(contract), {("/prospectNotes", "200"): 900})

    with caplog.at_level(logging.WARNING):
        run = jobs.run_sync(contract.pk, SyncRun.Kind.SCHEDULED)

    assert run.status == SyncRun.Status.BUDGET
    assert "900 of its 1,000 LinkedIn calls today" in run.error
    assert [e for e in sandbox.request_log if e.path.endswith("/prospectNotes")] == []
    assert contract.notes.count() == 0
    assert any("not started" in r.getMessage() for r in caplog.records)


def test_the_sync_page_shows_the_budget(client, alice, db, settings):
    settings.LINKEDIN_DAILY_CALL_LIMIT = 1000
    contract = make_contract(client_id="child-app-7")
    usage.record(usage.application_of(contract), {("/prospectNotes", "200"): 950})
    client.force_login(alice)

    page = client.get(reverse("recruiter:sync_status")).content.decode()

    assert 'data-application="child-app-7"' in page
    assert ">950<" in page and "stopped until midnight UTC" in page


# --- crashes heal -------------------------------------------------------------------------------


def dead_run(contract: Contract) -> tuple[SyncRun, str]:
    """What a SIGKILLed worker leaves: a RUNNING run, its job STARTED in RQ, and the contract's
    lock expired (no heartbeat renewed it)."""
    job_id = recruiter_queue.enqueue_sync(contract.pk).job_id
    q = default_queue()
    job = q.fetch_job(job_id)
    q.remove(job)
    worker = SimpleWorker([q], connection=q.connection)  # it takes the job, then dies
    worker.register_birth()
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    assert job.get_status() == "started"
    lock = locks.ContractLock(contract.pk, timeout=1)
    assert lock.acquire()
    lock._stop.set()  # the heartbeat dies with the worker
    run = SyncRun.objects.create(contract=contract, progress=12.0)
    time.sleep(1.2)
    assert not lock.held
    return run, job_id


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_run_is_interrupted_and_sync_now_accepted(client, alice):
    contract = make_contract()
    run, job_id = dead_run(contract)
    client.force_login(alice)

    response = client.post(reverse("recruiter:sync_now", args=[contract.pk]), follow=True)

    assert "queued" in response.content.decode() and "already" not in response.content.decode()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.INTERRUPTED and "worker stopped" in run.error
    assert default_queue().job_ids == [job_id]  # queued again
    assert job_id not in StartedJobRegistry(queue=default_queue()).get_job_ids()


def test_a_live_runs_lock_keeps_it_running(db):
    contract = make_contract()
    lock = locks.ContractLock(contract.pk)
    assert lock.acquire()
    try:
        run = SyncRun.objects.create(contract=contract)
        assert orphans.interrupt_orphaned_runs() == 0
        run.refresh_from_db()
        assert run.status == SyncRun.Status.RUNNING
    finally:
        lock.release()


def test_the_heartbeat_renews_the_lock_past_its_timeout(db, monkeypatch):
    monkeypatch.setattr(locks, "BEAT_SECONDS", 0.2)
    lock = locks.ContractLock(make_contract().pk, timeout=1)
    assert lock.acquire()
    try:
        time.sleep(1.5)
        assert lock.held and not lock.lost
    finally:
        lock.release()
    assert not lock.held


def test_a_redis_outage_during_a_run_is_said_and_the_run_succeeds(db, sandbox, monkeypatch):
    """The worker's Redis goes away while the walk writes: the notes still go to the database,
    and the run says its lock could not be renewed meanwhile."""
    monkeypatch.setattr(locks, "BEAT_SECONDS", 0.05)
    real_extend = redis.lock.Lock.extend

    def unreachable(self, *args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(redis.lock.Lock, "extend", unreachable)
    contract = sandbox_contract(sandbox)
    from recruiter import sync as sync_module

    original = sync_module._Walk._windows_done

    def slow_windows(self, windows):
        time.sleep(0.2)  # long enough for a few failed heartbeats
        return original(self, windows)

    monkeypatch.setattr(sync_module._Walk, "_windows_done", slow_windows)
    run = jobs.run_sync(contract.pk, SyncRun.Kind.MANUAL)
    monkeypatch.setattr(redis.lock.Lock, "extend", real_extend)

    assert run.status == SyncRun.Status.SUCCEEDED
    assert "Redis was unreachable" in run.error
    assert contract.notes.count() == len(sandbox.store.notes(contract.urn))


# --- Redis down ---------------------------------------------------------------------------------


@pytest.fixture
def redis_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise redis.ConnectionError("Error 111 connecting. Connection refused.")

    monkeypatch.setattr(redis.Redis, "execute_command", refuse)
    monkeypatch.setattr(redis.client.Pipeline, "execute", refuse)


def test_pages_with_redis_down_show_what_the_database_knows(client, alice, db, redis_down):
    contract = make_contract(name="Acme")
    SyncRun.objects.create(contract=contract, status="succeeded", progress=100)
    SyncRun.objects.create(contract=contract, progress=40)  # its lock cannot be checked
    client.force_login(alice)

    page = client.get(reverse("recruiter:sync_status"))
    progress = client.get(reverse("recruiter:sync_progress"))
    now = client.post(reverse("recruiter:sync_now", args=[contract.pk]), follow=True)

    assert page.status_code == 200
    assert (
        'data-field="queue-unreachable"' in page.content.decode()
        and "Acme" in page.content.decode()
    )
    assert progress.status_code == 200
    (state,) = progress.json()["contracts"]
    assert state["queue_unreachable"] is True and state["state"] == "running"
    assert now.status_code == 200
    assert "already running" in now.content.decode()  # what the database says


def test_sync_now_with_redis_down_says_so(client, alice, db, redis_down):
    contract = make_contract()
    client.force_login(alice)
    response = client.post(reverse("recruiter:sync_now", args=[contract.pk]), follow=True)
    assert response.status_code == 200
    assert "not queued: The job queue is unreachable" in response.content.decode()
    assert not contract.runs.exists()


def test_healthz_with_redis_down_is_503_not_500(client, db, redis_down):
    assert client.get("/healthz").status_code == 503
    sync = client.get("/healthz/sync")
    assert sync.status_code == 503
    assert "the job queue (Redis) is unreachable" in sync.json()["problems"]


# --- sentry -------------------------------------------------------------------------------------


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    base.update(DJANGO_SETTINGS_MODULE="tests.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def test_sentry_is_not_loaded_without_a_dsn():
    result = run_django("import django, sys; django.setup(); print('sentry_sdk' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_sentry_with_a_dsn_has_django_and_rq_and_no_personal_data():
    code = (
        "import django; django.setup(); import sentry_sdk\n"
        "c = sentry_sdk.get_client()\n"
        "print(c.options['send_default_pii'], sorted(c.integrations))\n"
    )
    result = run_django(code, SENTRY_DSN="http://public@127.0.0.1:9/1")
    pii, integrations = result.stdout.strip().split(" ", 1)
    assert pii == "False", result.stderr
    assert "'django'" in integrations and "'rq'" in integrations


# --- the launcher restarts what dies ------------------------------------------------------------


def test_the_launcher_restarts_a_process_that_dies(monkeypatch):
    import io

    import config.supervisor as supervisor_module

    monkeypatch.setattr(supervisor_module, "FIRST_BACKOFF", 0.05)
    out = io.StringIO()
    supervisor = Supervisor(out=out)
    dying = supervisor.add("worker", [sys.executable, "-c", "print('up')"], restart=True)
    supervisor.start(dying)
    dying.backoff = 0.05
    deadline = time.monotonic() + 10
    while dying.restarts < 2 and time.monotonic() < deadline:
        dying.popen.wait(5)
        supervisor._check(dying)
    supervisor._stop_all()
    assert dying.restarts >= 2
    assert "exited with 0; restarting" in out.getvalue()


def test_the_launcher_lets_a_one_shot_process_finish(monkeypatch):
    import io

    supervisor = Supervisor(out=io.StringIO())
    once = supervisor.add("demo", [sys.executable, "-c", "pass"], restart=False)
    supervisor.start(once)
    once.popen.wait(5)
    supervisor._check(once)
    assert once.done and once.restarts == 0
