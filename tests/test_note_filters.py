"""The notes filters: errors next to their field with its label, dates typed as they are
printed, the fold that hides the filters on a phone opened when one is set."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse
from django.utils import formats

from tests.helpers import make_note

NOTES = reverse("recruiter:note_list")


def page(client, user, **params):
    client.force_login(user)
    return client.get(NOTES, params)


def test_a_range_ending_before_it_starts_is_named_by_its_label(client, alice):
    response = page(client, alice, created_from="2026-11-05", created_to="2026-11-01")
    assert response.status_code == 400
    content = response.content.decode()
    assert "<li>Created to: Ends before it starts.</li>" in content
    assert "created_to:" not in content
    # ... and said again beside the field itself, which is marked invalid.
    assert 'aria-describedby="id_created_to-error"' in content
    assert '<span class="field-error" id="id_created_to-error">Ends before it starts.</span>' in (
        content
    )


def test_a_date_in_another_format_is_refused_with_the_format_to_use(client, alice):
    response = page(client, alice, modified_from="11/05/2026")
    assert response.status_code == 400
    assert "Modified from: Enter a date as YYYY-MM-DD, e.g. 2026-12-02." in (
        response.content.decode()
    )


def test_a_day_typed_as_the_site_prints_it_filters(client, bob):
    note = make_note(bob.seat, text="dated", created=datetime(2026, 11, 20, 12, tzinfo=UTC))
    printed = formats.date_format(note.created, "DATE_FORMAT")
    assert printed == "2026-11-20"
    response = page(client, bob, created_from=printed, created_to=printed)
    assert [n.text for n in response.context["page"].notes] == ["dated"]
    content = response.content.decode()
    assert 'placeholder="YYYY-MM-DD"' in content and 'value="2026-11-20"' in content


def test_the_filters_fold_opens_when_a_filter_is_set(client, bob):
    closed = page(client, bob).content.decode()
    assert '<input type="checkbox" id="filters-toggle" class="fold-toggle">' in closed
    opened = page(client, bob, created_from="2026-11-01").content.decode()
    assert 'class="fold-toggle" checked>' in opened and "More filters (1)" in opened


def test_a_bad_page_position_is_named_too(client, alice):
    response = page(client, alice, after="not-a-cursor")
    assert "Page position: Not a valid page position." in response.content.decode()
