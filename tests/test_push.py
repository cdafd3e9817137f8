"""LinkedIn's push events (/webhooks/linkedin/), after djangoproject.com's Stripe webhook tests:
recorded payloads signed with the test secret, then every way a delivery can be wrong."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from linkedin import clear_token_cache
from recruiter.models import ProspectNote, PushEvent
from recruiter.push import record_push_event
from recruiter.sync import sync_contract
from tests.helpers import make_contract, make_note, make_seat

SECRET = "test-client-secret"
URL = "/webhooks/linkedin/"

# The seed's sample request body exactly as LinkedIn documents it (seed 000, "Delete Prospect
# Notes"), whitespace and the id-as-a-string included.
SEED_BODY = b"""{
   "prospectNoteId":"1323073443",
   "type":"DELETE_PROSPECT_NOTE",
   "integrationContext":"urn:li:contract:123"
}"""
SEED_NOTE_ID = 1323073443
SEED_CONTRACT = "urn:li:contract:123"


def sign(body: bytes, secret: str = SECRET) -> str:
    # Computed here rather than with linkedin.signatures, so a bug there cannot hide here.
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(note_id: object = SEED_NOTE_ID, contract: object = SEED_CONTRACT, **extra) -> bytes:
    data = {"prospectNoteId": note_id, "type": "DELETE_PROSPECT_NOTE"}
    data["integrationContext"] = contract
    return json.dumps({**data, **extra}).encode()


def post(client: Client, body: bytes, signature: str | None = "sign", **extra):
    if signature == "sign":
        signature = sign(body)
    if signature is not None:
        extra["HTTP_X_LI_SIGNATURE"] = signature
    return client.post(URL, data=body, content_type="application/json", **extra)


def state() -> list[tuple]:
    """Everything a push event could change, to compare before and after."""
    notes = ProspectNote.objects.order_by("pk").values_list(
        "pk", "contract_id", "linkedin_id", "active", "deleted_at", "deleted_by", "text"
    )
    events = PushEvent.objects.order_by("pk").values_list("pk", "deliveries")
    return [*notes, *events]


@pytest.fixture(autouse=True)
def site_secret(settings):
    settings.LINKEDIN_CLIENT_SECRET = SECRET


@pytest.fixture
def seed_note(db) -> ProspectNote:
    """The seed's note, already synced into the seed's contract."""
    seat = make_seat(contract=make_contract(urn=SEED_CONTRACT))
    return make_note(owner=seat, linkedin_id=SEED_NOTE_ID, text="Strong Python, call back")


def test_url_is_the_documented_one():
    assert reverse("linkedin_webhook") == URL


# Deleting -----------------------------------------------------------------------------------


def test_seed_event_deletes_the_synced_note(client, seed_note):
    with time_machine.travel(datetime(2026, 11, 23, 8, 15, tzinfo=UTC), tick=False):
        response = post(client, SEED_BODY)

    assert response.status_code == 200
    assert response.json()["outcome"] == f"deleted note {SEED_NOTE_ID}"
    seed_note.refresh_from_db()
    assert seed_note.active is False
    assert seed_note.deleted_at == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
    assert seed_note.deleted_by == ProspectNote.DeletedBy.PUSH
    assert seed_note.text == "Strong Python, call back"  # kept for the admin to see
    event = PushEvent.objects.get()
    assert event.raw_body == SEED_BODY.decode()
    assert event.body_sha256 == hashlib.sha256(SEED_BODY).hexdigest()
    assert event.event_type == "DELETE_PROSPECT_NOTE"
    assert event.signature_valid is True
    assert event.contract == seed_note.contract
    assert event.prospect_note_id == SEED_NOTE_ID
    assert event.deliveries == 1
    assert event.processed_at == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
    assert event.outcome == f"deleted note {SEED_NOTE_ID}"


def test_only_the_named_contracts_note_is_deleted(client, seed_note):
    other = make_note(linkedin_id=SEED_NOTE_ID)  # same LinkedIn id, another contract

    assert post(client, SEED_BODY).status_code == 200

    seed_note.refresh_from_db()
    other.refresh_from_db()
    assert seed_note.active is False
    assert other.active is True and other.deleted_at is None


def test_id_may_come_as_a_json_number(client, seed_note):
    response = post(client, event_body(note_id=SEED_NOTE_ID))

    assert response.status_code == 200
    seed_note.refresh_from_db()
    assert seed_note.deleted_at is not None


def test_unsynced_note_gets_a_tombstone(client, db):
    contract = make_contract(urn=SEED_CONTRACT)

    response = post(client, SEED_BODY)

    assert response.status_code == 200
    assert response.json()["outcome"] == f"tombstone recorded for note {SEED_NOTE_ID}"
    tombstone = ProspectNote.objects.get(contract=contract, linkedin_id=SEED_NOTE_ID)
    assert tombstone.active is False
    assert tombstone.deleted_at is not None
    assert tombstone.deleted_by == ProspectNote.DeletedBy.PUSH
    assert tombstone.last_modified is None
    assert tombstone.owner is None and tombstone.prospect is None


def test_tombstone_holds_the_notes_place_for_the_sync(client, db):
    """The contract with the sync engine, at the model level: a push-deleted note is one row per
    (contract, id) with deleted_at set, so a later sync can only update that row, and the sync
    treats deleted_at as permanent (it never clears it)."""
    contract = make_contract(urn=SEED_CONTRACT)
    post(client, SEED_BODY)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProspectNote.objects.create(contract=contract, linkedin_id=SEED_NOTE_ID, text="again")
    live = ProspectNote.objects.filter(deleted_at__isnull=True)
    assert not live.filter(linkedin_id=SEED_NOTE_ID).exists()


def test_event_for_an_already_deleted_note_changes_nothing(client, seed_note):
    deleted_at = datetime(2026, 11, 1, tzinfo=UTC)
    ProspectNote.objects.filter(pk=seed_note.pk).update(
        active=False, deleted_at=deleted_at, deleted_by=ProspectNote.DeletedBy.SYNC
    )

    response = post(client, SEED_BODY)

    assert response.status_code == 200
    assert response.json()["outcome"] == f"already deleted note {SEED_NOTE_ID}"
    seed_note.refresh_from_db()
    assert seed_note.deleted_at == deleted_at
    assert seed_note.deleted_by == ProspectNote.DeletedBy.SYNC


def test_event_for_an_unknown_contract_is_stored_and_changes_nothing(client, db):
    note = make_note(linkedin_id=SEED_NOTE_ID)  # the id exists, under another contract

    response = post(client, SEED_BODY)

    assert response.status_code == 200
    event = PushEvent.objects.get()
    assert event.outcome == "unknown contract"
    assert event.contract is None
    assert event.processed_at is not None
    note.refresh_from_db()
    assert note.active is True and note.deleted_at is None
    assert ProspectNote.objects.count() == 1


def test_unknown_type_is_stored_and_acknowledged(client, seed_note):
    body = json.dumps({"type": "UPDATE_PROSPECT_NOTE", "prospectNoteId": "1323073443"}).encode()

    response = post(client, body)

    assert response.status_code == 200
    event = PushEvent.objects.get()
    assert event.event_type == "UPDATE_PROSPECT_NOTE"
    assert event.outcome == "ignored: unknown type UPDATE_PROSPECT_NOTE"
    seed_note.refresh_from_db()
    assert seed_note.active is True


def test_repeated_delivery_is_recorded_once_and_applied_once(client, seed_note):
    assert post(client, SEED_BODY).json()["duplicate"] is False
    # Undo the deletion behind the endpoint's back: a second application would redo it.
    ProspectNote.objects.filter(pk=seed_note.pk).update(active=True, deleted_at=None)

    response = post(client, SEED_BODY)

    assert response.status_code == 200
    assert response.json()["duplicate"] is True
    event = PushEvent.objects.get()
    assert event.deliveries == 2
    assert event.outcome == f"deleted note {SEED_NOTE_ID}"
    seed_note.refresh_from_db()
    assert seed_note.active is True and seed_note.deleted_at is None


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the in-memory SQLite test database refuses concurrent writers (table locks) "
    "instead of queueing them; CI runs this on PostgreSQL. The repeat test above covers the "
    "same IntegrityError path on every database.",
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_deliveries_are_applied_once():
    seat = make_seat(contract=make_contract(urn=SEED_CONTRACT))
    make_note(owner=seat, linkedin_id=SEED_NOTE_ID)
    barrier = threading.Barrier(4)
    results = []

    def deliver():
        try:
            barrier.wait()
            results.append(record_push_event(SEED_BODY, sign(SEED_BODY)))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(r.duplicate for r in results) == [False, True, True, True]
    assert all(r.status == 200 for r in results)
    event = PushEvent.objects.get()
    assert event.deliveries == 4
    assert event.outcome == f"deleted note {SEED_NOTE_ID}"


# Signatures ---------------------------------------------------------------------------------


def test_missing_signature_is_refused_and_changes_nothing(client, seed_note):
    before = state()

    response = post(client, SEED_BODY, signature=None)

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error": "missing signature"}
    assert state() == before
    assert not PushEvent.objects.exists()


BAD_SIGNATURES = {
    "empty": "",
    "zeros": "0" * 64,
    "other-secret": sign(SEED_BODY, "another-secret"),
    "short": sign(SEED_BODY)[:-1],
    "long": sign(SEED_BODY) + "0",
    "other-body": sign(SEED_BODY + b" "),
    "prefix-other-secret": "hmacsha256=" + sign(SEED_BODY, "another-secret"),
    "wrong-prefix": "sha256=" + sign(SEED_BODY),
    "non-ascii": "é" * 64,
}


@pytest.mark.parametrize("signature", BAD_SIGNATURES.values(), ids=BAD_SIGNATURES.keys())
def test_bad_signature_is_refused_and_changes_nothing(client, seed_note, signature):
    before = state()

    response = post(client, SEED_BODY, signature=signature)

    assert response.status_code == 401
    assert state() == before


@pytest.mark.parametrize(
    "signature",
    [
        sign(SEED_BODY),
        sign(SEED_BODY).upper(),
        "hmacsha256=" + sign(SEED_BODY),
        sign(b"hmacsha256=" + SEED_BODY),
        "hmacsha256=" + sign(b"hmacsha256=" + SEED_BODY),
    ],
    ids=["bare", "upper-case", "prefixed-header", "prefixed-body", "prefixed-both"],
)
def test_every_documented_signature_form_is_accepted(client, seed_note, signature):
    response = post(client, SEED_BODY, signature=signature)

    assert response.status_code == 200
    seed_note.refresh_from_db()
    assert seed_note.active is False


def test_reserialised_body_does_not_verify(client, seed_note):
    """The digest is over the bytes LinkedIn sent, not over a re-encoding of the JSON."""
    compact = json.dumps(json.loads(SEED_BODY)).encode()

    response = post(client, SEED_BODY, signature=sign(compact))

    assert response.status_code == 401


def test_shared_url_refuses_a_contract_with_its_own_application(client, db):
    """The shared URL is for contracts on the site's credentials: a child application's
    contract has its own push URL (tests/test_push_url.py), whatever secret signs the body."""
    contract = make_contract(urn=SEED_CONTRACT, client_id="child-app", client_secret="child-secret")
    note = make_note(owner=make_seat(contract=contract), linkedin_id=SEED_NOTE_ID)
    before = state()

    assert post(client, SEED_BODY, signature=sign(SEED_BODY, "child-secret")).status_code == 401
    site_signed = post(client, SEED_BODY, signature=sign(SEED_BODY, SECRET))

    assert site_signed.status_code == 400
    assert "its own push URL" in site_signed.json()["error"]
    assert state() == before
    note.refresh_from_db()
    assert note.active is True


def test_no_secret_configured_verifies_nothing(client, seed_note, settings):
    settings.LINKEDIN_CLIENT_SECRET = ""

    response = post(client, SEED_BODY, signature=sign(SEED_BODY, ""))

    assert response.status_code == 401
    seed_note.refresh_from_db()
    assert seed_note.active is True


def test_no_login_and_no_csrf_token_needed(seed_note):
    anonymous = Client(enforce_csrf_checks=True)

    response = post(anonymous, SEED_BODY)

    assert response.status_code == 200
    seed_note.refresh_from_db()
    assert seed_note.active is False


# Malformed bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json", b"\xff\xfe{}", "{}".encode("utf-16"), b"[" * 50_000],
    ids=["empty", "truncated", "text", "binary", "utf-16", "deeply-nested"],
)
def test_invalid_json_is_a_400(client, seed_note, body):
    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["error"] == "body is not a JSON object"
    assert not PushEvent.objects.exists()


@pytest.mark.parametrize("body", [b"[]", b'"DELETE_PROSPECT_NOTE"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object_is_a_400(client, seed_note, body):
    response = post(client, body)

    assert response.status_code == 400
    assert not PushEvent.objects.exists()


def without(key: str) -> bytes:
    return json.dumps({k: v for k, v in json.loads(SEED_BODY).items() if k != key}).encode()


BAD_FIELDS = {
    "empty-object": (b"{}", "no 'type'"),
    "type-missing": (without("type"), "no 'type'"),
    "type-not-a-string": (event_body(type=7), "no 'type'"),
    "id-missing": (without("prospectNoteId"), "prospectNoteId"),
    "id-null": (event_body(note_id=None), "prospectNoteId"),
    "context-missing": (without("integrationContext"), "integrationContext"),
    "context-not-a-contract": (event_body(contract="urn:li:seat:123"), "integrationContext"),
    "context-empty-id": (event_body(contract="urn:li:contract:"), "integrationContext"),
    "context-with-space": (event_body(contract="urn:li:contract:1 2"), "integrationContext"),
    "context-not-a-string": (event_body(contract=123), "integrationContext"),
}


@pytest.mark.parametrize(("body", "message"), BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_missing_or_invalid_fields_are_a_400(client, seed_note, body, message):
    before = state()

    response = post(client, body)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert state() == before


@pytest.mark.parametrize(
    "note_id",
    ["abc", "12a", "-5", -5, "1.5", 1.5, "", " 123", True, [SEED_NOTE_ID], 2**63, str(10**30)],
)
def test_prospect_note_id_must_be_a_long(client, seed_note, note_id):
    before = state()

    response = post(client, event_body(note_id=note_id))

    assert response.status_code == 400
    assert "prospectNoteId" in response.json()["error"]
    assert state() == before


def test_unsigned_malformed_body_changes_nothing(client, seed_note):
    before = state()

    assert post(client, b"{", signature=None).status_code == 400
    assert post(client, b"{}", signature=None).status_code == 401
    assert state() == before


# Size, methods, challenge -------------------------------------------------------------------


def test_oversized_body_is_a_413(client, seed_note, settings):
    body = event_body(padding="x" * settings.PUSH_MAX_BODY_BYTES)

    response = post(client, body)

    assert response.status_code == 413
    assert not PushEvent.objects.exists()
    seed_note.refresh_from_db()
    assert seed_note.active is True


def test_body_at_the_limit_is_accepted(client, seed_note, settings):
    body = event_body(padding="")
    body = event_body(padding="x" * (settings.PUSH_MAX_BODY_BYTES - len(body)))
    assert len(body) == settings.PUSH_MAX_BODY_BYTES

    assert post(client, body).status_code == 200


def test_oversized_body_is_refused_even_when_content_length_lies(seed_note, settings):
    """The view trusts Content-Length only to refuse early; the action counts the bytes."""
    body = event_body(padding="x" * settings.PUSH_MAX_BODY_BYTES)

    result = record_push_event(body, sign(body))

    assert result.status == 413
    assert not PushEvent.objects.exists()


def test_invalid_content_length_is_a_400(client, seed_note):
    response = post(client, SEED_BODY, CONTENT_LENGTH="lots")

    assert response.status_code == 400


def test_challenge_is_answered_with_the_site_secret(client, db):
    code = "f9d8a7c6-1b2e-4f3a-9c8d-7e6f5a4b3c2d"

    response = client.get(URL, {"challengeCode": code})

    assert response.status_code == 200
    assert response.json() == {
        "challengeCode": code,
        "challengeResponse": hmac.new(SECRET.encode(), code.encode(), hashlib.sha256).hexdigest(),
    }


@pytest.mark.parametrize("query", [{}, {"challengeCode": ""}, {"other": "x"}])
def test_challenge_without_a_code_is_a_400(client, db, query):
    response = client.get(URL, query)

    assert response.status_code == 400


def test_challenge_without_a_configured_secret_is_not_answered(client, db, settings):
    settings.LINKEDIN_CLIENT_SECRET = ""

    response = client.get(URL, {"challengeCode": "f9d8a7c6-1b2e-4f3a-9c8d-7e6f5a4b3c2d"})

    assert response.status_code == 503
    assert "challengeResponse" not in response.json()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_a_405(client, seed_note, method):
    response = getattr(client, method)(URL, data=SEED_BODY, HTTP_X_LI_SIGNATURE=sign(SEED_BODY))

    assert response.status_code == 405
    seed_note.refresh_from_db()
    assert seed_note.active is True


def test_internal_failure_is_logged_and_answered_503(client, seed_note, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("recruiter.push._apply", broken)

    response = post(client, SEED_BODY)

    assert response.status_code == 503
    assert "push endpoint failed" in caplog.text
    assert not PushEvent.objects.exists()  # rolled back: LinkedIn's retry will apply it


# Fuzzing ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["DELETE_PROSPECT_NOTE", "OTHER", ""]) | json_values,
        "prospectNoteId": st.sampled_from([SEED_NOTE_ID, str(SEED_NOTE_ID)])
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.from_regex(r"\A[0-9]{1,25}\Z")
        | json_values,
        "integrationContext": st.sampled_from([SEED_CONTRACT, "urn:li:contract:999"]) | st.text(),
        "extra": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    json_values.map(lambda value: json.dumps(value).encode()),
    event_like.map(lambda value: json.dumps(value).encode()),
    event_like.map(lambda value: json.dumps(value, ensure_ascii=False).encode()),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
)
# How to sign each body: not at all, with garbage, or validly in one of LinkedIn's forms.
signers = st.sampled_from(["none", "bare", "prefixed-header", "prefixed-body", "wrong-secret"])
garbage_headers = st.text(max_size=80)


@hypothesis_settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, signer=signers, garbage=st.none() | garbage_headers)
def test_fuzzed_deliveries_never_fail_and_unsigned_ones_change_nothing(
    client, seed_note, body, signer, garbage
):
    header = {
        "none": garbage,
        "bare": sign(body),
        "prefixed-header": "hmacsha256=" + sign(body),
        "prefixed-body": sign(b"hmacsha256=" + body),
        "wrong-secret": sign(body, "wrong-secret"),
    }[signer]
    signed = signer in {"bare", "prefixed-header", "prefixed-body"}
    before = state()

    response = post(client, body, signature=header)

    assert response.status_code in {200, 400, 401}, response.content
    assert response["Content-Type"] == "application/json"
    if not signed:
        assert response.status_code != 200
        assert state() == before
    if response.status_code != 200:
        assert state() == before


# End to end with the sandbox ----------------------------------------------------------------


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_sandbox_push_deletes_the_note(live_server, make_sandbox):
    sandbox = make_sandbox(notes=20, push_url=live_server.url + URL)
    contract_urn = sandbox.store.contract_urns()[0]
    linkedin_note = sandbox.store.notes(contract_urn)[0]
    seat = make_seat(contract=make_contract(urn=contract_urn), urn=linkedin_note["owner"])
    note = make_note(owner=seat, linkedin_id=linkedin_note["id"])

    sandbox.store.delete_note(linkedin_note["id"])

    # Poll the sandbox's delivery log, not the database: with SQLite the live server shares the
    # test's connection, so reading mid-request could see an uncommitted transaction.
    assert wait_for(lambda: len(sandbox.push_log) == 1)
    assert [d.status for d in sandbox.push_log] == [200]
    note.refresh_from_db()
    assert note.active is False
    assert note.deleted_by == ProspectNote.DeletedBy.PUSH
    event = PushEvent.objects.get()
    assert event.signature_valid is True
    assert event.prospect_note_id == linkedin_note["id"]
    assert event.outcome == f"deleted note {linkedin_note['id']}"


@pytest.mark.django_db(transaction=True)
def test_sandbox_push_with_the_contracts_own_secret(live_server, make_sandbox, settings):
    """A contract with its own child application: the sandbox signs with that secret and posts
    to the contract's own push URL, as LinkedIn would."""
    sandbox = make_sandbox(notes=20)
    contract_urn = sandbox.store.contract_urns()[0]
    contract = make_contract(urn=contract_urn, client_id="child-app", client_secret="child-secret")
    push_url = live_server.url + reverse("contract_webhook", args=[contract.push_token])
    sandbox.pusher.register(contract_urn, push_url, "child-secret", "child-app")
    settings.LINKEDIN_CLIENT_SECRET = "the-site-secret-is-not-this-contracts"
    note_id = sandbox.store.notes(contract_urn)[0]["id"]

    assert sandbox.validate_push_url(contract_urn)
    sandbox.store.delete_note(note_id)

    assert wait_for(lambda: len(sandbox.push_log) == 1)
    assert [d.status for d in sandbox.push_log] == [200]
    tombstone = ProspectNote.objects.get(linkedin_id=note_id)
    assert tombstone.deleted_at is not None
    contract.refresh_from_db()
    assert contract.push_last_validated_at is not None
    assert contract.push_last_event_at is not None


@pytest.fixture
def fresh_tokens():
    # Sandboxes reuse ports across tests: a token cached for an old one would be refused.
    clear_token_cache()
    yield
    clear_token_cache()


def test_a_push_deletion_survives_later_syncs(db, client, make_sandbox, fresh_tokens):
    """LinkedIn's API may still list a note as active after the push (or a late page may carry
    an older version): the deletion holds whether the note was synced before or after it."""
    sandbox = make_sandbox(notes=30, days=2)
    urn = sandbox.store.contract_urns()[0]
    contract = make_contract(urn=urn, backfill_start=timezone.now() - timedelta(days=3))
    active_ids = [n["id"] for n in sandbox.store.notes(urn, include_inactive=False)]
    first, second = active_ids[:2]

    def push_delete(note_id: int) -> None:
        # Signed as LinkedIn would, while the sandbox's API keeps the note active.
        body = event_body(note_id=str(note_id), contract=urn)
        response = post(client, body, signature=sign(body, sandbox.config.client_secret))
        assert response.status_code == 200

    push_delete(first)  # not synced yet: a tombstone
    run = sync_contract(contract.pk)
    assert run.status == "succeeded", run.error
    push_delete(second)  # synced: marked deleted
    sync_contract(contract.pk, full=True)

    notes = ProspectNote.objects.filter(contract=contract)
    assert notes.count() == 30
    for note_id in (first, second):
        note = notes.get(linkedin_id=note_id)
        assert (note.active, note.deleted_by) == (False, ProspectNote.DeletedBy.PUSH)
        assert note.deleted_at is not None
    live = notes.filter(active=True, deleted_at__isnull=True)
    assert sorted(live.values_list("linkedin_id", flat=True)) == sorted(active_ids[2:])
    # The tombstone was filled in by the sync (the admin sees what was removed).
    assert notes.get(linkedin_id=first).owner is not None
