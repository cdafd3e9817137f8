"""A site user's LinkedIn identity: who links, who is refused, and the signals both apps hear."""

from __future__ import annotations

import pytest

from accounts import identity
from accounts.identity import IdentityTaken, identity_linked, identity_unlinked


@pytest.fixture
def heard():
    events: list[tuple[str, str]] = []

    def on_linked(sender, identity, **kwargs):
        events.append(("linked", identity.person_urn))

    def on_unlinked(sender, user, person_urn, **kwargs):
        events.append(("unlinked", person_urn))

    identity_linked.connect(on_linked)
    identity_unlinked.connect(on_unlinked)
    yield events
    identity_linked.disconnect(on_linked)
    identity_unlinked.disconnect(on_unlinked)


def test_a_linked_user_is_found_by_their_member(bob, django_capture_on_commit_callbacks, heard):
    with django_capture_on_commit_callbacks(execute=True):
        identity.link_identity(bob, "urn:li:person:bob02", name="Bob Builder")
    assert identity.user_for_member("urn:li:person:bob02") == bob
    assert identity.names_of_members(["urn:li:person:bob02", "urn:li:person:x"]) == {
        "urn:li:person:bob02": "Bob Builder"
    }
    assert heard == [("linked", "urn:li:person:bob02")]


def test_a_member_already_linked_to_another_user_is_refused(alice, bob):
    identity.link_identity(alice, "urn:li:person:a1")
    with pytest.raises(IdentityTaken):
        identity.link_identity(bob, "urn:li:person:a1")
    assert identity.identity_for(bob) is None


def test_relinking_as_another_member_unlinks_the_first(
    bob, django_capture_on_commit_callbacks, heard
):
    with django_capture_on_commit_callbacks(execute=True):
        identity.link_identity(bob, "urn:li:person:old")
        identity.link_identity(bob, "urn:li:person:new")
        assert identity.unlink_identity(bob)
    assert heard == [
        ("linked", "urn:li:person:old"),
        ("unlinked", "urn:li:person:old"),
        ("linked", "urn:li:person:new"),
        ("unlinked", "urn:li:person:new"),
    ]
    assert identity.identity_for(bob) is None


def test_a_users_own_name_wins_over_a_name_another_source_gave(bob):
    identity.remember_member_names(
        {"urn:li:person:bob02": "B. Builder", "urn:li:person:c3": "Carol", "urn:li:person:e": ""},
        source="seat",
    )
    identity.remember_member_names({"urn:li:person:c3": "Carol King"}, source="seat")
    identity.link_identity(bob, "urn:li:person:bob02", name="Bob Builder")
    assert identity.names_of_members(
        ["urn:li:person:bob02", "urn:li:person:c3", "urn:li:person:e"]
    ) == {"urn:li:person:bob02": "Bob Builder", "urn:li:person:c3": "Carol King"}
