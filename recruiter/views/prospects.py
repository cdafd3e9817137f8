"""Prospects: the list with note counts, and one member's timeline across the visible seats."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from recruiter.models import Prospect
from recruiter.permissions import is_recruiting_admin
from recruiter.views.access import notes_viewer_required
from recruiter.visibility import seat_scoped_notes

PER_PAGE = 50
TIMELINE_LIMIT = 200


@require_GET
@notes_viewer_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    prospects = Prospect.objects.all()
    notes = seat_scoped_notes(request.user)
    if not is_recruiting_admin(request.user):
        # A recruiter's prospects are the members their seats wrote about.
        seen = notes.filter(prospect=OuterRef("pk"))
        prospects = prospects.filter(Exists(seen))
    if query:
        prospects = prospects.filter(Q(name__icontains=query) | Q(urn__icontains=query))
    page = Paginator(prospects.order_by("name", "urn"), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # One aggregate for the page's prospects, not one count per row.
    stats = {
        row["prospect_id"]: row
        for row in notes.filter(prospect__in=[p.pk for p in rows])
        .order_by()
        .values("prospect_id")
        .annotate(count=Count("id"), seats=Count("owner", distinct=True), last=Max("created"))
    }
    for prospect in rows:
        row = stats.get(prospect.pk, {})
        prospect.note_count = row.get("count", 0)
        prospect.seat_count = row.get("seats", 0)
        prospect.last_note = row.get("last")
    context = {"page": page, "prospects": rows, "query": query}
    return render(request, "recruiter/prospect_list.html", context)


@require_GET
@notes_viewer_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    admin = is_recruiting_admin(request.user)
    prospect = Prospect.objects.filter(pk=pk).first()
    if prospect is None:
        raise Http404("No such prospect.")
    notes = (
        seat_scoped_notes(request.user, include_deleted=admin)
        .filter(prospect=prospect, created__isnull=False)
        .select_related("owner", "contract")
        .defer("contract__client_secret")  # encrypted; not shown
        .order_by("-created", "-id")
    )
    timeline = list(notes[: TIMELINE_LIMIT + 1])
    if not timeline and not admin:
        # Same answer as for an unknown id: a recruiter learns nothing about other seats'
        # prospects by guessing ids.
        raise Http404("No such prospect.")
    context = {
        "prospect": prospect,
        "notes": timeline[:TIMELINE_LIMIT],
        "truncated": len(timeline) > TIMELINE_LIMIT,
        "limit": TIMELINE_LIMIT,
        "seat_count": len({note.owner_id for note in timeline}),
        "is_admin": admin,
    }
    return render(request, "recruiter/prospect_detail.html", context)
