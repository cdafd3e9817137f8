"""Search that finds what a recruiter types: accents, stems, phrases, exclusion, `or`, the
unstemmed fallback, escaped highlighting and honest counts; on PostgreSQL (stored vectors,
before and after indexing) and on SQLite (the same rules in Python)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from recruiter.models import ProspectNote
from recruiter.search import about, index_pending_notes, search_notes
from recruiter.search_text import Term, highlight, parse
from tests.helpers import make_note

NOTES = reverse("recruiter:note_list")
TEXTS = {
    "jalapeno": "Loves jalapeño peppers",
    "resume": "Sent her résumé on Monday",
    "lodz": "Based in Łódź, open to relocation",
    "interview": "Scheduled an interview with the team",
    "visa": "Django developer, needs visa sponsorship",
    "visas": "Asked about visas for a Django role",
    "django": "Django expert in Berlin",
    "will": "Spoke with Will about the IT role",
    "reversed": "Relocation is open, not to Berlin",
}

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="stored vectors and planner estimates exist on PostgreSQL only; CI runs this there",
)


@pytest.fixture(params=["pending", "indexed"])
def notes(request, bob):
    made = {key: make_note(bob.seat, text=text) for key, text in TEXTS.items()}
    if request.param == "indexed":
        index_pending_notes()  # PostgreSQL: from the stored vectors; SQLite: nothing to do
    return made


def found(query: str) -> set[str]:
    keys = {text: key for key, text in TEXTS.items()}
    return {keys[n.text] for n in search_notes(ProspectNote.objects.all(), query)}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("jalapeno", {"jalapeno"}),
        ("JALAPEÑOS", {"jalapeno"}),
        ("resume", {"resume"}),
        ("lodz", {"lodz"}),
        ("interviews", {"interview"}),
        ("interviewing", {"interview"}),
        ("visa", {"visa", "visas"}),
    ],
)
def test_accents_case_and_stems_do_not_matter(notes, query, expected):
    assert found(query) == expected


def test_a_stop_word_or_a_name_is_found_as_written(notes):
    # The English stemmer drops "will" and "it" as stop words: the unstemmed form finds them.
    assert found("will") == {"will"}
    assert found("IT") == {"will"}


def test_quoted_words_are_a_phrase(notes):
    assert found("open relocation") == {"lodz", "reversed"}
    assert found('"open to relocation"') == {"lodz"}


def test_a_minus_excludes_and_stems_count(notes):
    assert found("django -visa") == {"django"}
    assert found('relocation -"to Berlin"') == {"lodz"}


def test_or_matches_either_side(notes):
    assert found("jalapeno or lodz") == {"jalapeno", "lodz"}
    assert found("django berlin or resume") == {"django", "resume"}


def test_an_empty_or_punctuation_query_filters_nothing(notes):
    assert found("") == set(TEXTS) and found(' " - ') == set(TEXTS)


def test_a_quote_or_percent_in_the_query_is_only_text(notes):
    assert found("%") == set(TEXTS)  # no words: no filter, and no SQL error
    assert found("'; DROP TABLE x; --") == set()


def test_the_query_language_parses_like_websearch_to_tsquery():
    assert parse('django -visa "open to" or lodz') == (
        (Term(("django",)), Term(("visa",), negated=True), Term(("open", "to"))),
        (Term(("lodz",)),),
    )
    assert parse("e-mail") == ((Term(("e", "mail")),),)
    assert parse("or or") == ()


def test_highlighting_escapes_the_note_and_marks_matching_words():
    text = "<script>alert(1)</script> Java & <b>Łódź</b> interviews"
    html = highlight(text, "lodz java interview -script")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert (
        "<mark>Java</mark> &amp; &lt;b&gt;<mark>Łódź</mark>&lt;/b&gt; <mark>interviews</mark>"
        in html
    )


def test_the_notes_page_highlights_matches_escaped(client, bob):
    make_note(bob.seat, text="<img src=x onerror=alert(1)> strong Jalapeño fan")
    client.force_login(bob)
    content = client.get(NOTES, {"q": "jalapeno"}).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; strong <mark>Jalapeño</mark> fan" in content
    assert "<img src=x" not in content


def test_search_django_minus_visa_through_the_page(client, bob, notes):
    client.force_login(bob)
    response = client.get(NOTES, {"q": "django -visa"})
    assert [n.text for n in response.context["page"].notes] == [TEXTS["django"]]
    assert "1 note" in response.content.decode()


def test_estimates_are_rounded_to_two_figures():
    assert [about(n) for n in (7, 99, 987, 12_345, 1_049_999)] == [7, 99, 990, 12_000, 1_000_000]


@postgres_only
def test_a_note_vector_holds_both_the_stem_and_the_word(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT recruiter_note_vector('Interviews in Łódź')::text")
        vector = cursor.fetchone()[0]
    for lexeme in ("'interview'", "'interviews'", "'lodz'"):
        assert lexeme in vector


@postgres_only
def test_the_planner_estimates_a_search(bob, notes):
    """The tsquery is folded to a constant, so the planner's statistics estimate its matches
    (search_page picks its plan by them)."""
    from recruiter.search import _estimated_rows

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recruiter_prospectnote")
    assert _estimated_rows(search_notes(ProspectNote.objects.all(), "jalapeno")) < len(TEXTS)


@postgres_only
def test_a_large_total_is_an_honest_estimate(client, bob, monkeypatch):
    from recruiter import pagination, search

    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for n in range(12):
        make_note(bob.seat, text=f"note {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recruiter_prospectnote")
    client.force_login(bob)
    response = client.get(NOTES)
    assert response.context["total"].kind == "about"
    assert "About 12 notes" in response.content.decode()


@postgres_only
def test_the_search_language_can_be_changed(bob, settings):
    from django.core.management import call_command

    make_note(bob.seat, text="Sie hat drei Bewerbungen geschickt")
    assert found_any("Bewerbung") == []
    try:
        call_command("search_language", "german")
        settings.SEARCH_LANGUAGE = "german"
        assert found_any("Bewerbung") == ["Sie hat drei Bewerbungen geschickt"]
    finally:
        call_command("search_language", "english")


def found_any(query: str) -> list[str]:
    return [n.text for n in search_notes(ProspectNote.objects.all(), query)]


def test_the_search_language_command_needs_postgresql(db):
    from django.core.management import CommandError, call_command

    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the command works: the test above")
    with pytest.raises(CommandError, match="Only PostgreSQL"):
        call_command("search_language")


@postgres_only
@pytest.mark.parametrize("threshold", [1, 10_000])  # the walk, then the GIN plan
def test_a_phrase_is_estimated_from_the_newest_notes_and_pages_alike(
    client, bob, monkeypatch, threshold
):
    from recruiter import search

    monkeypatch.setattr(search, "walk_threshold", lambda selected, per_page: threshold)
    monkeypatch.setattr(search, "PROBE", 10)
    for i in range(12):
        make_note(bob.seat, text=f"open to relocation {i}" if i % 2 else f"relocation open {i}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recruiter_prospectnote")
    base = ProspectNote.objects.filter(active=True)
    assert search._probed_rows(base, '"open to relocation"') in range(4, 9)
    client.force_login(bob)
    response = client.get(NOTES, {"q": '"open to relocation"'})
    shown = [n.text for n in response.context["page"].notes]
    assert shown == [f"open to relocation {i}" for i in (11, 9, 7, 5, 3, 1)]


# A recruiter's search over several seats (PostgreSQL: read seat by seat and merged) ----------


@pytest.mark.parametrize("plan", ["gin", "walk"])
@pytest.mark.parametrize("who", ["recruiter", "admin-seat"])
def test_a_search_over_several_seats_pages_newest_first_whichever_plan(
    client, alice, monkeypatch, plan, who
):
    from datetime import UTC, datetime, timedelta

    from recruiter import search
    from tests.conftest import make_user
    from tests.helpers import make_seat

    if plan == "walk":  # the walk however many matches, and whatever the estimate says
        monkeypatch.setattr(search, "walk_threshold", lambda selected, per_page: 0)
        monkeypatch.setattr(search, "COUNT_CAP", 0)
    else:
        monkeypatch.setattr(search, "walk_threshold", lambda selected, per_page: 10**9)
    monkeypatch.setattr("recruiter.views.notes.PER_PAGE", 4)
    dave = make_user("dave")
    seats = [make_seat(users=[dave]) for _ in range(3)]
    other = make_seat()
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    for i in range(30):
        # Seats interleaved in time, two notes a minute (the id breaks the tie), every fifth
        # deleted, every third about something else; another seat's notes in between.
        seat = seats[(i * 7) % 3]
        make_note(
            seat,
            text=f"kotlin dev {i}" if i % 3 else f"scala dev {i}",
            created=t0 + timedelta(minutes=i // 2),
            active=bool(i % 5),
        )
        make_note(other, text=f"kotlin dev other {i}", created=t0 + timedelta(minutes=i // 2))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE recruiter_prospectnote")
    expected = [
        n.text
        for n in ProspectNote.objects.filter(
            owner__in=seats, active=True, text__contains="kotlin"
        ).order_by("-created", "-id")
    ]
    assert len(expected) == 16
    user, params = (dave, {"q": "kotlin"}) if who == "recruiter" else (alice, {"q": "kotlin"})
    if who == "admin-seat":
        params["seat"] = seats[1].pk
        expected = [t for t in expected if int(t.split()[-1]) * 7 % 3 == 1]
    client.force_login(user)
    pages, response = [], client.get(NOTES, params)
    while True:
        pages.append(response)
        if not response.context["older_query"]:
            break
        response = client.get(f"{NOTES}?{response.context['older_query']}")
    shown = [[n.text for n in page.context["page"].notes] for page in pages]
    assert sum(shown, []) == expected
    assert all(len(page) == 4 for page in shown[:-1])
    # Back one page from the last, through the "Newer" link: the page before it again.
    back = client.get(f"{NOTES}?{pages[-1].context['newer_query']}")
    assert [n.text for n in back.context["page"].notes] == shown[-2]
    total = pages[0].context["total"]
    if connection.vendor == "postgresql" and plan == "walk":
        assert total.kind == "about"
    else:
        assert (total.kind, total.count) == ("exact", len(expected))
