"""Restoring a note deleted by a push event or a sync: the tombstone is lifted, the note is
read again by the next sync of its window, and who restored what and when is recorded."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from linkedin import clear_token_cache
from recruiter.models import NoteRestore, ProspectNote
from recruiter.restore import note_restored, restore_note
from recruiter.sync import sync_contract
from tests.conftest import make_user
from tests.helpers import make_contract, make_note

CHANGELIST = reverse("admin:recruiter_prospectnote_changelist")


def deleted_note(by: str = ProspectNote.DeletedBy.PUSH, **overrides) -> ProspectNote:
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    return make_note(active=False, deleted_at=at, deleted_by=by, text="kept text", **overrides)


def test_restore_lifts_the_tombstone_and_records_who_and_when(db, alice):
    note = deleted_note()

    with time_machine.travel(datetime(2026, 12, 2, 14, 0, tzinfo=UTC), tick=False):
        restore = restore_note(note, alice)

    assert (note.active, note.deleted_at, note.deleted_by) == (True, None, "")
    assert note.text == "kept text"
    assert note.last_modified is None  # so the next sync of its window rewrites it
    assert restore.note == note and restore.restored_by == alice
    assert restore.restored_at == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert restore.deleted_by == "push"
    assert restore.deleted_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_restoring_a_note_that_is_not_deleted_changes_nothing(db, alice):
    note = make_note()

    assert restore_note(note, alice) is None

    assert not NoteRestore.objects.exists()
    note.refresh_from_db()
    assert note.last_modified is not None


def test_a_bare_tombstone_stays_hidden_until_its_first_sync(db, alice):
    """A forged delete for a note not synced yet left a row with nothing to show."""
    contract = make_contract()
    tombstone = ProspectNote.objects.create(
        contract=contract,
        linkedin_id=77,
        active=False,
        deleted_at=timezone.now(),
        deleted_by=ProspectNote.DeletedBy.PUSH,
    )

    assert restore_note(tombstone, alice) is not None

    assert tombstone.deleted_at is None
    assert tombstone.active is False  # nothing to show until LinkedIn's version arrives


def test_restore_is_announced_on_commit(db, alice, django_capture_on_commit_callbacks):
    heard = []

    def listener(restore, **kwargs):
        heard.append(restore)

    note_restored.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            restore = restore_note(deleted_note(), alice)
    finally:
        note_restored.disconnect(listener)

    assert heard == [restore]


# With the sync -------------------------------------------------------------------------------


@pytest.fixture
def fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def push_delete(client, contract, note_id: int, secret: str) -> None:
    body = json.dumps(
        {
            "prospectNoteId": str(note_id),
            "type": "DELETE_PROSPECT_NOTE",
            "integrationContext": contract.urn,
        }
    ).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    url = reverse("contract_webhook", args=[contract.push_token])
    response = client.post(
        url, data=body, content_type="application/json", HTTP_X_LI_SIGNATURE=signature
    )
    assert response.status_code == 200, response.content


def test_a_restored_note_is_read_again_by_the_next_sync(
    db, client, alice, make_sandbox, fresh_tokens
):
    sandbox = make_sandbox(notes=30, days=2)
    urn = sandbox.store.contract_urns()[0]
    contract = make_contract(urn=urn, backfill_start=timezone.now() - timedelta(days=3))
    assert sync_contract(contract.pk).status == "succeeded"
    live = [n for n in sandbox.store.notes(urn, include_inactive=False)]
    mistaken, really_gone = live[0], live[1]

    # A push deleted one by mistake; LinkedIn really deleted the other (the sync saw it).
    push_delete(client, contract, mistaken["id"], sandbox.config.client_secret)
    sandbox.store.delete_note(really_gone["id"])
    sandbox.wait_for_pushes()
    assert sync_contract(contract.pk, full=True).status == "succeeded"
    notes = ProspectNote.objects.filter(contract=contract)
    for linkedin_id in (mistaken["id"], really_gone["id"]):
        note = notes.get(linkedin_id=linkedin_id)
        assert note.deleted_at is not None
        restore_note(note, alice)

    run = sync_contract(contract.pk, full=True)

    assert run.status == "succeeded", run.error
    back = notes.get(linkedin_id=mistaken["id"])
    assert (back.active, back.deleted_at) == (True, None)
    assert back.last_modified is not None and back.text == mistaken["note"]
    # What LinkedIn itself deleted, the re-read deletes again: a restore cannot overrule it.
    gone = notes.get(linkedin_id=really_gone["id"])
    assert (gone.active, gone.deleted_by) == (False, ProspectNote.DeletedBy.SYNC)
    assert NoteRestore.objects.count() == 2


# The admin action ----------------------------------------------------------------------------


def restore_via_admin(client, notes):
    return client.post(
        CHANGELIST,
        {"action": "restore_deleted", "_selected_action": [n.pk for n in notes]},
        follow=True,
    )


def test_a_superuser_restores_from_the_admin(client, staff):
    deleted, live = deleted_note(), make_note()
    client.force_login(staff)

    response = restore_via_admin(client, [deleted, live])

    page = response.content.decode()
    assert f"Restored 1 note(s): {deleted.linkedin_id}" in page
    assert "1 selected note(s) were not deleted" in page
    deleted.refresh_from_db()
    assert deleted.active is True and deleted.deleted_at is None
    assert NoteRestore.objects.get().restored_by == staff


def test_staff_without_the_restore_permission_cannot(client, db):
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_prospectnote"))
    note = deleted_note()
    client.force_login(viewer)

    listing = client.get(CHANGELIST).content.decode()
    restore_via_admin(client, [note])

    assert "restore_deleted" not in listing
    note.refresh_from_db()
    assert note.deleted_at is not None
    assert not NoteRestore.objects.exists()


def test_the_restore_permission_is_enough(client, db):
    restorer = make_user("restorer", is_staff=True)
    restorer.user_permissions.add(
        Permission.objects.get(codename="view_prospectnote"),
        Permission.objects.get(codename="restore_prospectnote"),
    )
    note = deleted_note()
    client.force_login(restorer)

    restore_via_admin(client, [note])

    note.refresh_from_db()
    assert note.deleted_at is None


def test_restores_are_listed_in_the_admin(client, staff):
    restore_note(deleted_note(), staff)
    client.force_login(staff)

    page = client.get(reverse("admin:recruiter_noterestore_changelist")).content.decode()

    assert "sam" in page and "push" in page
