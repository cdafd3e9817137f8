"""The recruiter admin: every model browsable, LinkedIn's fields read-only, the client secret
never shown, and the "Sync now" and "Re-scan from date" actions."""

from __future__ import annotations

from datetime import UTC, datetime

import django_rq
import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from recruiter import queue as recruiter_queue
from recruiter.models import Contract, Prospect, ProspectNote, PushEvent, Seat, SyncRun
from tests.helpers import make_contract, make_note, make_seat

MODELS = [Contract, Seat, Prospect, ProspectNote, SyncRun, PushEvent]
STORED_SECRET = "s3cr3t-stored-value"


@pytest.fixture
def data(bob):
    contract = bob.seat.contract
    contract.client_secret = STORED_SECRET
    contract.last_error = "LinkedIn answered 401"
    contract.save()
    make_seat(contract, name="Unmapped seat")
    note = make_note(bob.seat, text="a note <b>bold</b>")
    SyncRun.objects.create(contract=contract, status="failed", error="boom", progress=40)
    event = PushEvent.objects.create(
        event_type="DELETE_PROSPECT_NOTE", raw_body="{}", body_sha256="b" * 64, contract=contract
    )
    return {"contract": contract, "note": note, "event": event}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:recruiter_{model._meta.model_name}_{view}", args=args)


def test_every_recruiter_model_is_registered():
    for model in MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_lists_and_searches_load(client, staff, data, model):
    client.force_login(staff)
    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert client.get(url(model, "changelist"), {"q": "x"}).status_code == 200


def test_change_pages_load(client, staff, data):
    client.force_login(staff)
    objects = [
        data["contract"],
        data["note"].owner,
        data["note"].prospect,
        data["note"],
        SyncRun.objects.get(),
        data["event"],
    ]
    for obj in objects:
        assert client.get(url(type(obj), "change", obj.pk)).status_code == 200, obj


def test_contract_list_shows_last_run_status_and_last_error(client, staff, data):
    client.force_login(staff)
    content = client.get(url(Contract, "changelist")).content.decode()
    assert "failed" in content
    assert "LinkedIn answered 401" in content
    assert "never synced" in content


def test_the_stored_client_secret_is_never_shown(client, staff, data):
    client.force_login(staff)
    content = client.get(url(Contract, "change", data["contract"].pk)).content.decode()
    assert STORED_SECRET not in content
    assert 'type="password" name="client_secret"' in content
    assert "A secret is stored." in content


def contract_form(contract: Contract, **changes) -> dict:
    fields = {
        "urn": contract.urn,
        "name": contract.name,
        "active": "on",
        "client_id": "client-id",
        "client_secret": "",
        "window_hours": 12,
        "overlap_minutes": 15,
        "rescan_days": 30,
    }
    return {**fields, **changes}


def test_a_blank_secret_keeps_the_stored_one_and_a_new_one_replaces_it(client, staff, data):
    contract = data["contract"]
    client.force_login(staff)
    response = client.post(url(Contract, "change", contract.pk), contract_form(contract))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.client_secret == STORED_SECRET
    assert contract.client_id == "client-id"
    client.post(url(Contract, "change", contract.pk), contract_form(contract, client_secret="new"))
    contract.refresh_from_db()
    assert contract.client_secret == "new"
    form = contract_form(contract, clear_client_secret="on")
    client.post(url(Contract, "change", contract.pk), form)
    contract.refresh_from_db()
    assert contract.client_secret == ""


def test_notes_and_push_events_cannot_be_edited_or_added(client, staff, data):
    note = data["note"]
    client.force_login(staff)
    response = client.post(url(ProspectNote, "change", note.pk), {"text": "rewritten"})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.text == "a note <b>bold</b>"
    page = client.get(url(ProspectNote, "change", note.pk)).content.decode()
    assert 'name="text"' not in page
    assert "a note &lt;b&gt;bold&lt;/b&gt;" in page
    assert client.get(url(ProspectNote, "add")).status_code == 403
    assert client.get(url(PushEvent, "add")).status_code == 403
    assert (
        'name="event_type"'
        not in client.get(url(PushEvent, "change", data["event"].pk)).content.decode()
    )


def test_seats_list_their_users_inline(client, staff, bob, data):
    client.force_login(staff)
    content = client.get(url(Seat, "change", bob.seat.pk)).content.decode()
    assert "seatuser_set-0-id" in content  # bob's mapping, as a row of the inline
    listing = client.get(url(Seat, "changelist")).content.decode()
    assert "unmapped" in listing


def test_sync_now_action_enqueues_a_sync(client, staff, data, django_capture_on_commit_callbacks):
    contract = data["contract"]
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(Contract, "changelist"),
            {"action": "sync_now", ACTION_CHECKBOX_NAME: [contract.pk]},
            follow=True,
        )
    assert "Sync queued" in response.content.decode()
    job = django_rq.get_queue("default").fetch_job(recruiter_queue.sync_job_id(contract.pk))
    assert job.args[:2] == (contract.pk, "manual")


def test_rescan_action_asks_for_the_date_then_enqueues(
    client, staff, data, django_capture_on_commit_callbacks
):
    contract = data["contract"]
    client.force_login(staff)
    changelist = url(Contract, "changelist")
    selection = {"action": "rescan_from_date", ACTION_CHECKBOX_NAME: [contract.pk]}
    page = client.post(changelist, selection)
    assert page.status_code == 200
    assert 'type="date"' in page.content.decode() and 'name="apply"' in page.content.decode()
    queue = django_rq.get_queue("default")
    assert queue.count == 0
    # An invalid date shows the form again, queueing nothing.
    again = client.post(changelist, {**selection, "apply": "1", "since": "soon"})
    assert again.status_code == 200 and queue.count == 0
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            changelist, {**selection, "apply": "1", "since": "2026-10-01"}, follow=True
        )
    assert "Re-scan of" in done.content.decode()
    job = queue.fetch_job(recruiter_queue.rescan_job_id(contract.pk))
    # The same job as every sync (with its follow-ups), not the bare sync function.
    assert job.func_name == "recruiter.jobs.sync_contract"
    assert job.args == (contract.pk, "rescan")
    assert job.kwargs["since"] == datetime(2026, 10, 1, tzinfo=UTC)
    # A second request while that one waits adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {**selection, "apply": "1", "since": "2026-10-02"})
    assert queue.count == 1


def test_the_admin_index_links_to_the_job_queues(client, staff):
    client.force_login(staff)
    content = client.get(reverse("admin:index")).content.decode()
    assert 'href="/admin/rq/"' in content


def test_recruiting_admins_who_are_not_staff_stay_out_of_the_admin(client, alice, bob):
    for user in (alice, bob):
        client.force_login(user)
        response = client.get(url(Contract, "changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_contract_secret_on_a_new_contract(client, staff):
    client.force_login(staff)
    form = contract_form(Contract(urn="urn:li:contract:777", name="New"), client_secret="fresh")
    assert client.post(url(Contract, "add"), form).status_code == 302
    assert Contract.objects.get(urn="urn:li:contract:777").client_secret == "fresh"


def test_contracts_can_be_found_for_seat_autocomplete(client, staff):
    make_contract(name="Acme Corp")
    client.force_login(staff)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "recruiter", "model_name": "seat", "field_name": "contract", "term": "acme"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Acme Corp"]
