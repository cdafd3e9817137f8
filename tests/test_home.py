"""The home page as the recruiter's start of the day: their latest notes, what changed since
their last visit, how fresh the data is, and for admins the unmapped seats and failing
contracts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse

from recruiter.models import SyncRun
from tests.helpers import make_note, make_seat

HOME = reverse("home")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def visit(client, user, when):
    with time_machine.travel(when, tick=False):
        client.force_login(user)
        return client.get(HOME)


def test_bob_sees_his_latest_notes_only(client, bob):
    mine = make_note(bob.seat, text="my own note", created=T0)
    make_note(make_seat(bob.seat.contract), text="another seat's note", created=T0)
    response = visit(client, bob, T0 + timedelta(hours=1))
    assert [note.pk for note in response.context["start"].recent] == [mine.pk]
    assert "another seat&#x27;s note" not in response.content.decode()


def test_changes_since_the_previous_visit_last_the_whole_visit(client, bob):
    note = make_note(bob.seat, text="edited later", created=T0)
    first = visit(client, bob, T0 + timedelta(hours=1))
    assert first.context["start"].since is None
    assert "This is your first visit" in first.content.decode()
    note.last_modified = T0 + timedelta(days=1)
    note.save()
    second = visit(client, bob, T0 + timedelta(days=2))
    assert second.context["start"].since == T0 + timedelta(hours=1)
    assert [n.pk for n in second.context["start"].changed] == [note.pk]
    # A page a few minutes later is the same visit: the list stays.
    again = visit(client, bob, T0 + timedelta(days=2, minutes=10))
    assert [n.pk for n in again.context["start"].changed] == [note.pk]
    # The next visit starts after the gap: nothing changed since the one before.
    later = visit(client, bob, T0 + timedelta(days=3))
    assert later.context["start"].changed == []
    assert "No note was edited since" in later.content.decode()


def test_alice_sees_the_deletions_bob_does_not(client, alice, bob):
    visit(client, alice, T0)
    visit(client, bob, T0)
    make_note(
        bob.seat,
        text="removed",
        created=T0 - timedelta(days=1),
        active=False,
        deleted_at=T0 + timedelta(hours=5),
    )
    assert [
        n.text for n in visit(client, alice, T0 + timedelta(days=1)).context["start"].deleted
    ] == ["removed"]
    bobs = visit(client, bob, T0 + timedelta(days=1))
    assert bobs.context["start"].deleted == [] and "removed" not in bobs.content.decode()


def test_freshness_shows_the_lag_and_warns_of_a_failed_run(client, bob):
    contract = bob.seat.contract
    contract.watermark = T0 - timedelta(minutes=20)
    contract.last_success_at = T0 - timedelta(hours=3)
    contract.last_error = "LinkedIn answered 500"
    contract.last_error_at = T0 - timedelta(minutes=5)
    contract.save()
    SyncRun.objects.create(contract=contract, status="failed", started_at=T0 - timedelta(minutes=6))
    content = visit(client, bob, T0).content.decode()
    assert f"The last sync of <strong>{contract}</strong> failed" in content
    assert "20\xa0minutes ago" in content
    assert "last run failed" in content
    assert "See the sync page" not in content  # bob may not open it


def test_an_up_to_date_contract_has_no_warning(client, bob):
    contract = bob.seat.contract
    contract.watermark = contract.last_success_at = T0 - timedelta(minutes=10)
    contract.save()
    content = visit(client, bob, T0).content.decode()
    assert "up to date" in content and "failed" not in content


def test_alice_sees_unmapped_seats_and_failing_contracts(client, alice, bob):
    lonely = make_seat(bob.seat.contract, name="Nobody's seat")
    bob.seat.contract.last_error = "token refused"
    bob.seat.contract.last_error_at = T0
    bob.seat.contract.save()
    response = visit(client, alice, T0 + timedelta(minutes=1))
    start = response.context["start"]
    assert start.unmapped_seats == [lonely] and start.unmapped_count == 1
    assert [item.contract for item in start.failing] == [bob.seat.contract]
    content = response.content.decode()
    assert "Nobody&#x27;s seat" in content and "token refused" in content


def test_bob_gets_no_admin_section(client, bob):
    make_seat(bob.seat.contract)
    response = visit(client, bob, T0)
    assert response.context["start"].unmapped_count == 0
    assert 'id="attention"' not in response.content.decode()


def test_charlie_gets_no_start_of_day(client, charlie):
    response = visit(client, charlie, T0)
    assert response.context["start"] is None
    assert 'id="recent-notes"' not in response.content.decode()


def test_an_admin_holding_no_seat_gets_the_syncs_totals(client, alice, bob):
    visit(client, alice, T0)
    make_note(
        bob.seat,
        text="edited",
        created=T0 - timedelta(days=1),
        last_modified=T0 + timedelta(hours=2),
    )
    SyncRun.objects.create(
        contract=bob.seat.contract,
        status="succeeded",
        started_at=T0 + timedelta(hours=1),
        notes_created=7,
        notes_updated=2,
        notes_deactivated=1,
    )
    response = visit(client, alice, T0 + timedelta(days=1))
    assert response.context["start"].changed == []
    assert response.context["start"].synced == {"new": 7, "edited": 2, "deleted": 1}
    assert "7 new notes, 2 edits and 1 deletion since" in response.content.decode()


def test_the_home_page_costs_the_same_queries_for_1_or_8_notes(client, alice, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bob.seat.users.add(alice)
    visit(client, alice, T0)

    def count(n):
        for i in range(n):
            make_note(
                bob.seat, created=T0 - timedelta(days=1), last_modified=T0 + timedelta(hours=i + 1)
            )
        later = time_machine.travel(T0 + timedelta(days=1, minutes=n), tick=False)
        with later, CaptureQueriesContext(connection) as queries:
            client.get(HOME)
        return len(queries)

    assert count(1) == count(8)


def test_an_admin_whose_seat_holds_only_deleted_notes_gets_none_not_everyones(client, alice):
    empty = make_seat(users=[alice])
    make_note(empty, text="deleted note", created=T0, active=False)
    make_note(make_seat(empty.contract), text="another seat's note", created=T0)
    response = visit(client, alice, T0 + timedelta(hours=1))
    assert response.context["start"].recent == []
    held = make_seat(empty.contract, users=[alice])
    mine = make_note(held, text="my own note", created=T0)
    response = visit(client, alice, T0 + timedelta(hours=1))
    assert [note.pk for note in response.context["start"].recent] == [mine.pk]
