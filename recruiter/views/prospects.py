"""Prospects: the list with note counts, and one member's timeline across the visible seats."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, Max, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from recruiter.models import Prospect
from recruiter.permissions import is_recruiting_admin, visible_notes, visible_prospects
from recruiter.views.access import notes_viewer_required, recruiting_admin_required

PER_PAGE = 50
TIMELINE_LIMIT = 200


@require_GET
@notes_viewer_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    prospects = visible_prospects(request.user)
    notes = visible_notes(request.user)
    if query:
        prospects = prospects.filter(_name_or_urn(query))
    # Named prospects first, by name; those known only by their URN after them.
    unnamed_last = Case(When(name="", then=Value(1)), default=Value(0))
    ordered = prospects.order_by(unnamed_last, "name", "urn")
    page = Paginator(ordered, PER_PAGE).get_page(request.GET.get("page"))
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


def _name_or_urn(query: str) -> Q:
    """Every word in the name ("jane doe" finds "Doe, Jane"), or the query in the URN."""
    words = query.split()
    in_name = Q()
    for word in words:
        in_name &= Q(name__icontains=word)
    return in_name | Q(urn__icontains=query)


class ProspectNameForm(forms.ModelForm):
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Prospect
        fields = ("name", "url")
        labels = {"name": "Name", "url": "Link"}

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Give an http(s) address.")
        return url


@require_POST
@recruiting_admin_required
def prospect_name(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin names the prospect (and links where the team keeps them); the sync keeps it."""
    prospect = get_object_or_404(Prospect, pk=pk)
    form = ProspectNameForm(request.POST, instance=prospect)
    if form.is_valid():
        form.save()
        messages.success(request, "Name saved.")
    else:
        errors = "; ".join(e for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, f"Not saved: {errors}")
    return redirect("recruiter:prospect_detail", pk=prospect.pk)


@require_GET
@notes_viewer_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    admin = is_recruiting_admin(request.user)
    # Same answer for an unknown id and for another seat's prospect: a recruiter learns
    # nothing by guessing ids.
    prospect = visible_prospects(request.user).filter(pk=pk).first()
    if prospect is None:
        raise Http404("No such prospect.")
    notes = (
        visible_notes(request.user, include_deleted=admin)
        .filter(prospect=prospect, created__isnull=False)
        .select_related("owner", "contract")
        .defer("contract__client_secret")  # encrypted; not shown
        .order_by("-created", "-id")
    )
    timeline = list(notes[: TIMELINE_LIMIT + 1])
    context = {
        "prospect": prospect,
        "notes": timeline[:TIMELINE_LIMIT],
        "truncated": len(timeline) > TIMELINE_LIMIT,
        "limit": TIMELINE_LIMIT,
        "seat_count": len({note.owner_id for note in timeline}),
        "is_admin": admin,
        "name_form": ProspectNameForm(instance=prospect) if admin else None,
    }
    return render(request, "recruiter/prospect_detail.html", context)
