"""Retention: deleted notes' texts, push event bodies, sync runs and ended contracts' notes go
after their time, tombstones stay, a re-sync brings nothing back; the Sync page warns and the
admin shows the policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, Entry
from linkedin.oauth import clear_token_cache
from recruiter.models import Contract, ProspectNote, PushEvent, SyncRun
from recruiter.retention import apply_retention
from recruiter.sync import sync_contract
from tests.helpers import make_contract, make_note, make_seat

TEXT = "Retention test note rt-77, private"


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def later(days: float):
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=True)


@pytest.fixture
def deleted_on_linkedin(db, make_sandbox):
    """A synced note LinkedIn then deleted, synced again: a tombstone that still has its text."""
    sandbox = make_sandbox(notes=60, days=3)
    contract = Contract.objects.create(
        urn=sandbox.store.contract_urns()[0],
        backfill_start=timezone.now() - timedelta(days=4),
    )
    added = sandbox.store.add_note(contract.urn, text=TEXT)
    sync_contract(contract.pk)
    sandbox.store.delete_note(added["id"])
    sync_contract(contract.pk)
    note = ProspectNote.objects.get(contract=contract, linkedin_id=added["id"])
    assert (note.active, note.text) == (False, TEXT) and note.deleted_at is not None
    return sandbox, contract, note


def test_day_29_keeps_the_text_day_31_keeps_only_the_tombstone(deleted_on_linkedin):
    sandbox, contract, note = deleted_on_linkedin
    with later(29):
        apply_retention()
        note.refresh_from_db()
        assert note.text == TEXT and note.prospect_id is not None and note.purged_at is None
    with later(31):
        counts = apply_retention()
        note.refresh_from_db()
        assert counts["deleted note texts purged"] >= 1
        assert (note.text, note.prospect_id, note.active) == ("", None, False)
        assert note.deleted_at is not None and note.purged_at is not None
        # LinkedIn edits the deleted note and still serves it: a full re-sync does not bring
        # its text or member back.
        sandbox.store.edit_note(note.linkedin_id, "edited after purge rt-88")
        clear_token_cache()
        assert sync_contract(contract.pk, full=True).status == "succeeded"
        note.refresh_from_db()
        assert (note.text, note.prospect_id, note.active) == ("", None, False)
        assert not ProspectNote.objects.filter(text__contains="rt-").exists()


def test_live_notes_are_never_purged_by_age(db):
    note = make_note()
    with later(400):
        apply_retention()
    note.refresh_from_db()
    assert note.text and note.purged_at is None


def test_push_event_bodies_go_after_their_days(db):
    event = PushEvent.objects.create(
        event_type="DELETE_PROSPECT_NOTE", raw_body='{"prospectNoteId": "5"}', body_sha256="b" * 64
    )
    with later(29):
        apply_retention()
    event.refresh_from_db()
    assert event.raw_body
    with later(31):
        assert apply_retention()["push event bodies dropped"] == 1
    event.refresh_from_db()
    assert event.raw_body == "" and event.event_type == "DELETE_PROSPECT_NOTE"


def test_old_sync_runs_go_but_each_contracts_latest_stays(db):
    contract, quiet = make_contract(), make_contract()
    start = timezone.now()
    old = SyncRun.objects.create(contract=contract, started_at=start, status="succeeded")
    SyncRun.objects.create(contract=contract, started_at=start + timedelta(days=1))
    only = SyncRun.objects.create(contract=quiet, started_at=start, status="failed")
    with later(91):
        recent = SyncRun.objects.create(contract=contract, status="succeeded")
        assert apply_retention()["sync runs deleted"] == 1
    assert not SyncRun.objects.filter(pk=old.pk).exists()
    # The second is still "running" (an interrupted run is healed elsewhere, not deleted here).
    assert SyncRun.objects.filter(contract=contract).count() == 2
    assert set(SyncRun.objects.values_list("pk", flat=True)) >= {only.pk, recent.pk}


def test_a_contract_an_admin_ended_has_its_notes_purged(db):
    seat = make_seat()
    kept_seat = make_seat()
    notes = [make_note(owner=seat) for _ in range(3)]
    other = make_note(owner=kept_seat)
    Contract.objects.filter(pk=seat.contract_id).update(ended_at=timezone.now())
    counts = apply_retention()
    assert counts["ended contracts purged"] == 1 and counts["ended contracts' notes purged"] == 3
    for note in notes:
        note.refresh_from_db()
        assert (note.text, note.prospect_id, note.active) == ("", None, False)
    other.refresh_from_db()
    assert other.text and other.active
    assert not Contract.objects.get(pk=seat.contract_id).active  # no longer synced
    [entry] = Entry.objects.filter(action=Action.CONTRACT_PURGE)
    assert entry.target_id == str(seat.contract_id) and entry.details == {"notes": 3}
    assert apply_retention()["ended contracts purged"] == 0  # idempotent


def test_each_run_is_audited_with_its_counts(db):
    apply_retention()
    [entry] = Entry.objects.filter(action=Action.RETENTION_PURGE)
    assert entry.actor is None
    assert entry.details["deleted note texts purged"] == 0
    assert entry.details["policy"]["deleted_note_days"] == 30


def test_days_come_from_the_settings(db, settings):
    settings.RETENTION_DELETED_NOTE_DAYS = 2
    note = make_note(active=False, deleted_at=timezone.now())
    with later(3):
        apply_retention()
    note.refresh_from_db()
    assert note.text == "" and note.purged_at is not None


def test_sync_page_warns_while_an_ended_contracts_notes_wait(client, alice):
    seat = make_seat()
    Contract.objects.filter(pk=seat.contract_id).update(ended_at=timezone.now())
    client.force_login(alice)
    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-field="contract-end"' in page and "ended by an admin" in page
    Contract.objects.filter(pk=seat.contract_id).update(ended_at=None)
    page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert 'data-field="contract-end"' not in page


def test_admin_retention_page_shows_the_policy_and_runs(client, staff):
    make_note(active=False, deleted_at=timezone.now())
    apply_retention()
    client.force_login(staff)
    page = client.get(reverse("retention_status"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "RETENTION_DELETED_NOTE_DAYS" in body and "30 days after deletion" in body
    assert "Deleted notes keeping their text for a restore: 1" in body
    assert "deleted note texts purged: 0" in body
    assert b"Retention" in client.get(reverse("admin:index")).content


def test_admin_retention_page_is_for_staff(client, alice):
    client.force_login(alice)
    assert client.get(reverse("retention_status")).status_code == 302


def test_the_daily_job_runs_once_per_day_however_many_schedulers_fire(db):
    from recruiter.retention import retention_job

    assert retention_job() is not None
    assert retention_job() is None
    assert Entry.objects.filter(action=Action.RETENTION_PURGE).count() == 1


@pytest.mark.parametrize("value", ["0", "-1", "4000"])
def test_a_retention_setting_out_of_range_stops_the_site(value):
    import os
    import subprocess
    import sys

    env = {**os.environ, "RETENTION_PUSH_BODY_DAYS": value, "DJANGO_SETTINGS_MODULE": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import tests.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "RETENTION_PUSH_BODY_DAYS must be a number of days from 1 to 3650" in result.stderr


def test_a_prospect_left_without_notes_keeps_only_its_urn(db):
    from tests.helpers import make_prospect

    gone = make_prospect(name="Only Deleted", url="https://ats.example.com/c/1")
    kept = make_prospect(name="Still Here")
    make_note(prospect=gone, active=False, deleted_at=timezone.now())
    make_note(prospect=kept)
    with later(29):
        apply_retention()
    gone.refresh_from_db()
    assert gone.name == "Only Deleted"
    with later(31):
        assert apply_retention()["names of prospects with no note left dropped"] == 1
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.name, gone.url, kept.name) == ("", "", "Still Here")


def disabled(contract_id: int, at=None, status: str = "DISABLED") -> None:
    Contract.objects.filter(pk=contract_id).update(
        integration_status=status, integration_status_at=at or timezone.now()
    )


def test_a_contract_linkedin_disabled_keeps_its_notes_for_the_grace_period(client, alice):
    note = make_note()
    disabled(note.contract_id)
    with later(29):
        client.force_login(alice)  # a session would have expired by then
        apply_retention()
        note.refresh_from_db()
        assert note.text and note.active
        page = client.get(reverse("recruiter:sync_status")).content.decode()
        assert "LinkedIn disabled this integration: its notes will be purged on" in page
    with later(31):
        client.force_login(alice)
        counts = apply_retention()
        page = client.get(reverse("recruiter:sync_status")).content.decode()
    assert counts["ended contracts' notes purged"] == 1
    note.refresh_from_db()
    assert (note.text, note.prospect_id, note.active) == ("", None, False)
    assert "grace period is over" in page


def test_enabled_again_within_the_grace_period_nothing_is_purged(db):
    note = make_note()
    disabled(note.contract_id)
    with later(10):
        disabled(note.contract_id, status="ENABLED")
    with later(31):
        assert apply_retention()["ended contracts purged"] == 0
    note.refresh_from_db()
    assert note.text and note.active
