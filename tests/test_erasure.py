"""Erasing a member (a prospect) and a site user: what goes, what stays (tombstones), that the
next syncs keep them erased, the command and the admin page."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import audit
from accounts.erasure import erase_member, erase_user, plan_member_erasure
from accounts.identity import link_identity, remember_member_names
from accounts.models import ErasedMember, LinkedInIdentity, MemberName
from audit.actions import pseudonym
from audit.models import Action, Entry
from linkedin import ProspectNote as Note
from linkedin.oauth import clear_token_cache
from recommendations.models import LinkedInAccount, RecommendationRequest
from recruiter.models import Contract, Prospect, ProspectNote, PushEvent, Seat
from recruiter.push import delete_note_from_push
from recruiter.sync import sync_contract
from recruiter.upsert import note_writer
from tests.helpers import make_contract, make_note, make_prospect

NAME = "Zelda Quuxworth"
SECRET_TEXTS = ["Zelda wants remote work, asked about equity zq-11", "Call Zelda back zq-22"]


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def text_columns() -> list[tuple[str, str]]:
    """Every text and JSON column of every table the project's models (and Django's) have."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                found.append((model._meta.db_table, field.column))
    return found


def places_holding(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) wherever a needle appears, compared case-insensitively."""
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = text_columns()
        if connection.vendor == "postgresql":
            columns.append(("recruiter_prospectnote", "search_vector"))
        for table, column in columns:
            for needle in needles:
                # Names from the models' own metadata, quoted; only the needle is a parameter.
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608
                    f"WHERE LOWER(CAST({quote(column)} AS TEXT)) LIKE %s",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append((table, column, needle))
    return hits


def contract_for(sandbox) -> Contract:
    return Contract.objects.create(
        urn=sandbox.store.contract_urns()[0],
        name="Sandbox contract",
        backfill_start=timezone.now() - timedelta(days=sandbox.config.days + 1),
    )


@pytest.fixture
def synced(make_sandbox, alice):
    """A sandbox whose first prospect also got two notes with texts nobody else has, synced;
    the member known by name, in a push event, a recommendation request and an export filter."""
    sandbox = make_sandbox(notes=400, days=5, prospects=30)
    contract = contract_for(sandbox)
    urn = sandbox.store.prospects()[0]
    for text in SECRET_TEXTS:
        sandbox.store.add_note(contract.urn, member=urn, text=text)
    sync_contract(contract.pk)
    prospect = Prospect.objects.get(urn=urn)
    Prospect.objects.filter(pk=prospect.pk).update(name=NAME)
    remember_member_names({urn: NAME}, source="import")
    notes = list(ProspectNote.objects.filter(prospect=prospect))
    delete_note_from_push(contract, notes[0].linkedin_id)
    PushEvent.objects.create(
        event_type="DELETE_PROSPECT_NOTE",
        raw_body=json.dumps({"prospectNoteId": str(notes[0].linkedin_id), "x": urn}),
        body_sha256="a" * 64,
        contract=contract,
        prospect_note_id=notes[0].linkedin_id,
    )
    RecommendationRequest.objects.create(
        urn=f"urn:li:recommendationRequest:({urn},1)",
        linkedin_id=1,
        requester=urn,
        requestee="urn:li:person:someoneelse",
        status="PENDING",
        notification_message=f"Hi {NAME}",
    )
    LogEntry.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Prospect),
        object_id=str(prospect.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message="[]",
    )
    audit.record(Action.EXPORT, actor=alice, via="web", filters={"q": NAME.lower()}, rows=2)
    return sandbox, contract, urn, notes


def test_erasing_leaves_no_trace_in_any_table_and_resync_stores_nothing(synced, alice):
    sandbox, contract, urn, notes = synced
    needles = [urn, NAME, *SECRET_TEXTS]
    assert {hit[2] for hit in places_holding(needles)} == set(needles)  # the scan finds them

    plan = erase_member(urn, actor=alice)

    assert places_holding(needles) == []
    tombstones = ProspectNote.objects.filter(contract=contract, purged_at__isnull=False)
    assert sorted(tombstones.values_list("linkedin_id", flat=True)) == sorted(
        n.linkedin_id for n in notes
    )
    for tombstone in tombstones:
        assert (tombstone.text, tombstone.prospect_id, tombstone.active) == ("", None, False)
        assert tombstone.deleted_at is not None
    assert plan.counts["notes"] == len(notes) >= 3

    # LinkedIn still serves the notes (and one more, and an edit): a full re-sync keeps them out.
    sandbox.store.add_note(contract.urn, member=urn, text="Zelda again zq-33")
    sandbox.store.edit_note(notes[1].linkedin_id, "Zelda edited zq-44")
    run = sync_contract(contract.pk, full=True)
    assert run.status == "succeeded"
    assert places_holding([*needles, "zq-33", "zq-44"]) == []
    assert tombstones.count() == len(notes)
    assert ProspectNote.objects.filter(contract=contract).count() == len(
        [n for n in sandbox.store.notes(contract.urn) if n["member"] != urn]
    ) + len(notes)


def test_other_members_notes_are_untouched(synced):
    sandbox, contract, urn, notes = synced
    others = ProspectNote.objects.exclude(prospect__urn=urn).exclude(prospect=None)
    before = list(others.values_list("linkedin_id", "text", "prospect__urn").order_by("id"))
    erase_member(urn)
    assert list(others.values_list("linkedin_id", "text", "prospect__urn").order_by("id")) == before
    assert len(before) > 100


def test_erasure_is_audited_by_pseudonym(synced, alice):
    sandbox, contract, urn, notes = synced
    erase_member(urn, actor=alice)
    [entry] = Entry.objects.filter(action=Action.MEMBER_ERASED)
    assert entry.actor == alice and entry.details["member"] == pseudonym(urn)
    assert entry.details["counts"]["notes"] == len(notes)
    assert entry.details["counts"]["recommendation requests naming them"] == 1
    # The earlier export's filter named them: rewritten to the same pseudonym.
    [export] = Entry.objects.filter(action=Action.EXPORT)
    assert export.details["filters"]["q"] == pseudonym(urn)


def test_plan_counts_what_will_go_and_changes_nothing(synced):
    sandbox, contract, urn, notes = synced
    plan = plan_member_erasure(urn)
    assert plan.counts["notes"] == len(notes)
    assert plan.counts["contracts with notes"] == 1
    assert plan.counts["push events about the notes"] == 1
    assert plan.counts["prospect"] == 1
    assert plan.counts["names"] == 1
    assert plan.counts["recommendation requests naming them"] == 1
    assert plan.counts["admin history entries"] == 1
    assert not plan.already_erased
    assert ProspectNote.objects.filter(prospect__urn=urn).count() == len(notes)
    assert not ErasedMember.objects.exists()


def test_notes_on_every_contract_go(db):
    prospect = make_prospect(name="Ann Other")
    first, second = make_note(prospect=prospect), make_note(prospect=prospect)
    assert first.contract != second.contract
    erase_member(prospect.urn)
    assert set(ProspectNote.objects.values_list("contract_id", "text", "prospect_id")) == {
        (first.contract_id, "", None),
        (second.contract_id, "", None),
    }


def test_a_bad_urn_is_refused_and_changes_nothing(db):
    note = make_note()
    for bad in ["", "bob", "urn:li:person:", "urn:li:person:a b", "urn:li:seat:1"]:
        with pytest.raises(ValueError, match="Not a member URN"):
            erase_member(bad)
    assert not Entry.objects.filter(action=Action.MEMBER_ERASED).exists()
    note.refresh_from_db()
    assert note.text and note.prospect_id


def test_names_learnt_again_are_not_kept(db):
    erase_member("urn:li:person:gone1")
    remember_member_names({"urn:li:person:gone1": "Gone", "urn:li:person:here": "Here"}, source="x")
    assert list(MemberName.objects.values_list("person_urn", flat=True)) == ["urn:li:person:here"]


def test_the_writer_leaves_out_erased_members_without_a_query_per_note(db):
    contract = make_contract()
    erase_member("urn:li:person:gone1")
    writer = note_writer(contract.pk)

    def batch(first_id: int, n: int) -> list[Note]:
        return [
            Note(
                first_id + i,
                note=f"text {i}",
                last_modified=1_700_000_000_000 + i,
                active=True,
                contract=contract.urn,
                owner="urn:li:seat:1",
                member="urn:li:person:gone1" if i % 2 else f"urn:li:person:kept{i}",
                created=1_700_000_000_000,
            )
            for i in range(n)
        ]

    with CaptureQueriesContext(connection) as small:
        writer.write(batch(100, 4), timezone.now())
    with CaptureQueriesContext(connection) as large:
        counts = writer.write(batch(1000, 400), timezone.now())
    assert len(large) == len(small)
    assert counts.created == 200 and counts.unchanged == 200
    assert not Prospect.objects.filter(urn="urn:li:person:gone1").exists()
    assert not ProspectNote.objects.filter(text__in=["text 1", "text 3"]).exists()


def test_command_shows_counts_and_asks(synced, monkeypatch):
    sandbox, contract, urn, notes = synced
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("erase_member", urn, stdout=out)
    assert f"notes: {len(notes)}" in out.getvalue()
    assert Prospect.objects.filter(urn=urn).exists()
    call_command("erase_member", urn, "--yes", stdout=out)
    assert not Prospect.objects.filter(urn=urn).exists()
    [entry] = Entry.objects.filter(action=Action.MEMBER_ERASED)
    assert entry.actor is None and entry.details["via"] == "command"


def test_command_refuses_a_bad_urn(db):
    with pytest.raises(CommandError, match="Not a member URN"):
        call_command("erase_member", "bob", "--yes", stdout=io.StringIO())


# The admin page ---------------------------------------------------------------------------


def test_admin_page_shows_counts_then_erases_on_post(client, staff, synced):
    sandbox, contract, urn, notes = synced
    client.force_login(staff)
    url = reverse("erase_member")
    assert client.get(url).status_code == 200
    page = client.get(url, {"person_urn": urn})
    body = page.content.decode()
    assert page.status_code == 200 and "Yes, erase this member" in body
    assert f"<td>notes</td><td>{len(notes)}</td>" in body
    assert Prospect.objects.filter(urn=urn).exists()  # a GET changes nothing
    response = client.post(url, {"person_urn": urn})
    assert response.status_code == 302
    assert not Prospect.objects.filter(urn=urn).exists()
    assert Entry.objects.get(action=Action.MEMBER_ERASED).actor == staff


def test_admin_page_bad_urn_is_a_form_error(client, staff, db):
    note = make_note()
    client.force_login(staff)
    response = client.post(reverse("erase_member"), {"person_urn": "<script>x</script>"})
    assert response.status_code == 400 and b"Not a member URN" in response.content
    assert b"<script>x" not in response.content
    note.refresh_from_db()
    assert note.prospect_id is not None


def test_admin_page_needs_the_permission(client, alice, db):
    client.force_login(alice)
    assert client.get(reverse("erase_member")).status_code == 302  # not staff: admin login
    alice.is_staff = True
    alice.save()
    assert client.get(reverse("erase_member")).status_code == 403
    assert (
        client.post(reverse("erase_member"), {"person_urn": "urn:li:person:x"}).status_code == 403
    )


def test_prospect_admin_action_leads_to_the_page(client, staff, db):
    prospect = make_prospect()
    client.force_login(staff)
    response = client.post(
        reverse("admin:recruiter_prospect_changelist"),
        {"action": "erase_member", "_selected_action": [prospect.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("erase_member") + "?person_urn=urn")


# A site user who leaves -------------------------------------------------------------------


@pytest.fixture
def leaver(bob, charlie):
    link_identity(bob, "urn:li:person:bobby", name="Bob Leaver")
    LinkedInAccount.objects.create(
        user=bob,
        person_urn="urn:li:person:bobby",
        name="Bob Leaver",
        access_token="tok-secret",
        expires_at=timezone.now() + timedelta(days=1),
    )
    RecommendationRequest.objects.create(
        urn="urn:li:recommendationRequest:(urn:li:person:bobby,5)",
        linkedin_id=5,
        requester="urn:li:person:bobby",
        requestee="urn:li:person:x",
        status="PENDING",
    )
    audit.record(Action.EXPORT, actor=bob, via="web", filters={}, rows=1)
    return bob


def test_an_erased_user_loses_tokens_mappings_and_copies_audit_stays(
    leaver, staff, client, sandbox
):
    from axes.models import AccessAttempt

    client.post(reverse("login"), {"username": "bob", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="bob").exists()
    seat, pk = leaver.seat, leaver.pk
    counts = erase_user(leaver, actor=staff)
    assert any(e.path.endswith("/revoke") for e in sandbox.request_log)  # revoked at LinkedIn
    assert counts["sign-in attempt records"] >= 1
    assert counts["LinkedIn connection (tokens)"] == 1
    assert counts["seat mappings"] == 1 and counts["recommendation copies"] == 1
    assert not LinkedInAccount.objects.exists() and not LinkedInIdentity.objects.exists()
    assert not RecommendationRequest.objects.exists()
    assert list(seat.users.all()) == [] and Seat.objects.filter(pk=seat.pk).exists()
    export = Entry.objects.get(action=Action.EXPORT)
    assert (export.actor, export.actor_name) == (None, pseudonym(f"user:{pk}"))
    erased = Entry.objects.get(action=Action.USER_ERASED)
    assert erased.actor == staff and erased.details["user"] == pseudonym(f"user:{pk}")
    assert places_holding(["urn:li:person:bobby", "Bob Leaver", "tok-secret"]) == []
    assert not AccessAttempt.objects.filter(username="bob").exists()


def test_admin_action_erases_users_after_confirmation(client, staff, leaver, sandbox):
    client.force_login(staff)
    url = reverse("admin:auth_user_changelist")
    form = {"action": "erase_users", "_selected_action": [leaver.pk, staff.pk]}
    confirm = client.post(url, form)
    assert confirm.status_code == 200 and b"Yes, erase them" in confirm.content
    assert b"<li>bob</li>" in confirm.content and b"<li>sam</li>" not in confirm.content
    assert LinkedInAccount.objects.exists()
    client.post(url, {**form, "confirm": "yes"})
    assert not type(leaver).objects.filter(pk=leaver.pk).exists()
    assert type(staff).objects.filter(pk=staff.pk).exists()  # never oneself


def test_the_leavers_seat_keeps_its_notes(bob):
    note = make_note(owner=bob.seat)
    erase_user(bob)
    note.refresh_from_db()
    assert (note.owner_id, note.text) == (bob.seat.pk, note.text) and note.text


def test_command_takes_a_file_and_checks_every_line_first(tmp_path, db):
    first, second = make_note(), make_note()
    urns = tmp_path / "closed.txt"
    urns.write_text(f"# closed members\n{first.prospect.urn}\nnot-a-urn\n")
    with pytest.raises(CommandError, match="Not a member URN"):
        call_command("erase_member", "--file", str(urns), "--yes", stdout=io.StringIO())
    assert Prospect.objects.count() == 2
    urns.write_text(f"# closed members\n{first.prospect.urn}\n\n{second.prospect.urn}  # x\n")
    call_command("erase_member", "--file", str(urns), "--yes", stdout=io.StringIO())
    assert not Prospect.objects.exists()
    assert Entry.objects.filter(action=Action.MEMBER_ERASED).count() == 2


def test_command_needs_a_urn(db):
    with pytest.raises(CommandError, match="at least one"):
        call_command("erase_member", "--yes", stdout=io.StringIO())


def test_an_erased_note_cannot_be_restored(alice):
    from recruiter.restore import restore_note

    note = make_note()
    erase_member(note.prospect.urn)
    note.refresh_from_db()
    assert restore_note(note, alice) is None
    note.refresh_from_db()
    assert (note.active, note.text) == (False, "") and note.deleted_at is not None


def test_a_name_import_leaves_erased_members_out(db):
    from recruiter.prospect_names import import_names

    erase_member("urn:li:person:gone1")
    data = b"member,name\nurn:li:person:gone1,Gone Again\nurn:li:person:new1,New One\n"
    result = import_names(data, dry_run=False)
    assert result.counts["erased"] == 1 and result.counts["unknown"] == 1
    assert list(Prospect.objects.values_list("urn", "name")) == [("urn:li:person:new1", "New One")]
    assert places_holding(["urn:li:person:gone1", "Gone Again"]) == []
