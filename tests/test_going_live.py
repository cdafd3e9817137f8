"""Going live: the add-contract page and Test connection, against the sandbox over real HTTP.

Each outcome of Test connection comes from what the sandbox answers as LinkedIn does: a wrong
secret is refused by the token endpoint (401 invalid_client), a contract the application has no
RSC access to is refused by the API (403 with LinkedIn's error body), and otherwise the test
counts the notes of the last 12 hours. No test leaves notes, seats or runs behind.
"""

from __future__ import annotations

import base64
import pickle
import re
from datetime import timedelta

import pytest
import requests
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from linkedin import LinkedInError
from linkedin.oauth import clear_token_cache
from recruiter.connection import check_connection
from recruiter.models import (
    ConnectionCheck,
    Contract,
    Prospect,
    ProspectNote,
    Seat,
    SyncRun,
)
from recruiter.sync import to_ms

GOOD_SECRET = "sandbox-client-secret"
NO_ACCESS_URN = "urn:li:contract:424242"


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def child_app_contract(sandbox, **overrides) -> Contract:
    """A contract on its own (child application) credentials, as RSC issues them."""
    fields = {
        "urn": sandbox.store.contract_urns()[0],
        "name": "Acme",
        "client_id": sandbox.config.client_id,
        "client_secret": GOOD_SECRET,
    }
    return Contract.objects.create(**{**fields, **overrides})


def notes_changed_in_last_12_hours(sandbox, urn: str, now) -> int:
    before = to_ms(now)
    _, total = sandbox.store.page(urn, None, before, before - 12 * 3_600_000, 0, 0)
    return total


def assert_nothing_stored_but_the_check() -> None:
    assert not ProspectNote.objects.exists()
    assert not Seat.objects.exists()
    assert not Prospect.objects.exists()
    assert not SyncRun.objects.exists()


def is_request_id(value: str) -> bool:
    return len(base64.b64decode(value, validate=True)) == 16


# --- the three outcomes ---------------------------------------------------------------------


def test_a_wrong_secret_is_refused_with_linkedins_message_and_request_id(db, sandbox):
    contract = child_app_contract(sandbox, client_secret="not-the-secret")

    check = check_connection(contract)

    assert check.outcome == ConnectionCheck.Outcome.REFUSED
    assert "Client authentication failed" in check.message  # LinkedIn's own words
    assert "HTTP 401" in check.message
    assert is_request_id(check.request_id) and check.request_id in check.message
    calls = [(r.method, r.path, r.status) for r in sandbox.request_log]
    assert calls == [("POST", "/oauth/v2/accessToken", 401)]  # no API call without a token
    assert_nothing_stored_but_the_check()


def test_a_contract_the_application_cannot_read_is_no_access(db, sandbox):
    contract = child_app_contract(sandbox, urn=NO_ACCESS_URN)

    check = check_connection(contract)

    assert check.outcome == ConnectionCheck.Outcome.NO_ACCESS
    assert "no Recruiter System Connect access to urn:li:contract:424242" in check.message
    assert "Not enough permissions" in check.message  # LinkedIn's error body, as it came
    assert "HTTP 403, serviceErrorCode 100" in check.message
    assert is_request_id(check.request_id)
    statuses = [(r.path, r.status) for r in sandbox.request_log]
    assert statuses == [("/oauth/v2/accessToken", 200), ("/v2/prospectNotes", 403)]
    assert_nothing_stored_but_the_check()


def test_working_credentials_report_the_notes_and_seats_they_see(db, make_sandbox):
    sandbox = make_sandbox(notes=400, days=2, seats=6)
    contract = child_app_contract(sandbox)
    now = timezone.now()
    expected = notes_changed_in_last_12_hours(sandbox, contract.urn, now)
    assert expected > 0  # two days of notes: some in the last 12 hours

    check = check_connection(contract, now=now)

    assert check.outcome == ConnectionCheck.Outcome.WORKS, check.message
    assert check.notes_seen == expected
    assert f"{expected:,} notes changed in the last 12 hours" in check.message
    holders = sandbox.store.holders.listed([contract.urn], None)
    active = [h for h in holders if h.state == "ACTIVE"]
    assert check.seats_seen == len(holders) > len(active) > 0  # one of six seats is INACTIVE
    assert f"; {len(holders)} seats ({len(active)} active)." in check.message
    assert "/v2/seatsV2" in [r.path for r in sandbox.request_log]
    assert check.checked_at == now and check.request_id == ""
    notes_call = next(r for r in sandbox.request_log if r.path == "/v2/prospectNotes")
    assert f"beforeDate={to_ms(now)}" in notes_call.query
    assert f"cutoffDate={to_ms(now) - 12 * 3_600_000}" in notes_call.query
    assert_nothing_stored_but_the_check()
    contract.refresh_from_db()
    assert contract.watermark is None and contract.last_success_at is None


def test_a_test_replaces_the_last_result_and_ignores_a_cached_token(db, sandbox):
    contract = child_app_contract(sandbox)
    assert check_connection(contract).works  # a token is now cached for this client id

    contract.client_secret = "rotated-wrongly"
    contract.save()
    check = check_connection(contract)

    assert check.outcome == ConnectionCheck.Outcome.REFUSED
    assert ConnectionCheck.objects.get() == check


def test_no_credentials_at_all_says_what_to_enter(db, settings):
    settings.LINKEDIN_CLIENT_ID = settings.LINKEDIN_CLIENT_SECRET = ""
    contract = Contract.objects.create(urn="urn:li:contract:5")

    check = check_connection(contract)

    assert check.outcome == ConnectionCheck.Outcome.REFUSED
    assert "enter the child application's client id and secret" in check.message


def test_linkedin_not_answering_is_its_own_outcome(db, settings):
    settings.LINKEDIN_OAUTH_BASE_URL = "http://127.0.0.1:9/oauth/v2"  # discard port: refused
    contract = Contract.objects.create(
        urn="urn:li:contract:6", client_id="id", client_secret="secret"
    )

    check = check_connection(contract)

    assert check.outcome == ConnectionCheck.Outcome.FAILED
    assert "try again in a few minutes" in check.message


def test_a_failed_test_is_logged_at_error_without_the_secret(db, sandbox, caplog):
    contract = child_app_contract(sandbox, client_secret="wrong-secret-value")
    with caplog.at_level("ERROR", logger="recruiter.connection"):
        check_connection(contract)
    (record,) = caplog.records
    assert record.levelname == "ERROR" and record.exc_info is None  # words, not a traceback
    assert "Client authentication failed" in record.getMessage()
    assert "wrong-secret-value" not in caplog.text


# --- LinkedIn's request id ------------------------------------------------------------------


def test_every_sandbox_answer_carries_a_request_id(sandbox):
    ok = requests.post(
        f"{sandbox.oauth_base_url}/accessToken",
        data={
            "grant_type": "client_credentials",
            "client_id": sandbox.config.client_id,
            "client_secret": GOOD_SECRET,
        },
        timeout=5,
    )
    refused = requests.get(f"{sandbox.api_base_url}/prospectNotes", timeout=5)
    ids = [ok.headers["X-LI-UUID"], refused.headers["X-LI-UUID"]]
    assert all(is_request_id(i) for i in ids) and ids[0] != ids[1]


def test_the_request_id_survives_pickling_for_the_job_queue():
    error = LinkedInError("denied", status=403, request_id="abc==")
    assert pickle.loads(pickle.dumps(error)).request_id == "abc=="  # noqa: S301 - our own bytes


# --- the add-contract page ------------------------------------------------------------------


def add_url() -> str:
    return reverse("admin:recruiter_contract_add")


def test_the_add_page_asks_what_going_live_needs(client, staff):
    client.force_login(staff)

    response = client.get(add_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "urn:li:contract:123456" in html  # the placeholder shows the form
    assert "LinkedIn asks partners to sync all of a" in html
    assert "Save and test connection" in html
    initial = response.context["adminform"].form.initial["backfill_start"]
    assert timedelta(days=729) < timezone.now() - initial < timedelta(days=732)


@pytest.mark.parametrize(
    "urn", ["123456", "urn:li:contract:", "urn:li:contract:12a", "urn:li:seat:1", " "]
)
def test_the_add_page_refuses_what_is_not_a_contract_urn(client, staff, urn):
    client.force_login(staff)

    response = client.post(add_url(), {**new_contract_form(), "urn": urn})

    assert response.status_code == 200
    assert "urn" in response.context["adminform"].form.errors
    assert not Contract.objects.exists()


def new_contract_form(**overrides) -> dict:
    start = timezone.localtime() - timedelta(days=730)
    fields = {
        "urn": "urn:li:contract:1001",
        "name": "Acme",
        "client_id": "sandbox-client-id",
        "client_secret": GOOD_SECRET,
        "backfill_start_0": start.strftime("%Y-%m-%d"),
        "backfill_start_1": "00:00:00",
        "active": "on",
        "window_hours": 12,
        "overlap_minutes": 15,
        "rescan_days": 30,
    }
    return {**fields, **overrides}


def test_save_and_test_connection_stores_the_secret_encrypted_and_reports(client, staff, sandbox):
    client.force_login(staff)
    urn = sandbox.store.contract_urns()[0]

    response = client.post(
        add_url(), {**new_contract_form(urn=urn), "_test_connection": "1"}, follow=True
    )

    contract = Contract.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:recruiter_contract_change", args=[contract.pk]
    )
    assert contract.client_secret == GOOD_SECRET
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM recruiter_contract WHERE id = %s", [contract.pk])
        (stored,) = cursor.fetchone()
    assert GOOD_SECRET not in stored
    html = response.content.decode()
    assert "Saved. Test connection: Works" in html
    assert contract.connection_check.works
    assert GOOD_SECRET not in html  # the secret never goes back to the browser


def test_the_change_page_shows_the_last_refusal(client, staff, sandbox):
    contract = child_app_contract(sandbox, client_secret="wrong")
    client.force_login(staff)
    change = reverse("admin:recruiter_contract_change", args=[contract.pk])

    response = client.post(
        change,
        {**new_contract_form(urn=contract.urn, client_secret=""), "_test_connection": "1"},
        follow=True,
    )

    html = response.content.decode()
    assert "credentials refused" in html.lower()
    assert "Client authentication failed" in html
    page = client.get(reverse("admin:recruiter_contract_changelist")).content.decode()
    assert "credentials refused" in page


# --- Test connection on the Sync page -------------------------------------------------------


def connection_url(contract: Contract) -> str:
    return reverse("recruiter:test_connection", args=[contract.pk])


def test_the_sync_page_tests_a_contract_and_shows_the_outcome(client, alice, sandbox):
    contract = child_app_contract(sandbox, urn=NO_ACCESS_URN)
    client.force_login(alice)

    response = client.post(connection_url(contract), follow=True)

    assert response.redirect_chain[-1][0] == reverse("recruiter:sync_status")
    html = response.content.decode()
    assert 'data-connection="no_access"' in html
    assert re.search(r"no RSC access to the contract</span>", html)


def test_only_recruiting_admins_may_test_and_only_by_post(client, bob, charlie, alice, sandbox):
    contract = child_app_contract(sandbox)
    for user in (bob, charlie):
        client.force_login(user)
        assert client.post(connection_url(contract)).status_code == 403
    client.force_login(alice)
    assert client.get(connection_url(contract)).status_code == 405
    assert not ConnectionCheck.objects.exists()
    assert not sandbox.request_log


# --- real credentials: make run and the first failing sync ----------------------------------


def test_make_run_with_real_credentials_starts_no_sandbox_and_says_so(monkeypatch):
    from config import run

    monkeypatch.setenv("LINKEDIN_CLIENT_ID", "real-client-id")
    monkeypatch.setenv("LINKEDIN_CLIENT_SECRET", "real-secret")
    monkeypatch.delenv("LINKEDIN_API_BASE_URL", raising=False)

    env, use_sandbox = run._environment(8000, 8765)
    banner = run._linkedin_banner(env, use_sandbox)

    assert use_sandbox is False
    assert "SANDBOX_URL" not in env and "LINKEDIN_API_BASE_URL" not in env
    assert "no sandbox; calls go to https://api.linkedin.com/v2 as client real-client-id" in banner
    assert "real-secret" not in banner


def test_make_run_without_credentials_uses_the_sandbox_and_says_so(monkeypatch):
    from config import run

    monkeypatch.delenv("LINKEDIN_CLIENT_ID", raising=False)
    env, use_sandbox = run._environment(8000, 8765)
    assert use_sandbox and env["LINKEDIN_API_BASE_URL"] == "http://127.0.0.1:8765/v2"
    assert "the sandbox at http://127.0.0.1:8765" in run._linkedin_banner(env, use_sandbox)


@pytest.mark.django_db(transaction=True)
def test_a_sync_with_refused_credentials_says_so_on_the_sync_page_without_a_traceback(
    client, alice, sandbox, caplog
):
    from recruiter import jobs

    contract = child_app_contract(sandbox, client_secret="wrong")
    with caplog.at_level("INFO"), pytest.raises(jobs.SyncFailed):
        jobs.sync_contract(contract.pk)  # the scheduled job: RQ records it as failed

    run = contract.runs.get()
    assert run.status == SyncRun.Status.FAILED
    assert "Client authentication failed" in run.error
    assert "check the contract's client id, secret and URN" in run.error
    assert not [r for r in caplog.records if r.exc_info]
    client.force_login(alice)
    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert "LinkedIn refused the credentials: check the contract" in page
