"""Browse, filter, search and export prospect notes."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from recruiter.export import audited, iter_csv_lines
from recruiter.forms import DATE_HINT, NoteFilterForm
from recruiter.models import ProspectNote
from recruiter.permissions import note_owners
from recruiter.search import has_words, highlighted, search_page
from recruiter.views.access import notes_viewer_required

PER_PAGE = 50
DATE_FIELDS = ("created_from", "created_to", "modified_from", "modified_to")
# The filters behind the "More filters" toggle on a phone (opened when one is set).
FOLDED_FILTERS = ("seat", *DATE_FIELDS, "status")

# What a row of the list shows; the rest of the columns (sync bookkeeping) stay in the table.
ROW_FIELDS = (
    "id",
    "linkedin_id",
    "text",
    "created",
    "last_modified",
    "active",
    "deleted_at",
    "owner__id",
    "owner__name",
    "owner__holder_name",
    "owner__urn",
    "owner__listed",
    "owner__state",
    "prospect__id",
    "prospect__name",
    "prospect__urn",
)


@require_GET
@notes_viewer_required
def note_list(request: HttpRequest) -> HttpResponse:
    form = NoteFilterForm(request.GET, user=request.user)
    valid = form.is_valid()
    context = {
        "form": form,
        "seat_choices": list(form.fields["seat"].queryset),
        "selected_seat": valid and form.cleaned_data["seat"] and form.cleaned_data["seat"].pk,
        "show_status": form.is_admin,
        "date_fields": [form[name] for name in DATE_FIELDS],
        "date_hint": DATE_HINT,
        "active_filters": sum(1 for name in FOLDED_FILTERS if form.data.get(name)),
    }
    if not valid:
        # A seat or prospect id the user may not see lands here too: nothing is shown for it.
        return render(request, "recruiter/note_list.html", context, status=400)
    data = form.cleaned_data
    page, total = search_page(
        form.notes(search=False),
        data["q"],
        after=data["after"],
        before=data["before"],
        per_page=PER_PAGE,
        rows=_rows,
        owners=[data["seat"].pk] if data["seat"] else note_owners(request.user),
    )
    if has_words(data["q"]):
        for note in page.notes:
            note.highlighted = highlighted(note.text, data["q"])
    number = data["page"] or (None if data["after"] else 1)
    if data["before"] and not page.newer:
        number = 1  # back at the top, whatever the page number said
    context |= {
        "page": page,
        "page_number": number,
        "total": total,
        "filters_query": form.query_string(),
        "without_prospect_query": form.query_string(drop=("prospect",)),
        "newer_query": page.newer
        and form.query_string(before=page.newer, page=number and number - 1),
        "older_query": page.older
        and form.query_string(after=page.older, page=number and number + 1),
        # Row links are built from this prefix: a {% url %} per row costs more than the query.
        "prospects_url": reverse("recruiter:prospect_list"),
    }
    return render(request, "recruiter/note_list.html", context)


def _rows(notes: QuerySet[ProspectNote]) -> QuerySet[ProspectNote]:
    return notes.select_related("owner", "prospect").only(*ROW_FIELDS)


@require_GET
@notes_viewer_required
def note_export(request: HttpRequest) -> HttpResponse:
    """The notes of the current filter as CSV, streamed (no page limit: the whole filter)."""
    form = NoteFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.", content_type="text/plain")
    # Only the filter's own fields, each cut short: the log keeps what was asked, not any input.
    filters = {key: value[:200] for key, value in request.GET.items() if key in form.fields}
    lines = audited(iter_csv_lines(form.notes()), actor=request.user, via="web", filters=filters)
    # A UTF-8 BOM first: without it Excel reads the file as the local code page and garbles
    # accents and CJK. (The command's output, for scripts, has none.)
    response = StreamingHttpResponse(
        itertools.chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8"
    )
    name = export_filename(form.cleaned_data, timezone.localtime())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_filename(data: dict, now: datetime) -> str:
    """prospect-notes_<what was filtered>_<when>.csv, in ASCII (slugs), for the download."""
    parts = ["prospect-notes"]
    if data.get("seat"):
        parts.append("seat-" + (slugify(data["seat"].name or data["seat"].urn) or "x"))
    if data.get("prospect"):
        parts.append(f"prospect-{data['prospect']}")
    if data.get("q"):
        parts.append("search-" + (slugify(data["q"])[:40].strip("-") or "x"))
    for field in ("created", "modified"):
        start, end = data.get(f"{field}_from"), data.get(f"{field}_to")
        if start or end:
            parts.append(f"{field}-{_day(start)}-to-{_day(end)}")
    if data.get("status") in ("deleted", "all"):
        parts.append(data["status"])
    parts.append(now.strftime("%Y%m%d-%H%M"))
    return "_".join(parts) + ".csv"


def _day(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else "any"
