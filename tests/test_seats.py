"""Seat holders from LinkedIn's seatsV2 against the sandbox over real HTTP: paging and the
start rule, names, states and roles stored, a vanished seat kept and flagged, the command, the
job before a contract's first notes sync, and the admin's "Refresh seats"."""

from __future__ import annotations

from urllib.parse import parse_qs

import django_rq
import pytest
import requests
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.identity import names_of_members
from linkedin import LinkedInClient, LinkedInError
from linkedin.oauth import clear_token_cache
from recruiter import jobs
from recruiter import queue as recruiter_queue
from recruiter.models import Contract, Seat
from recruiter.seats import sync_seats

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def big(make_sandbox):
    """25 seats, at most 10 a page: three pages of seat holders."""
    return make_sandbox(seats=25, max_count=10, notes=100)


def contract_for(sandbox) -> Contract:
    return Contract.objects.create(urn=sandbox.store.contract_urns()[0], name="Sandbox")


def seat_requests(sandbox) -> list[dict[str, list[str]]]:
    return [parse_qs(e.query) for e in sandbox.request_log if e.path == "/v2/seatsV2"]


def test_the_client_pages_through_every_seat_holder(big):
    contract = big.store.contract_urns()[0]
    with LinkedInClient(big.api_base_url, big.issue_token()) as client:
        holders = list(client.iter_seat_holders([contract], count=100))
    truth = big.store.holders.listed([contract], None)
    assert [h.urn for h in holders] == [f"urn:li:seat:{t.seat_id}" for t in truth]
    assert len(holders) == 25
    queries = seat_requests(big)
    assert [q["start"] for q in queries] == [["0"], ["10"], ["20"]]  # count capped at 10
    # Every request carries start (LinkedIn fails one without it) and asks every state.
    assert all(q["states"] == ["List(ACTIVE,INACTIVE,INVITED,PARKED)"] for q in queries)
    raw = next(e.query for e in big.request_log if e.path == "/v2/seatsV2")
    assert "contracts=List(urn%3Ali%3Acontract%3A1001)" in raw  # Rest.li 2.0 encoding


def test_the_sandbox_refuses_a_request_without_start_and_answers_ten_without_count(big):
    headers = {
        "Authorization": f"Bearer {big.issue_token()}",
        "X-RestLi-Protocol-Version": "2.0.0",
    }
    base = f"{big.api_base_url}/seatsV2?q=attributes&contracts=List(urn%3Ali%3Acontract%3A1001)"
    refused = requests.get(base, headers=headers, timeout=5)
    assert refused.status_code == 400
    assert "start" in refused.json()["message"]
    answered = requests.get(base + "&start=0", headers=headers, timeout=5).json()
    assert len(answered["elements"]) == 10
    assert answered["paging"]["links"][0]["rel"] == "next"
    assert set(answered["elements"][0]) == {
        "firstName", "lastName", "contract", "member", "state", "seatRoles", "id",
    }  # fmt: skip


def test_an_unknown_contract_is_a_clear_linkedin_error(big):
    with (
        LinkedInClient(big.api_base_url, big.issue_token()) as client,
        pytest.raises(LinkedInError) as error,
    ):
        list(client.iter_seat_holders(["urn:li:contract:999"]))
    assert error.value.status == 403


def test_sync_stores_names_person_urns_states_and_roles(big):
    contract = contract_for(big)
    big.store.holders.change(
        big.store.seats(contract.urn)[3], state="PARKED", seatRoles=["ADMIN_SEAT"]
    )
    result = sync_seats(contract.pk)
    assert (result.listed, result.created, result.gone) == (25, 25, 0)
    for holder in big.store.holders.listed([contract.urn], None):
        seat = Seat.objects.get(contract=contract, urn=f"urn:li:seat:{holder.seat_id}")
        assert seat.holder_name == f"{holder.first_name} {holder.last_name}"
        assert (seat.member, seat.state, seat.roles) == (
            holder.member, holder.state, list(holder.roles),
        )  # fmt: skip
        assert seat.listed
    parked = Seat.objects.get(urn=big.store.seats(contract.urn)[3])
    assert (parked.state, parked.roles, parked.is_active) == ("PARKED", ["ADMIN_SEAT"], False)
    # The first seat is the demo member Alice's; her name is now known to the whole site.
    assert names_of_members(["urn:li:person:alice01"]) == {"urn:li:person:alice01": "Alice Adams"}
    contract.refresh_from_db()
    assert contract.seats_synced_at is not None and contract.seats_error == ""


def test_a_seat_no_longer_listed_is_kept_with_its_notes_and_flagged(big):
    contract = contract_for(big)
    sync_seats(contract.pk)
    gone = big.store.seats(contract.urn)[5]
    Seat.objects.filter(urn=gone).update(name="Kept by us")
    big.store.holders.remove(gone)
    result = sync_seats(contract.pk)
    assert (result.listed, result.gone) == (24, 1)
    seat = Seat.objects.get(urn=gone)
    assert not seat.listed and not seat.is_active
    assert seat.status_text == "no longer on the contract"
    assert seat.name == "Kept by us" and seat.holder_name  # nothing of it was lost
    # Listed again later: flagged as listed again.
    big.store.holders.add(contract.urn, gone, firstName="Back", lastName="Again")
    sync_seats(contract.pk)
    seat.refresh_from_db()
    assert seat.listed and seat.holder_name == "Back Again"


def test_a_failure_is_recorded_on_the_contract_and_raised(big, caplog):
    contract = contract_for(big)
    big.set_faults(1.0, ["500"])
    with pytest.raises(LinkedInError):
        sync_seats(contract.pk)
    contract.refresh_from_db()
    assert "500" in contract.seats_error
    assert any(r.levelname == "ERROR" and contract.urn in r.getMessage() for r in caplog.records)


def test_the_command_syncs_one_contract_and_refuses_an_unknown_one(big, capsys):
    contract = contract_for(big)
    call_command("sync_seats", "--contract", contract.urn)
    assert "25 seats listed (25 new)" in capsys.readouterr().out
    assert Seat.objects.filter(contract=contract).count() == 25
    with pytest.raises(CommandError, match="No contract"):
        call_command("sync_seats", "--contract", "urn:li:contract:404")


def test_the_first_notes_sync_reads_the_seat_holders_first(big):
    contract = contract_for(big)
    jobs.sync_contract(contract.pk)
    contract.refresh_from_db()
    assert contract.seats_synced_at is not None
    log = [e.path for e in big.request_log if e.path.startswith("/v2/")]
    assert log.index("/v2/seatsV2") < log.index("/v2/prospectNotes")
    # Not before later syncs: the daily job keeps them fresh.
    big.clear_log()
    jobs.sync_contract(contract.pk)
    assert all(e.path != "/v2/seatsV2" for e in big.request_log)


def test_the_daily_fan_out_enqueues_each_active_contract_once(
    big, django_capture_on_commit_callbacks
):
    contract = contract_for(big)
    Contract.objects.create(urn="urn:li:contract:2", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.refresh_active_contracts_seats() == 1
    assert jobs.refresh_active_contracts_seats() == 0  # already waiting
    job = django_rq.get_queue("default").fetch_job(recruiter_queue.seats_job_id(contract.pk))
    assert job.func is jobs.refresh_seats and job.args == (contract.pk,)
    assert jobs.refresh_seats(contract.pk).startswith("25 seats listed")


def test_the_admin_refresh_seats_action_enqueues_the_job(
    client, staff, big, django_capture_on_commit_callbacks
):
    contract = contract_for(big)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:recruiter_contract_changelist"),
            {"action": "refresh_seats", ACTION_CHECKBOX_NAME: [contract.pk]},
            follow=True,
        )
    assert "will be read from LinkedIn" in response.content.decode()
    assert (
        django_rq.get_queue("default").fetch_job(recruiter_queue.seats_job_id(contract.pk))
        is not None
    )
