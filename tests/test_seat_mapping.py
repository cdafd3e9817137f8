"""Site users <-> seats by person URN: mapped when their LinkedIn identity holds a listed ACTIVE
seat, unmapped when the seat or the identity goes, and an admin's manual mapping or removal is
an override the automatic rule keeps. Against the sandbox over real HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.identity import link_identity, unlink_identity
from linkedin.oauth import clear_token_cache
from recruiter.models import Contract, Seat, SeatUser
from recruiter.seatmap import map_user, seat_mapping_changed, unmap_user
from recruiter.seats import sync_seats

pytestmark = pytest.mark.django_db

ALICE = "urn:li:person:alice01"  # the sandbox's first seat of its first contract


@pytest.fixture(autouse=True)
def _fresh_tokens():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def heard():
    events: list[tuple[str, str, bool, str]] = []

    def on_changed(sender, seat, user, mapped, source, by, **kwargs):
        events.append((seat.urn, user.username, mapped, source))

    seat_mapping_changed.connect(on_changed)
    yield events
    seat_mapping_changed.disconnect(on_changed)


@pytest.fixture
def contract(sandbox) -> Contract:
    return Contract.objects.create(urn=sandbox.store.contract_urns()[0], name="Sandbox")


def alices_seat(sandbox) -> str:
    return next(h for h in sandbox.store.holders.all() if h.member == ALICE).element()["id"]


def seat_urn(sandbox) -> str:
    return f"urn:li:seat:{alices_seat(sandbox)}"


def sources(user) -> dict[str, str]:
    return dict(SeatUser.objects.filter(user=user).values_list("seat__urn", "source"))


def test_a_known_identity_is_mapped_by_the_seat_sync(
    sandbox, contract, charlie, heard, django_capture_on_commit_callbacks
):
    link_identity(charlie, ALICE)
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_seats(contract.pk)
    assert result.mapped == 1
    assert sources(charlie) == {seat_urn(sandbox): "auto"}
    assert heard == [(seat_urn(sandbox), "charlie", True, "auto")]


def test_linking_an_identity_later_maps_and_unlinking_unmaps(
    sandbox, contract, charlie, heard, django_capture_on_commit_callbacks
):
    sync_seats(contract.pk)
    with django_capture_on_commit_callbacks(execute=True):
        link_identity(charlie, ALICE)
    assert sources(charlie) == {seat_urn(sandbox): "auto"}
    with django_capture_on_commit_callbacks(execute=True):
        unlink_identity(charlie)
    assert sources(charlie) == {}
    assert [e[2] for e in heard] == [True, False]


def test_the_user_is_unmapped_when_the_seat_goes_or_stops_being_active(
    sandbox, contract, charlie, heard, django_capture_on_commit_callbacks
):
    link_identity(charlie, ALICE)
    sync_seats(contract.pk)
    urn = seat_urn(sandbox)
    sandbox.store.holders.change(urn, state="INACTIVE")
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_seats(contract.pk).unmapped == 1
    assert sources(charlie) == {}
    sandbox.store.holders.change(urn, state="ACTIVE")
    sync_seats(contract.pk)
    assert sources(charlie) == {urn: "auto"}
    sandbox.store.holders.remove(urn)
    sync_seats(contract.pk)
    assert sources(charlie) == {}
    assert Seat.objects.get(urn=urn).listed is False  # the seat itself stays


def test_a_manual_removal_sticks_until_an_admin_maps_again(sandbox, contract, charlie, staff):
    link_identity(charlie, ALICE)
    sync_seats(contract.pk)
    seat = Seat.objects.get(urn=seat_urn(sandbox))
    assert unmap_user(seat, charlie, by=staff)
    sync_seats(contract.pk)
    assert sources(charlie) == {}
    assert map_user(seat, charlie, by=staff)
    assert sources(charlie) == {seat.urn: "manual"}


def test_a_manual_mapping_sticks_when_the_seat_goes(sandbox, contract, charlie, staff):
    sync_seats(contract.pk)
    seat = Seat.objects.get(urn=seat_urn(sandbox))
    map_user(seat, charlie, by=staff)
    sandbox.store.holders.remove(seat.urn)
    sync_seats(contract.pk)
    assert sources(charlie) == {seat.urn: "manual"}


def test_an_automatic_mapping_taken_over_by_an_admin_becomes_manual(
    sandbox, contract, charlie, staff
):
    link_identity(charlie, ALICE)
    sync_seats(contract.pk)
    seat = Seat.objects.get(urn=seat_urn(sandbox))
    assert not map_user(seat, charlie, by=staff)  # already mapped: now by hand
    sandbox.store.holders.remove(seat.urn)
    sync_seats(contract.pk)
    assert sources(charlie) == {seat.urn: "manual"}


def test_the_admin_inline_maps_and_removes_by_hand(
    client, sandbox, contract, charlie, staff, heard, django_capture_on_commit_callbacks
):
    link_identity(charlie, ALICE)
    sync_seats(contract.pk)
    seat = Seat.objects.get(urn=seat_urn(sandbox))
    row = SeatUser.objects.get(seat=seat, user=charlie)
    client.force_login(staff)
    form = {
        "contract": contract.pk,
        "urn": seat.urn,
        "name": "",
        "seatuser_set-TOTAL_FORMS": "2",
        "seatuser_set-INITIAL_FORMS": "1",
        "seatuser_set-0-id": row.pk,
        "seatuser_set-0-seat": seat.pk,
        "seatuser_set-0-DELETE": "on",
        "seatuser_set-1-seat": seat.pk,
        "seatuser_set-1-user": staff.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:recruiter_seat_change", args=[seat.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert dict(SeatUser.objects.filter(seat=seat).values_list("user__username", "source")) == {
        "sam": "manual"
    }
    sync_seats(contract.pk)  # charlie stays off: the admin removed him
    assert sources(charlie) == {}
    assert ("sam" in [e[1] for e in heard if e[2]]) and (
        seat.urn,
        "charlie",
        False,
        "manual",
    ) in heard


def test_the_seats_page_costs_the_same_queries_for_2_or_20_seats_users_and_mappings(
    client, alice, bob, charlie
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.helpers import make_note, make_seat

    def queries() -> int:
        client.force_login(alice)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("recruiter:seat_list")).status_code == 200
        return len(captured)

    make_seat(bob.seat.contract, name="", holder_name="Unmapped Holder")  # the map form shows
    few = queries()
    for i in range(18):
        seat = make_seat(bob.seat.contract, holder_name=f"Holder {i}", state="ACTIVE")
        map_user(seat, charlie if i % 2 else bob)
        make_note(seat)
    many = queries()
    assert few == many


def test_map_to_user_from_the_seats_page(client, alice, bob, charlie):
    from tests.helpers import make_seat

    seat = make_seat(bob.seat.contract, name="", holder_name="Vacant Holder")
    client.force_login(alice)
    listing = client.get(reverse("recruiter:seat_list")).content.decode()
    map_url = reverse("recruiter:seat_map", args=[seat.pk])
    assert f'href="{map_url}"' in listing
    assert "Charlie" in client.get(map_url).content.decode()
    refused = client.post(map_url, {"user": "nope"}, follow=True)
    assert "Choose a site user" in refused.content.decode()
    response = client.post(map_url, {"user": charlie.pk})
    assert response.status_code == 302
    assert sources(charlie) == {seat.urn: "manual"}
    client.force_login(bob)
    assert client.get(map_url).status_code == 403
    assert client.post(map_url, {"user": bob.pk}).status_code == 403
