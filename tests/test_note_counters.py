"""The per-seat note counts, last activity and notes-per-quarter-hour buckets stay exact
whoever writes the notes (the sync's merge, a push deletion, the ORM, a hard delete): database
triggers keep them, so the Seats and Sync pages read a few rows instead of every note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, Max, Q
from django.utils import timezone

from linkedin.oauth import clear_token_cache
from recruiter.chart import notes_per_day
from recruiter.counters import recount
from recruiter.models import Contract, NoteBucket, ProspectNote, Seat
from recruiter.push import delete_note_from_push
from recruiter.sync import sync_contract
from tests.helpers import make_note, make_seat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


def assert_exact() -> None:
    """Every seat's stored counters equal an aggregate over its notes, and the buckets the
    notes' creation times."""
    truth = {
        row["pk"]: (row["n"], row["last"])
        for row in Seat.objects.values("pk").annotate(
            n=Count("notes", filter=Q(notes__active=True)), last=Max("notes__last_modified")
        )
    }
    stored = {s.pk: (s.note_count, s.last_activity) for s in Seat.objects.all()}
    assert stored == truth
    buckets: dict[datetime, int] = {}
    for created in ProspectNote.objects.exclude(created=None).values_list("created", flat=True):
        start = created.replace(minute=created.minute // 15 * 15, second=0, microsecond=0)
        buckets[start] = buckets.get(start, 0) + 1
    kept = dict(NoteBucket.objects.exclude(count=0).values_list("start", "count"))
    assert kept == buckets


def test_the_sync_its_edits_and_deletions_and_a_push_keep_the_counters_exact(make_sandbox):
    sandbox = make_sandbox(notes=400, seats=4, repeat_ids=True)
    urn = sandbox.store.contract_urns()[0]
    contract = Contract.objects.create(
        urn=urn, backfill_start=timezone.now() - timedelta(days=sandbox.config.days + 1)
    )
    sync_contract(contract.pk)
    assert ProspectNote.objects.count() == 400
    assert_exact()
    notes = sandbox.store.notes(urn)
    sandbox.store.edit_note(notes[0]["id"], "edited")
    sandbox.store.delete_note(notes[1]["id"])
    sandbox.store.add_note(urn, owner="urn:li:seat:4242")  # a new seat, too
    sync_contract(contract.pk)
    assert_exact()
    delete_note_from_push(contract, notes[2]["id"])
    assert_exact()
    assert Seat.objects.get(urn="urn:li:seat:4242").note_count == 1
    # The merge counts its own inserts; an insert after it, in the same transaction, is
    # counted by the trigger again.
    make_note(Seat.objects.get(urn="urn:li:seat:4242"))
    assert_exact()
    assert Seat.objects.get(urn="urn:li:seat:4242").note_count == 2


def test_recount_rebuilds_counters_a_bulk_load_left_out():
    seat = make_seat()
    make_note(seat)
    make_note(seat, active=False)
    Seat.objects.update(note_count=0, last_activity=None)
    NoteBucket.objects.all().delete()
    recount()
    assert_exact()


def test_orm_writes_and_hard_deletes_keep_them_exact():
    seat, other = make_seat(), make_seat()
    t0 = datetime(2026, 11, 1, 9, 7, tzinfo=UTC)
    first = make_note(seat, created=t0)
    latest = make_note(seat, created=t0 + timedelta(minutes=20))
    make_note(seat, created=t0 + timedelta(minutes=3), active=False)
    assert_exact()
    assert Seat.objects.get(pk=seat.pk).note_count == 2
    ProspectNote.objects.filter(pk=first.pk).update(owner=other)
    assert_exact()
    ProspectNote.objects.filter(pk=latest.pk).delete()
    assert_exact()
    assert Seat.objects.get(pk=seat.pk).last_activity == t0 + timedelta(minutes=3)


def test_the_chart_adds_up_the_buckets_in_the_site_time_zone(settings):
    seat = make_seat()
    today = timezone.localdate()
    noon = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    for hours in (0, 1, 25, 49):
        make_note(seat, created=noon - timedelta(hours=hours))
    chart = notes_per_day()
    by_day = {bar.day: bar.count for bar in chart.bars if bar.count}
    assert by_day == {today: 2, today - timedelta(days=1): 1, today - timedelta(days=2): 1}
    assert chart.total == 4


def test_the_chart_days_follow_a_half_hour_time_zone():
    """18:40 UTC is 00:10 the next day in India (+05:30): the quarter-hour bucket (18:30 UTC)
    falls on that next day there."""
    seat = make_seat()
    with timezone.override("Asia/Kolkata"):
        today = timezone.localdate()
        local_midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        make_note(seat, created=local_midnight + timedelta(minutes=10))  # today, 00:10 IST
        make_note(seat, created=local_midnight - timedelta(minutes=10))  # yesterday, 23:50 IST
        bars = {bar.day: bar.count for bar in notes_per_day().bars if bar.count}
    assert bars == {today: 1, today - timedelta(days=1): 1}
