"""Names everywhere a prospect or a seat shows (the URN a secondary line only when a name
exists, never twice), and the searches by name: the notes search finds notes by prospect and
by seat holder name within what the user may see, the Prospects page by name and by URN."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.helpers import make_note, make_prospect, make_seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(bob):
    contract = bob.seat.contract
    bob.seat.name = ""
    bob.seat.holder_name = "Robert Brown"
    bob.seat.save()
    other = make_seat(contract, name="", holder_name="Priya Okafor")
    nameless = make_seat(contract, name="", urn="urn:li:seat:555")
    jane = make_prospect(name="Jane Doe", urn="urn:li:person:jane")
    anon = make_prospect(urn="urn:li:person:anon")
    return {
        "other": other,
        "nameless": nameless,
        "jane": jane,
        "anon": anon,
        "bob_jane": make_note(bob.seat, jane, text="talked about rust"),
        "bob_anon": make_note(bob.seat, anon, text="talked about go"),
        "other_jane": make_note(other, jane, text="second opinion"),
        "nameless_anon": make_note(nameless, anon, text="from a seat nobody named"),
    }


def texts(response) -> set[str]:
    return {note.text for note in response.context["page"].notes}


def search(client, user, q: str):
    client.force_login(user)
    return client.get(reverse("recruiter:note_list"), {"q": q})


def test_the_notes_list_shows_names_with_the_urn_once(client, alice, people):
    client.force_login(alice)
    content = client.get(reverse("recruiter:note_list")).content.decode()
    assert "Jane Doe" in content and "Robert Brown" in content and "Priya Okafor" in content
    # Each row: a named person's URN once as the secondary line; a nameless one's URN once.
    assert content.count("urn:li:person:jane") == 2  # two notes about Jane
    assert content.count("urn:li:person:anon") == 2  # shown instead of a name, not twice
    assert content.count(">urn:li:seat:555</a>") == 1  # the row's link, and no second line
    assert "urn:li:seat:555</span>" not in content


def test_the_seats_page_shows_holders_by_name(client, alice, people):
    client.force_login(alice)
    content = client.get(reverse("recruiter:seat_list")).content.decode()
    assert "Robert Brown" in content and "Priya Okafor" in content
    assert content.count("urn:li:seat:555") == 1


def test_the_prospect_pages_show_names_with_the_urn_once(client, alice, people):
    client.force_login(alice)
    listing = client.get(reverse("recruiter:prospect_list")).content.decode()
    assert listing.count("urn:li:person:jane") == 1 and listing.count("urn:li:person:anon") == 1
    detail = client.get(reverse("recruiter:prospect_detail", args=[people["anon"].pk]))
    main = detail.content.decode().split("<main", 1)[1]  # the page, not its <title>
    assert main.count("urn:li:person:anon") == 1


def test_the_notes_search_finds_notes_by_prospect_name(client, alice, people):
    assert texts(search(client, alice, "jane doe")) == {"talked about rust", "second opinion"}
    assert texts(search(client, alice, "Doe")) == {"talked about rust", "second opinion"}


def test_the_notes_search_finds_notes_by_seat_holder_name(client, alice, people):
    assert texts(search(client, alice, "okafor")) == {"second opinion"}
    assert texts(search(client, alice, "robert")) == {"talked about rust", "talked about go"}


def test_the_text_search_still_works_beside_names(client, alice, people):
    assert texts(search(client, alice, "rust")) == {"talked about rust"}
    assert texts(search(client, alice, "nobody")) == {"from a seat nobody named"}


def test_a_recruiter_finds_by_name_only_notes_of_their_seats(client, bob, people):
    assert texts(search(client, bob, "jane")) == {"talked about rust"}
    assert texts(search(client, bob, "priya")) == set()


def test_the_prospects_page_searches_names_and_urns(client, alice, people):
    client.force_login(alice)

    def found(q: str) -> set[str]:
        response = client.get(reverse("recruiter:prospect_list"), {"q": q})
        return {p.urn for p in response.context["prospects"]}

    assert found("doe jane") == {"urn:li:person:jane"}
    assert found("person:an") == {"urn:li:person:anon"}
    assert found("nobody") == set()


def test_the_export_ends_with_owner_and_prospect_names(client, alice, people):
    client.force_login(alice)
    response = client.get(reverse("recruiter:note_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-2:] == ["owner_name", "prospect_name"]
    by_text = {row[4]: row[-2:] for row in rows[1:]}
    assert by_text["second opinion"] == ["Priya Okafor", "Jane Doe"]
    assert by_text["from a seat nobody named"] == ["", ""]
