"""One door to the queue: every way of starting a sync runs the same job with the same
follow-ups, job ids are fixed, two schedulers enqueue once, and only the apps' queue modules
import rq."""

from __future__ import annotations

import ast
import io
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_rq.cron import DjangoCronScheduler

from recommendations import jobs as recommendation_jobs
from recommendations import queue as recommendations_queue
from recruiter import jobs
from recruiter import queue as recruiter_queue
from recruiter.models import Contract, SyncRun
from tests.helpers import make_contract, work

ROOT = Path(__file__).resolve().parent.parent


def default_queue():
    return django_rq.get_queue("default")


def sandbox_contracts(sandbox) -> list[Contract]:
    start = timezone.now() - timedelta(days=sandbox.config.days + 1)
    return [
        Contract.objects.create(urn=urn, backfill_start=start)
        for urn in sandbox.store.contract_urns()
    ]


# --- one job for every way in ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_every_way_of_starting_a_sync_enqueues_the_same_job(client, alice, staff):
    contract = make_contract()
    queued = {}

    def take(name: str) -> None:
        (job,) = default_queue().jobs
        queued[name] = (job.func_name, job.args[0], job.id)
        default_queue().empty()

    client.force_login(alice)
    client.post(reverse("recruiter:sync_now", args=[contract.pk]))
    take("sync now")
    client.force_login(staff)
    changelist = reverse("admin:recruiter_contract_changelist")
    client.post(changelist, {"action": "sync_now", ACTION_CHECKBOX_NAME: [contract.pk]})
    take("admin sync now")
    client.post(
        changelist,
        {
            "action": "rescan_from_date",
            ACTION_CHECKBOX_NAME: [contract.pk],
            "apply": "1",
            "since": "2026-10-01",
        },
    )
    take("admin rescan")
    jobs.sync_active_contracts()
    take("cron")
    jobs.rescan_active_contracts()
    take("daily rescan")

    assert {func for func, _, _ in queued.values()} == {"recruiter.jobs.sync_contract"}
    assert {pk for _, pk, _ in queued.values()} == {contract.pk}
    assert (
        queued["admin rescan"][2] == queued["daily rescan"][2] == f"rescan-contract-{contract.pk}"
    )
    assert queued["sync now"][2] == queued["cron"][2] == f"sync-contract-{contract.pk}"


@pytest.mark.django_db(transaction=True)
def test_an_admin_rescan_runs_the_follow_ups(sandbox, staff, client):
    (contract, *_) = sandbox_contracts(sandbox)
    client.force_login(staff)
    client.post(
        reverse("admin:recruiter_contract_changelist"),
        {
            "action": "rescan_from_date",
            ACTION_CHECKBOX_NAME: [contract.pk],
            "apply": "1",
            "since": (timezone.localdate() - timedelta(days=sandbox.config.days)).isoformat(),
        },
    )
    rescan = default_queue().fetch_job(recruiter_queue.rescan_job_id(contract.pk))
    work()

    run = contract.runs.get()
    assert (run.kind, run.status) == (SyncRun.Kind.RESCAN, SyncRun.Status.SUCCEEDED)
    rescan.refresh()
    assert isinstance(rescan.return_value(), dict)  # a summary, not a pickled SyncRun
    # The follow-up: the search index job, as after a scheduled sync.
    index = default_queue().fetch_job(recruiter_queue.INDEX_JOB_ID)
    assert index is not None and index.is_finished


@pytest.mark.django_db(transaction=True)
def test_the_command_runs_the_same_follow_ups(make_sandbox):
    sandbox = make_sandbox(notes=40, days=2)
    call_command(
        "sync_prospect_notes", "--contract", sandbox.store.contract_urns()[0], stdout=io.StringIO()
    )
    assert recruiter_queue.INDEX_JOB_ID in default_queue().job_ids


# --- generic enqueue for other jobs -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_another_job_on_a_named_queue_is_enqueued_once_under_its_id(settings):
    settings.RQ_QUEUES = {**settings.RQ_QUEUES, "backfill": settings.RQ_QUEUES["default"]}
    first = recruiter_queue.enqueue(
        "recruiter.jobs.index_notes_for_search",
        job_id="backfill-contract-7",
        queue="backfill",
        timeout=60,
    )
    again = recruiter_queue.enqueue(
        "recruiter.jobs.index_notes_for_search",
        job_id="backfill-contract-7",
        queue="backfill",
        timeout=60,
    )
    assert (first.added, again.added) == (True, False)
    backfill = django_rq.get_queue("backfill")
    assert backfill.job_ids == ["backfill-contract-7"] and default_queue().count == 0
    assert recruiter_queue.is_waiting("backfill-contract-7", queue="backfill")


# --- two schedulers -----------------------------------------------------------------------------


def scheduler(name: str) -> DjangoCronScheduler:
    cron = DjangoCronScheduler(connection=default_queue().connection, name=name)
    cron.load_config_from_file("config.cron")
    return cron


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_enqueue_each_sync_once_per_tick(make_sandbox):
    sandbox = make_sandbox(contracts=3, notes=60, days=2)
    contracts = sandbox_contracts(sandbox)
    first, second = scheduler("host-a"), scheduler("host-b")

    # Both fire their first tick (interval jobs run at once); both fan-outs reach a worker.
    first.enqueue_jobs()
    second.enqueue_jobs()
    fan_outs = [j for j in default_queue().jobs if j.func_name.endswith("sync_active_contracts")]
    assert len(fan_outs) == 2
    work()

    for contract in contracts:
        assert contract.runs.count() == 1, "each contract synced once in the tick"
    for job in fan_outs:
        job.refresh()
    assert sorted(job.return_value() for job in fan_outs) == [0, len(contracts)]


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_of_the_next_tick_enqueues_again(monkeypatch):
    contract = make_contract()
    clock = iter([1_000_000.0, 1_000_000.0 + 30 * 60])
    monkeypatch.setattr(recruiter_queue, "_tick_time", lambda: next(clock))
    assert jobs.sync_active_contracts() == 1
    default_queue().empty()
    assert jobs.sync_active_contracts() == 1
    assert default_queue().job_ids == [recruiter_queue.sync_job_id(contract.pk)]


# --- recommendations ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_recommendation_refreshes_fan_out_with_fixed_ids():
    assert recommendations_queue.fan_out_refreshes([4, 5]) == 2
    assert recommendations_queue.fan_out_refreshes([4, 5]) == 0
    assert sorted(default_queue().job_ids) == [
        "refresh-linkedin-account-4",
        "refresh-linkedin-account-5",
    ]
    assert recommendation_jobs.refresh_all_accounts() == 0  # no accounts: nothing more


# --- the door itself ----------------------------------------------------------------------------


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_queue_modules_import_rq():
    importers = {
        str(path.relative_to(ROOT))
        for app in ("accounts", "recruiter", "recommendations", "linkedin", "sandbox")
        for path in (ROOT / app).rglob("*.py")
        if imports_of(path) & {"rq", "django_rq"}
    }
    assert importers == {"recruiter/queue.py", "recommendations/queue.py"}


# --- connections --------------------------------------------------------------------------------


def test_one_redis_client_per_queue_until_its_settings_change(settings):
    first = recruiter_queue.redis()
    assert recruiter_queue.redis() is first  # one pool: no new socket per call
    assert recruiter_queue.get_queue().connection is first
    settings.RQ_QUEUES = {
        **settings.RQ_QUEUES,
        "default": {**settings.RQ_QUEUES["default"], "DEFAULT_TIMEOUT": 5},
    }
    changed = recruiter_queue.redis()
    assert changed is not first
    assert changed.ping()
