"""Roles: the "Recruiting admins" group exists and is granted from the user admin; the one
permissions module's rules; the navigation and tiles show only what the user may open; a user
with no role is told whom to ask."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from recruiter.permissions import (
    RECRUITING_ADMINS,
    can_view_notes,
    can_view_prospect,
    can_view_seat,
    can_view_sync,
    is_recruiting_admin,
    visible_prospects,
    visible_seats,
)
from tests.helpers import make_note, make_prospect, make_seat

HOME = reverse("home")


def test_the_migration_creates_the_recruiting_admins_group(db):
    assert Group.objects.filter(name=RECRUITING_ADMINS).exists()


def test_staff_grant_and_take_back_the_role_from_the_user_admin(client, staff, charlie):
    client.force_login(staff)
    changelist = reverse("admin:auth_user_changelist")
    assert "Recruiting admin" in client.get(changelist).content.decode()
    grant = {"action": "grant_recruiting_admin", "_selected_action": [charlie.pk]}
    assert client.post(changelist, grant).status_code == 302
    assert is_recruiting_admin(User.objects.get(pk=charlie.pk))
    revoke = {**grant, "action": "revoke_recruiting_admin"}
    client.post(changelist, revoke)
    assert not is_recruiting_admin(User.objects.get(pk=charlie.pk))


def test_the_group_is_offered_on_the_user_change_page(client, staff, charlie):
    client.force_login(staff)
    page = client.get(reverse("admin:auth_user_change", args=[charlie.pk])).content.decode()
    assert RECRUITING_ADMINS in page


def test_who_sees_which_seats_and_prospects(alice, bob, charlie):
    other = make_seat(bob.seat.contract)
    mine, theirs, nobodys = make_prospect(), make_prospect(), make_prospect()
    make_note(bob.seat, mine)
    make_note(other, theirs)
    make_note(bob.seat, make_prospect(), active=False)  # deleted: its prospect is not bob's
    assert set(visible_seats(bob)) == {bob.seat}
    assert set(visible_prospects(bob)) == {mine}
    assert can_view_prospect(bob, mine) and not can_view_prospect(bob, theirs)
    assert can_view_seat(bob, bob.seat) and not can_view_seat(bob, other)
    assert {mine, theirs, nobodys} <= set(visible_prospects(alice))
    assert can_view_seat(alice, other) and can_view_sync(alice)
    assert not can_view_sync(bob)
    assert not can_view_notes(charlie) and not visible_prospects(charlie).exists()
    assert not visible_seats(charlie).exists()


def test_an_inactive_recruiting_admin_sees_nothing(alice):
    alice.is_active = False
    assert not is_recruiting_admin(alice) and not can_view_notes(alice)


def nav_links(client, user) -> str:
    client.force_login(user)
    content = client.get(HOME).content.decode()
    return content[content.index('<nav class="nav"') : content.index("</nav>")]


def test_charlie_sees_no_link_or_tile_he_cannot_open(client, charlie):
    nav = nav_links(client, charlie)
    for name in ("note_list", "prospect_list", "seat_list", "sync_status"):
        assert reverse(f"recruiter:{name}") not in nav
    content = client.get(HOME).content.decode()
    assert reverse("recruiter:note_list") not in content
    assert reverse("recommendations:received") in content


def test_bob_sees_the_notes_pages_but_not_sync(client, bob):
    nav = nav_links(client, bob)
    for name in ("note_list", "prospect_list", "seat_list"):
        assert reverse(f"recruiter:{name}") in nav
    assert reverse("recruiter:sync_status") not in nav


def test_alice_sees_sync(client, alice):
    assert reverse("recruiter:sync_status") in nav_links(client, alice)


def test_charlie_is_told_whom_to_ask(client, alice, charlie, settings):
    settings.ACCESS_CONTACT = "the IT desk <it@example.com>"
    client.force_login(charlie)
    content = client.get(HOME).content.decode()
    assert "no access to the prospect notes" in content
    assert "<strong>Alice</strong>" in content
    assert "the IT desk &lt;it@example.com&gt;" in content


def test_without_any_recruiting_admin_charlie_is_told_so(client, charlie):
    client.force_login(charlie)
    assert "No recruiting admin is set up yet" in client.get(HOME).content.decode()


@pytest.mark.parametrize("user_name", ["alice", "bob"])
def test_users_with_a_role_get_no_access_notice(client, request, user_name):
    client.force_login(request.getfixturevalue(user_name))
    assert "no access to the prospect notes" not in client.get(HOME).content.decode()
