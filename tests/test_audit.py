"""The audit log: append-only entries for sign-ins, role and credential changes, exports; the
read-only admin view; pseudonymisation of an erased user."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

import audit
from audit.actions import pseudonym
from audit.models import Action, AppendOnlyError, Entry
from recruiter.export import audited
from tests.conftest import PASSWORD, make_user
from tests.helpers import make_contract, make_note


def entries(action: str) -> list[Entry]:
    return list(Entry.objects.filter(action=action).order_by("id"))


# The API ----------------------------------------------------------------------------------


def test_record_names_actor_target_and_details(alice):
    contract = make_contract()
    entry = audit.record(Action.CONTRACT_PURGE, actor=alice, target=contract, notes=3)
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_name) == (alice, "alice")
    assert (entry.target_type, entry.target_id) == ("recruiter.contract", str(contract.pk))
    assert entry.details == {"notes": 3}


def test_record_without_request_or_actor_is_the_system(db):
    entry = audit.record(Action.RETENTION_PURGE, texts=0)
    assert entry.actor is None and entry.actor_name == ""


def test_unknown_action_is_refused(db):
    with pytest.raises(ValueError):
        audit.record("sign_inn")
    assert not Entry.objects.exists()


def test_note_text_cannot_go_into_details(db):
    with pytest.raises(ValueError, match="text"):
        audit.record(Action.NOTE_RESTORED, text="Great candidate")
    assert not Entry.objects.exists()


def test_entries_cannot_be_changed_or_deleted(db):
    entry = audit.record(Action.RETENTION_PURGE, texts=1)
    entry.details = {"texts": 0}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(details={})
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.details == {"texts": 1}


# Sign-ins ---------------------------------------------------------------------------------


def test_sign_in_and_sign_out_are_recorded(client, bob):
    client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    client.post(reverse("logout"))
    signed_in, signed_out = entries(Action.SIGN_IN), entries(Action.SIGN_OUT)
    assert [e.actor for e in signed_in] == [bob] and signed_in[0].details["ip"] == "127.0.0.1"
    assert [e.actor for e in signed_out] == [bob]


def test_failed_sign_in_keeps_the_name_typed_never_the_password(client, bob):
    response = client.post(reverse("login"), {"username": "bob", "password": "wrong guess"})
    assert response.status_code == 200
    [failed] = entries(Action.SIGN_IN_FAILED)
    assert failed.actor is None and failed.details["username"] == "bob"
    assert "wrong guess" not in str(Entry.objects.values_list("details", flat=True)[::1])
    assert not entries(Action.SIGN_IN)


# Role changes -----------------------------------------------------------------------------


def test_group_membership_changes_are_recorded_both_ways(staff, charlie):
    group = Group.objects.get(name="Recruiting admins")  # created by a migration
    charlie.groups.add(group)
    group.user_set.remove(charlie)
    charlie.groups.add(group)
    charlie.groups.clear()
    details = [e.details for e in entries(Action.ROLE_CHANGED) if e.target_id == str(charlie.pk)]
    assert details == [
        {"groups_added": ["Recruiting admins"]},
        {"groups_removed": ["Recruiting admins"]},
        {"groups_added": ["Recruiting admins"]},
        {"groups_removed": ["Recruiting admins"]},
    ]


def test_staff_and_superuser_flags_are_recorded_with_old_and_new(charlie):
    charlie.is_staff = True
    charlie.save()
    charlie.is_superuser = True
    charlie.is_staff = False
    charlie.save()
    charlie.first_name = "Charles"
    charlie.save()  # no role change: no entry
    assert [e.details for e in entries(Action.ROLE_CHANGED)] == [
        {"is_staff": [False, True]},
        {"is_staff": [True, False], "is_superuser": [False, True]},
    ]


def test_role_change_in_the_admin_names_the_admin(client, staff, charlie):
    client.force_login(staff)
    url = reverse("admin:auth_user_change", args=[charlie.pk])
    form = {
        "username": "charlie",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-12-01",
        "initial-date_joined_1": "09:00:00",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    [entry] = [e for e in entries(Action.ROLE_CHANGED) if e.target_id == str(charlie.pk)]
    assert (entry.actor, entry.details) == (staff, {"is_staff": [False, True]})


# Contract credentials ---------------------------------------------------------------------


def test_credential_changes_are_recorded_without_the_secret(db):
    contract = make_contract(client_id="child-1")
    contract.client_secret = "s3cr3t-value-one"
    contract.save()
    contract.client_id = "child-2"
    contract.client_secret = "s3cr3t-value-two"
    contract.save()
    contract.client_secret = ""
    contract.save()
    contract.name = "Renamed"
    contract.save()  # not a credential: no entry
    assert [e.details for e in entries(Action.CREDENTIALS_CHANGED)] == [
        {"client_id": ["", "child-1"]},
        {"client_secret_change": "set"},
        {"client_id": ["child-1", "child-2"], "client_secret_change": "replaced"},
        {"client_secret_change": "cleared"},
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_entry")
        dump = repr(cursor.fetchall())
    assert "s3cr3t" not in dump


def test_sync_bookkeeping_saves_cost_no_credential_query(db, django_assert_num_queries):
    contract = make_contract()
    with django_assert_num_queries(1):
        contract.save(update_fields=["watermark"])


# Exports ----------------------------------------------------------------------------------


def test_web_export_records_who_the_filter_and_the_rows(client, alice):
    note = make_note()
    make_note(owner=note.owner)
    client.force_login(alice)
    response = client.get(reverse("recruiter:note_export"), {"seat": note.owner.pk, "bogus": "x"})
    body = b"".join(response.streaming_content).decode()
    assert body.count("\r\n") == 3
    [entry] = entries(Action.EXPORT)
    assert entry.actor == alice
    assert entry.details == {
        "via": "web",
        "filters": {"seat": str(note.owner.pk)},
        "rows": 2,
        "complete": True,
    }
    assert "Note" not in str(entry.details)


def test_broken_off_download_records_the_rows_sent(alice):
    lines = audited(iter(["header\r\n", "1\r\n", "2\r\n"]), actor=alice, via="web", filters={})
    next(lines), next(lines)  # the header and one row, then the client goes away
    lines.close()
    [entry] = entries(Action.EXPORT)
    assert (entry.details["rows"], entry.details["complete"]) == (1, False)


def test_command_export_is_recorded(db):
    note = make_note()
    call_command("export_prospect_notes", "--contract", note.contract.urn, stdout=io.StringIO())
    [entry] = entries(Action.EXPORT)
    assert entry.actor is None
    assert entry.details == {
        "via": "command",
        "filters": {"contract": note.contract.urn, "include_deleted": False},
        "rows": 1,
        "complete": True,
    }


# An erased site user ----------------------------------------------------------------------


def test_deleted_user_keeps_entries_pseudonymised(client, charlie):
    client.post(reverse("login"), {"username": "charlie", "password": "nope"})
    audit.record(Action.EXPORT, actor=charlie, via="web", filters={}, rows=0, complete=True)
    pk = charlie.pk
    charlie.delete()
    label = pseudonym(f"user:{pk}")
    assert Entry.objects.count() == 2
    assert set(Entry.objects.values_list("actor_name", flat=True)) == {"", label}
    assert entries(Action.SIGN_IN_FAILED)[0].details["username"] == label
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_entry")
        assert "charlie" not in repr(cursor.fetchall())


# The admin --------------------------------------------------------------------------------


@pytest.fixture
def some_entries(staff, bob):
    audit.record(Action.SIGN_IN, actor=bob, target=bob, ip="127.0.0.1")
    audit.record(Action.EXPORT, actor=staff, via="web", filters={}, rows=12, complete=True)
    audit.record(Action.RETENTION_PURGE, texts=4)


def shown(client, **filters) -> list[Entry]:
    response = client.get(reverse("admin:audit_entry_changelist"), filters)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_admin_lists_entries_and_filters_by_action_actor_and_date(client, staff, bob, some_entries):
    client.force_login(staff)
    everything = shown(client)
    assert len(everything) == Entry.objects.count() >= 3
    page = client.get(reverse("admin:audit_entry_changelist")).content.decode()
    assert "notes exported" in page and "retention purge" in page
    assert [e.details["rows"] for e in shown(client, action=Action.EXPORT)] == [12]
    assert [e.action for e in shown(client, actor__id__exact=bob.pk)] == [Action.SIGN_IN]
    entry = Entry.objects.first()
    day = {"at__year": entry.at.year, "at__month": entry.at.month, "at__day": entry.at.day}
    assert len(shown(client, **day)) == len(everything)
    assert shown(client, at__year=1999) == []


def test_admin_cannot_add_change_or_delete(client, staff, some_entries):
    client.force_login(staff)
    entry = Entry.objects.first()
    assert client.get(reverse("admin:audit_entry_add")).status_code == 403
    assert client.get(reverse("admin:audit_entry_delete", args=[entry.pk])).status_code == 403
    change = client.get(reverse("admin:audit_entry_change", args=[entry.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    before = list(Entry.objects.values_list("id", "action", "details"))
    client.post(reverse("admin:audit_entry_change", args=[entry.pk]), {"action": "sign_in"})
    client.post(reverse("admin:audit_entry_delete", args=[entry.pk]), {"post": "yes"})
    assert list(Entry.objects.values_list("id", "action", "details")) == before


def test_admin_log_is_for_staff_only(client, alice, some_entries):
    client.force_login(alice)  # a recruiting admin, not staff
    response = client.get(reverse("admin:audit_entry_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_make_user_sign_up_with_superuser_flag_is_a_role_change(db):
    user = make_user("root", is_staff=True, is_superuser=True)
    [entry] = entries(Action.ROLE_CHANGED)
    assert entry.target_id == str(user.pk)
    assert entry.details == {"is_staff": [False, True], "is_superuser": [False, True]}


# Seat mappings (recruiter.seatmap's signal) -----------------------------------------------


def test_seat_mappings_by_hand_and_automatic_are_recorded(
    staff, charlie, django_capture_on_commit_callbacks
):
    from accounts.identity import link_identity
    from recruiter import seatmap
    from tests.helpers import make_seat

    seat = make_seat()
    with django_capture_on_commit_callbacks(execute=True):
        seatmap.map_user(seat, charlie, by=staff)
        seatmap.unmap_user(seat, charlie, by=staff)
    held = make_seat(member="urn:li:person:charlie1", state="ACTIVE")
    with django_capture_on_commit_callbacks(execute=True):
        link_identity(charlie, "urn:li:person:charlie1")
    rows = [
        (e.actor, e.target_id, e.details["change"], e.details["source"], e.details["user"])
        for e in entries(Action.SEAT_MAPPING)
    ]
    assert rows == [
        (staff, str(seat.pk), "mapped", "manual", charlie.pk),
        (staff, str(seat.pk), "unmapped", "manual", charlie.pk),
        (None, str(held.pk), "mapped", "auto", charlie.pk),
    ]


# Restores (recruiter.restore's signal) ----------------------------------------------------


def test_a_restore_is_recorded_with_who_and_what_the_deletion_was(
    alice, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from recruiter.restore import restore_note

    note = make_note(active=False, deleted_at=timezone.now(), deleted_by="push")
    with django_capture_on_commit_callbacks(execute=True):
        restore_note(note, alice)
    [entry] = entries(Action.NOTE_RESTORED)
    assert (entry.actor, entry.target_type, entry.target_id) == (
        alice,
        "recruiter.prospectnote",
        str(note.pk),
    )
    assert entry.details == {
        "linkedin_id": note.linkedin_id,
        "contract": note.contract_id,
        "deleted_by": "push",
    }
