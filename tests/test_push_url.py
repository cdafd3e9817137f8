"""The security audit's critical finding and its fix: a push URL per contract, UUID-only
challenges, the URL (never the body) choosing the secret.

The attack: GET /webhooks/linkedin/?challengeCode=<a DELETE_PROSPECT_NOTE body> answered
HMAC(site secret, body), which was accepted as that body's X-LI-Signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from linkedin.signatures import challenge_response
from recruiter.models import Contract, ProspectNote, PushEvent
from tests.helpers import make_contract, make_note, make_seat

SITE_SECRET = "test-site-secret"
SHARED_URL = "/webhooks/linkedin/"
CODE = "f9d8a7c6-1b2e-4f3a-9c8d-7e6f5a4b3c2d"
PUSH_MIGRATION = "0013_contract_push_url"


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delete_body(contract: Contract, note_id: int) -> bytes:
    return json.dumps(
        {
            "prospectNoteId": str(note_id),
            "type": "DELETE_PROSPECT_NOTE",
            "integrationContext": contract.urn,
        }
    ).encode()


def url_of(contract: Contract) -> str:
    return reverse("contract_webhook", args=[contract.push_token])


def post(client, url: str, body: bytes, signature: str | None):
    extra = {} if signature is None else {"HTTP_X_LI_SIGNATURE": signature}
    return client.post(url, data=body, content_type="application/json", **extra)


def state() -> list[tuple]:
    notes = ProspectNote.objects.order_by("pk").values_list(
        "pk", "contract_id", "linkedin_id", "active", "deleted_at", "deleted_by", "text"
    )
    events = PushEvent.objects.order_by("pk").values_list("pk", "deliveries", "contract_id")
    contracts = Contract.objects.order_by("pk").values_list(
        "pk", "integration_status", "push_last_event_at"
    )
    return [*notes, *events, *contracts]


@pytest.fixture(autouse=True)
def site_credentials(settings):
    settings.LINKEDIN_CLIENT_ID = "site-app"
    settings.LINKEDIN_CLIENT_SECRET = SITE_SECRET


@pytest.fixture
def child(db) -> Contract:
    """A contract on its own child application, with one synced note."""
    contract = make_contract(client_id="child-app", client_secret="child-secret")
    make_note(owner=make_seat(contract=contract), linkedin_id=1001, text="child's note")
    return contract


@pytest.fixture
def other(db) -> Contract:
    contract = make_contract(client_id="other-app", client_secret="other-secret")
    make_note(owner=make_seat(contract=contract), linkedin_id=2002, text="other's note")
    return contract


@pytest.fixture
def site_contract(db) -> Contract:
    """A contract on the site's own credentials, with one synced note."""
    contract = make_contract()
    make_note(owner=make_seat(contract=contract), linkedin_id=3003, text="site's note")
    return contract


# The attack ----------------------------------------------------------------------------------


def test_the_audits_attack_no_longer_deletes(client, site_contract):
    """The audit's steps, with and without the hmacsha256= prefix: the challenge refuses the
    body, so there is no answer to post back, and nothing is deleted."""
    body = delete_body(site_contract, 3003)
    before = state()

    challenge = client.get(SHARED_URL, {"challengeCode": body.decode()})
    assert challenge.status_code == 400
    answer = challenge.json().get("challengeResponse", "")
    assert answer == ""
    for signature in (answer, "hmacsha256=" + answer):
        assert post(client, SHARED_URL, body, signature).status_code == 401
    assert state() == before


@pytest.mark.parametrize(
    "code",
    [
        "abc",
        '{"prospectNoteId":"3003","type":"DELETE_PROSPECT_NOTE"}',
        "hmacsha256={}",
        CODE + " ",
        " " + CODE,
        CODE + "\n",
        CODE.replace("-", ""),
        "{" + CODE + "}",
        "urn:uuid:" + CODE,
        CODE[:-1] + "g",
        CODE + "0",
        "é" * 36,
        "x" * 10_000,
    ],
    ids=lambda code: repr(code[:20]),
)
@pytest.mark.parametrize("where", ["shared", "contract"])
def test_a_challenge_code_that_is_not_a_uuid_is_a_400(client, child, monkeypatch, where, code):
    computed = []
    monkeypatch.setattr(
        "recruiter.webhooks.challenge_response", lambda *args: computed.append(args) or "x"
    )
    url = SHARED_URL if where == "shared" else url_of(child)

    response = client.get(url, {"challengeCode": code})

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "challengeCode must be a UUID"}
    assert computed == []  # no HMAC of it was ever computed


def test_challenge_response_refuses_anything_but_a_uuid():
    """The lowest layer keeps the promise too, whoever calls it."""
    with pytest.raises(ValueError):
        challenge_response("secret", '{"type":"DELETE_PROSPECT_NOTE"}')
    assert challenge_response("secret", CODE) == sign(CODE.encode(), "secret")


@pytest.mark.parametrize("where", ["shared", "contract"])
def test_a_body_signed_with_any_challenge_answer_is_refused(client, site_contract, where):
    """Collect real challenge answers, then use each as the signature of a delete (every form
    the endpoint accepts) and of the code itself as a body: refused, nothing changes."""
    url = SHARED_URL if where == "shared" else url_of(site_contract)
    body = delete_body(site_contract, 3003)
    before = state()

    for _ in range(20):
        code = str(uuid.uuid4())
        answer = client.get(url, {"challengeCode": code}).json()["challengeResponse"]
        for signature in (answer, answer.upper(), "hmacsha256=" + answer):
            assert post(client, url, body, signature).status_code == 401
            # The code as a body is signed by its answer, but it is not a JSON object.
            assert post(client, url, code.encode(), signature).status_code == 400
            quoted = json.dumps(code).encode()
            assert post(client, url, quoted, signature).status_code in {400, 401}

    assert state() == before


def test_challenge_uppercase_uuid_is_answered(client, db):
    response = client.get(SHARED_URL, {"challengeCode": CODE.upper()})

    assert response.status_code == 200
    assert response.json()["challengeResponse"] == sign(CODE.upper().encode(), SITE_SECRET)


# A push URL per contract ---------------------------------------------------------------------


def test_every_contract_gets_its_own_unguessable_token(db):
    first, second = make_contract(), make_contract()

    assert first.push_token != second.push_token
    assert len(first.push_token) >= 43  # 256 random bits, URL-safe base64
    assert url_of(first) == f"/webhooks/linkedin/{first.push_token}/"


def test_the_migration_gives_existing_contracts_distinct_tokens(transactional_db):
    executor = MigrationExecutor(connection)
    (before,) = [
        dep
        for dep in executor.loader.get_migration_by_prefix("recruiter", PUSH_MIGRATION).dependencies
        if dep[0] == "recruiter"
    ]
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    OldContract = old.get_model("recruiter", "Contract")
    OldContract.objects.create(urn="urn:li:contract:1", name="one")
    OldContract.objects.create(urn="urn:li:contract:2", name="two")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    tokens = list(Contract.objects.values_list("push_token", flat=True))
    assert len(tokens) == 2 and len(set(tokens)) == 2
    assert all(len(token) >= 43 for token in tokens)


def test_contract_url_verifies_with_that_contracts_secret_only(client, child, other):
    body = delete_body(child, 1001)
    before = state()

    for secret in ("other-secret", SITE_SECRET, "", "child-secret "):
        assert post(client, url_of(child), body, sign(body, secret)).status_code == 401
    assert post(client, url_of(child), body, None).status_code == 401
    assert state() == before

    accepted = post(client, url_of(child), body, sign(body, "child-secret"))

    assert accepted.status_code == 200
    assert accepted.json()["outcome"] == "deleted note 1001"
    assert not ProspectNote.objects.get(contract=child, linkedin_id=1001).active
    assert ProspectNote.objects.get(contract=other, linkedin_id=2002).active
    assert PushEvent.objects.get().contract == child


def test_contract_on_the_site_credentials_verifies_with_the_site_secret(client, site_contract):
    body = delete_body(site_contract, 3003)

    assert post(client, url_of(site_contract), body, sign(body, "child-secret")).status_code == 401
    response = post(client, url_of(site_contract), body, sign(body, SITE_SECRET))

    assert response.status_code == 200
    assert not ProspectNote.objects.get(linkedin_id=3003).active


def test_a_body_naming_another_contract_is_a_400_and_changes_nothing(client, child, other):
    """Signed with the URL's own secret, but integrationContext names another contract."""
    for named in (other.urn, "urn:li:contract:unknown", 123, None, ""):
        body = json.dumps(
            {"prospectNoteId": "2002", "type": "DELETE_PROSPECT_NOTE", "integrationContext": named}
        ).encode()
        before = state()

        response = post(client, url_of(child), body, sign(body, "child-secret"))

        assert response.status_code == 400, named
        assert state() == before
    assert ProspectNote.objects.get(contract=other, linkedin_id=2002).active


def test_an_unknown_type_at_a_contract_url_is_stored_for_that_contract(client, child):
    body = json.dumps({"type": "SOMETHING_NEW", "integrationContext": child.urn}).encode()

    response = post(client, url_of(child), body, sign(body, "child-secret"))

    assert response.status_code == 200
    event = PushEvent.objects.get()
    assert (event.contract, event.outcome) == (child, "ignored: unknown type SOMETHING_NEW")


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 43, "../../admin", "A" * 200, "%00" * 20],
    ids=["short", "unknown", "dots", "long", "nul"],
)
def test_an_unknown_push_token_is_a_404_and_changes_nothing(client, child, token):
    body = delete_body(child, 1001)
    before = state()

    response = client.post(
        f"/webhooks/linkedin/{token}/",
        data=body,
        content_type="application/json",
        HTTP_X_LI_SIGNATURE=sign(body, "child-secret"),
    )

    # (a NUL in the path is refused before any view: 400)
    assert response.status_code == (400 if "%00" in token else 404)
    challenge = client.get(f"/webhooks/linkedin/{token}/", {"challengeCode": CODE})
    assert challenge.status_code == (400 if "%00" in token else 404)
    assert state() == before


def test_contract_url_challenge_is_answered_with_the_contracts_secret(client, child):
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=UTC), tick=False):
        response = client.get(url_of(child), {"challengeCode": CODE})

    assert response.status_code == 200
    assert response.json() == {
        "challengeCode": CODE,
        "challengeResponse": sign(CODE.encode(), "child-secret"),
    }
    child.refresh_from_db()
    assert child.push_last_validated_at == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_challenge_application_id_must_be_the_contracts(client, child):
    matching = client.get(url_of(child), {"challengeCode": CODE, "applicationId": "child-app"})
    assert matching.json()["challengeResponse"] == sign(CODE.encode(), "child-secret")

    wrong = client.get(url_of(child), {"challengeCode": CODE, "applicationId": "site-app"})

    assert wrong.status_code == 400
    assert "challengeResponse" not in wrong.json()
    shared = client.get(SHARED_URL, {"challengeCode": CODE, "applicationId": "child-app"})
    assert shared.status_code == 400


def test_challenge_without_a_secret_for_the_contract_is_not_answered(client, db):
    contract = make_contract(client_id="child-app", client_secret="")

    response = client.get(url_of(contract), {"challengeCode": CODE})

    assert response.status_code == 503
    assert "challengeResponse" not in response.json()


def test_signed_deliveries_stamp_the_last_event_time(client, child):
    body = delete_body(child, 1001)

    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=UTC), tick=False):
        post(client, url_of(child), body, sign(body, "child-secret"))
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=UTC), tick=False):
        post(client, url_of(child), body, "0" * 64)  # unsigned: no stamp

    child.refresh_from_db()
    assert child.push_last_event_at == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)

    with time_machine.travel(datetime(2026, 12, 2, 13, 0, tzinfo=UTC), tick=False):
        repeat = post(client, url_of(child), body, sign(body, "child-secret"))  # a retry

    assert repeat.json()["duplicate"] is True
    child.refresh_from_db()
    assert child.push_last_event_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


# INTEGRATION_STATUS_CHANGE -------------------------------------------------------------------


def status_body(contract: Contract, status: object) -> bytes:
    return json.dumps(
        {"type": "INTEGRATION_STATUS_CHANGE", "integrationContext": contract.urn, "status": status}
    ).encode()


def test_integration_status_change_is_recorded_on_the_contract(client, child):
    body = status_body(child, "DISABLED")

    with time_machine.travel(datetime(2026, 12, 2, 9, 30, tzinfo=UTC), tick=False):
        response = post(client, url_of(child), body, sign(body, "child-secret"))

    assert response.status_code == 200
    assert response.json()["outcome"] == "integration status DISABLED"
    child.refresh_from_db()
    assert child.integration_status == "DISABLED"
    assert child.integration_status_at == datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    assert PushEvent.objects.get().event_type == "INTEGRATION_STATUS_CHANGE"


def test_integration_status_without_a_status_field_still_shows_the_change(client, child):
    body = status_body(child, 42)

    post(client, url_of(child), body, sign(body, "child-secret"))

    child.refresh_from_db()
    assert child.integration_status == "unknown"
    assert child.integration_status_at is not None


def test_unsigned_integration_status_change_changes_nothing(client, child):
    body = status_body(child, "DISABLED")
    before = state()

    assert post(client, url_of(child), body, sign(body, SITE_SECRET)).status_code == 401
    assert state() == before


def test_shared_url_records_integration_status_for_a_site_contract(client, site_contract):
    body = status_body(site_contract, "ENABLED")

    assert post(client, SHARED_URL, body, sign(body, SITE_SECRET)).status_code == 200

    site_contract.refresh_from_db()
    assert site_contract.integration_status == "ENABLED"


# The sandbox as LinkedIn ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sandbox_signs_and_sends_to_each_contracts_url(live_server, make_sandbox, settings):
    sandbox = make_sandbox(contracts=2, notes=20)
    first_urn, second_urn = sandbox.store.contract_urns()
    first = make_contract(urn=first_urn, client_id="app-1", client_secret="secret-1")
    second = make_contract(urn=second_urn, client_id="app-2", client_secret="secret-2")
    sandbox.pusher.register(first_urn, live_server.url + url_of(first), "secret-1", "app-1")
    sandbox.pusher.register(second_urn, live_server.url + url_of(second), "secret-2", "app-2")
    first_note = sandbox.store.notes(first_urn)[0]["id"]

    assert sandbox.validate_push_url(first_urn) and sandbox.validate_push_url(second_urn)
    # One at a time: with SQLite the live server's threads share one connection.
    sandbox.store.delete_note(first_note)
    sandbox.wait_for_pushes()
    sandbox.pusher.integration_status_changed(second_urn, "DISABLED")
    deliveries = sandbox.wait_for_pushes()

    assert sorted(d.status for d in deliveries) == [200, 200]
    assert {d.url for d in deliveries} == {
        live_server.url + url_of(first),
        live_server.url + url_of(second),
    }
    assert ProspectNote.objects.get(linkedin_id=first_note).contract == first
    second.refresh_from_db()
    assert second.integration_status == "DISABLED"
    # A secret the sandbox gets wrong is refused, as LinkedIn's would be.
    sandbox.pusher.register(second_urn, live_server.url + url_of(second), "secret-1")
    assert not sandbox.validate_push_url(second_urn)


# Shown where admins register it --------------------------------------------------------------


def test_sync_page_shows_each_contracts_push_url_and_integration_state(client, alice, child):
    Contract.objects.filter(pk=child.pk).update(
        integration_status="DISABLED",
        integration_status_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        push_last_validated_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    )
    client.force_login(alice)

    page = client.get(reverse("recruiter:sync_status")).content.decode()

    url = f"http://testserver/webhooks/linkedin/{child.push_token}/"
    assert f'<code id="push-url-{child.pk}">{url}</code>' in page
    assert f'data-copy="#push-url-{child.pk}"' in page
    assert "DISABLED" in page and "2026-12-01 08:00" in page
    assert "2026-12-01 09:00" in page
    assert "<script>" not in page  # the copy button is static/js/site.js (CSP)


def test_contract_admin_page_shows_the_push_url_with_a_copy_button(client, staff, child):
    client.force_login(staff)

    response = client.get(reverse("admin:recruiter_contract_change", args=[child.pk]))

    page = response.content.decode()
    url = f"http://testserver/webhooks/linkedin/{child.push_token}/"
    assert f'<code id="push-url">{url}</code>' in page
    assert 'data-copy="#push-url"' in page
    assert "/static/js/site.js" in page
    assert "Integration status" in page


def test_the_push_token_cannot_be_edited_in_the_admin(client, staff, child):
    client.force_login(staff)
    token = child.push_token
    url = reverse("admin:recruiter_contract_change", args=[child.pk])
    form = {
        "urn": child.urn,
        "name": "renamed",
        "active": "on",
        "client_id": child.client_id,
        "window_hours": 12,
        "overlap_minutes": 15,
        "rescan_days": 30,
        "push_token": "chosen-by-the-admin-" + "x" * 30,
    }

    assert client.post(url, form).status_code == 302

    child.refresh_from_db()
    assert child.name == "renamed" and child.push_token == token
