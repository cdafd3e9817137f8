"""Seats: notes count, last activity and the site users each seat belongs to."""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from recruiter.models import ProspectNote
from recruiter.permissions import is_recruiting_admin, visible_seats
from recruiter.views.access import notes_viewer_required


@require_GET
@notes_viewer_required
def seat_list(request: HttpRequest) -> HttpResponse:
    admin = is_recruiting_admin(request.user)
    seats = list(
        visible_seats(request.user)
        .select_related("contract")
        .defer("contract__client_secret")  # encrypted; not shown
        .prefetch_related("users")
        .order_by("contract__name", "contract__urn", "name", "urn")
    )
    notes = ProspectNote.objects.filter(active=True)
    if not admin:
        notes = notes.filter(owner__in=[seat.pk for seat in seats])
    # One grouped query for every seat; "last activity" is the latest write, edits included.
    stats = {
        row["owner_id"]: row
        for row in notes.order_by()
        .values("owner_id")
        .annotate(count=Count("id"), last=Max("last_modified"))
    }
    for seat in seats:
        row = stats.get(seat.pk, {})
        seat.note_count = row.get("count", 0)
        seat.last_activity = row.get("last")
        seat.holders = list(seat.users.all())
    context = {
        "seats": seats,
        "is_admin": admin,
        "unmapped": sum(1 for seat in seats if not seat.holders),
        "contracts": len({seat.contract_id for seat in seats}),
    }
    return render(request, "recruiter/seat_list.html", context)
