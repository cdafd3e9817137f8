"""The notes filter form (a GET form: a filtered view is a URL to bookmark and share).

Its choices come from what the user may see: a seat outside visible_seats() or a prospect
without a visible note is a validation error, so guessing ids reveals nothing.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from recruiter.models import Prospect, ProspectNote, Seat, seat_label_order
from recruiter.pagination import Cursor
from recruiter.permissions import (
    is_recruiting_admin,
    visible_notes,
    visible_prospects,
    visible_seats,
)
from recruiter.search import search_notes

# The fields that select notes; the pagination cursor and page number are not among them.
FILTER_FIELDS = (
    "q",
    "seat",
    "prospect",
    "created_from",
    "created_to",
    "modified_from",
    "modified_to",
    "status",
)


DATE_HINT = "YYYY-MM-DD"


class DayField(forms.DateField):
    """A day typed as the site prints it (DATE_FORMAT, ISO): a text input, since a browser's
    date input shows its own locale's format instead."""

    default_error_messages = {"invalid": f"Enter a date as {DATE_HINT}, e.g. 2026-12-02."}


class CursorField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Cursor.parse(value)
        except (ValueError, OverflowError) as error:
            raise forms.ValidationError("Not a valid page position.") from error


class NoteFilterForm(forms.Form):
    STATUS_CHOICES = [("active", "Active"), ("deleted", "Deleted"), ("all", "Active and deleted")]

    q = forms.CharField(label="Search", required=False, max_length=200)
    seat = forms.ModelChoiceField(
        label="Seat", queryset=Seat.objects.none(), required=False, empty_label="All seats"
    )
    prospect = forms.IntegerField(
        label="Prospect", required=False, widget=forms.HiddenInput, min_value=1
    )
    created_from = DayField(label="Created from", required=False)
    created_to = DayField(label="Created to", required=False)
    modified_from = DayField(label="Modified from", required=False)
    modified_to = DayField(label="Modified to", required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    # Pagination: show the notes after (older than) or before (newer than) a cursor.
    after = CursorField(label="Page position", required=False, widget=forms.HiddenInput)
    before = CursorField(label="Page position", required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(
        label="Page number", required=False, min_value=1, widget=forms.HiddenInput
    )

    def __init__(self, data, *, user: AbstractBaseUser) -> None:
        super().__init__(data)
        self.user = user
        self.is_admin = is_recruiting_admin(user)
        seats = visible_seats(user).only("id", "name", "holder_name", "urn", "listed")
        self.fields["seat"].queryset = seats.order_by("-listed", seat_label_order())
        self.prospect_obj: Prospect | None = None
        if not self.is_admin:
            # Deleted notes are for recruiting admins only: recruiters get no such choice.
            del self.fields["status"]

    def clean_prospect(self) -> int | None:
        pk = self.cleaned_data.get("prospect")
        if pk is None:
            return None
        prospect = visible_prospects(self.user).filter(pk=pk).first()
        if prospect is None:
            raise forms.ValidationError("Unknown prospect.")
        self.prospect_obj = prospect
        return pk

    def clean(self):
        data = super().clean()
        if data.get("after") and data.get("before"):
            raise forms.ValidationError("Give either an older or a newer page, not both.")
        for start, end in (("created_from", "created_to"), ("modified_from", "modified_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, "Ends before it starts.")
        return data

    def notes(self, *, search: bool = True) -> QuerySet[ProspectNote]:
        """The visible notes this (valid) filter selects, newest first; without the text
        search if `search` is false (recruiter.search.search_page applies it then)."""
        data = self.cleaned_data
        status = data.get("status") or "active"
        notes = visible_notes(self.user, include_deleted=status != "active")
        if status == "deleted":
            notes = notes.filter(active=False)
        # A tombstone recorded from a push before its note was ever synced has no date, seat or
        # text: nothing to show, and it would break the (created, id) page order.
        notes = notes.filter(created__isnull=False)
        if data.get("seat"):
            notes = notes.filter(owner=data["seat"])
        if data.get("prospect"):
            notes = notes.filter(prospect_id=data["prospect"])
        notes = _date_range(notes, "created", data.get("created_from"), data.get("created_to"))
        notes = _date_range(
            notes, "last_modified", data.get("modified_from"), data.get("modified_to")
        )
        if search:
            notes = search_notes(notes, data.get("q") or "")
        return notes.order_by("-created", "-id")

    def query_string(self, *, drop: tuple[str, ...] = (), **extra) -> str:
        """The current filters (not the page position) as a query string, less `drop`, plus
        `extra`."""
        names = [name for name in FILTER_FIELDS if name not in drop]
        params = [(name, self.data[name]) for name in names if self.data.get(name)]
        params += [(name, value) for name, value in extra.items() if value]
        return urlencode(params)

    def labelled_errors(self) -> list[tuple[str, str]]:
        """Every error with the label of its field ("" for the form's own)."""
        return [
            (self.fields[name].label if name in self.fields else "", error)
            for name, errors in self.errors.items()
            for error in errors
        ]

    @property
    def has_filters(self) -> bool:
        return any(self.data.get(name) for name in FILTER_FIELDS)


def _date_range(notes: QuerySet, field: str, start: dt.date | None, end: dt.date | None):
    # Dates are days in the site's time zone; the end day is included.
    if start:
        notes = notes.filter(**{f"{field}__gte": _midnight(start)})
    if end:
        notes = notes.filter(**{f"{field}__lt": _midnight(end + dt.timedelta(days=1))})
    return notes


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
