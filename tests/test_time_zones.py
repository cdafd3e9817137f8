"""Per-user time zones: the browser's by default (the `tz` cookie), remembered, changeable;
every printed time carries its zone; the date filters count the user's days; the admin prints
times as the site does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Preference
from tests.helpers import make_note

NOTES = reverse("recruiter:note_list")
PREFERENCES = reverse("accounts:preferences")
LATE = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # 18:30 in New York, 08:30 next day in Tokyo


@pytest.fixture
def late_note(bob):
    with time_machine.travel(LATE, tick=False):
        return make_note(bob.seat, text="written late in UTC", created=datetime.now(UTC))


def choose(user, zone):
    Preference.objects.update_or_create(user=user, defaults={"time_zone": zone})


def texts(response):
    return [note.text for note in response.context["page"].notes]


@pytest.mark.parametrize(
    "zone, shown, day, other_day",
    [
        ("America/New_York", "2026-11-20 18:30 EST", "2026-11-20", "2026-11-21"),
        ("Asia/Tokyo", "2026-11-21 08:30 JST", "2026-11-21", "2026-11-20"),
        ("UTC", "2026-11-20 23:30 UTC", "2026-11-20", "2026-11-21"),
    ],
)
def test_a_late_note_shows_on_the_users_day_and_the_filters_agree(
    client, bob, late_note, zone, shown, day, other_day
):
    choose(bob, zone)
    client.force_login(bob)
    response = client.get(NOTES)
    assert shown in response.content.decode()
    assert texts(client.get(NOTES, {"created_from": day, "created_to": day})) == [late_note.text]
    assert texts(client.get(NOTES, {"created_from": other_day, "created_to": other_day})) == []
    timeline = client.get(reverse("recruiter:prospect_detail", args=[late_note.prospect_id]))
    assert shown in timeline.content.decode()


def test_the_browsers_zone_is_taken_and_remembered(client, bob, late_note):
    client.force_login(bob)
    client.cookies["tz"] = "Asia/Tokyo"
    assert "08:30 JST" in client.get(NOTES).content.decode()
    assert Preference.objects.get(user=bob).time_zone == "Asia/Tokyo"
    # Remembered: another browser in another zone does not change it.
    client.cookies["tz"] = "America/New_York"
    assert "08:30 JST" in client.get(NOTES).content.decode()


def test_a_bogus_cookie_is_ignored(client, bob, late_note):
    client.force_login(bob)
    client.cookies["tz"] = "Mars/Olympus_Mons"
    assert "23:30 UTC" in client.get(NOTES).content.decode()
    assert not Preference.objects.filter(user=bob, time_zone__gt="").exists()


def test_the_user_picks_a_zone_in_their_settings(client, bob, late_note):
    client.force_login(bob)
    response = client.post(PREFERENCES, {"time_zone": "America/New_York"})
    assert response.status_code == 302
    assert "18:30 EST" in client.get(NOTES).content.decode()
    assert 'value="America/New_York" selected' in client.get(PREFERENCES).content.decode()


def test_an_unknown_zone_is_refused_next_to_its_field(client, bob):
    client.force_login(bob)
    response = client.post(PREFERENCES, {"time_zone": "Nowhere/Land"})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_time_zone-error"' in content and "not one of the available" in content
    assert not Preference.objects.filter(user=bob, time_zone__gt="").exists()


def test_the_admin_prints_times_as_the_site_does(client, staff, late_note):
    choose(staff, "America/New_York")
    client.force_login(staff)
    changelist = client.get(reverse("admin:recruiter_prospectnote_changelist"))
    assert "2026-11-20 18:30 EST" in changelist.content.decode()


def test_the_sign_in_page_follows_the_browsers_zone(client):
    client.cookies["tz"] = "Asia/Tokyo"
    assert 'data-time-zone="Asia/Tokyo"' in client.get(reverse("login")).content.decode()
