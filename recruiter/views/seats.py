"""Seats: holder, state, roles, notes count, last activity and the site users of each seat;
for admins, unmapped and inactive seats flagged, with a one-click "map to user"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from recruiter import seatmap
from recruiter.models import Seat, seat_label_order
from recruiter.permissions import is_recruiting_admin, visible_seats
from recruiter.views.access import notes_viewer_required, recruiting_admin_required


@require_GET
@notes_viewer_required
def seat_list(request: HttpRequest) -> HttpResponse:
    admin = is_recruiting_admin(request.user)
    # The counts and last activity are columns the notes' triggers keep exact (migration
    # *_note_counters): three queries whatever the number of notes, seats or users.
    seats = list(
        visible_seats(request.user)
        .select_related("contract")
        .defer("contract__client_secret")  # encrypted; not shown
        .prefetch_related("users")
        .order_by("contract__name", "contract__urn", "-listed", seat_label_order())
    )
    for seat in seats:
        seat.holders = list(seat.users.all())
    context = {
        "seats": seats,
        "is_admin": admin,
        "unmapped": sum(1 for seat in seats if not seat.holders and seat.is_active),
        "inactive": sum(1 for seat in seats if not seat.is_active),
        "contracts": len({seat.contract_id for seat in seats}),
        # Row links from prefixes: a {% url %} per row costs more than the page's queries.
        "notes_url": reverse("recruiter:note_list"),
        "map_url_prefix": reverse("recruiter:seat_list"),
    }
    return render(request, "recruiter/seat_list.html", context)


def _mappable_users() -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .only("id", "username", "first_name", "last_name")
        .order_by("first_name", "username")
    )


@recruiting_admin_required
def seat_map(request: HttpRequest, pk: int) -> HttpResponse:
    """Map a site user to the seat by hand (an override the automatic mapping keeps): the
    seats page's "Map to user" opens this small form."""
    seat = get_object_or_404(
        Seat.objects.select_related("contract").defer("contract__client_secret"), pk=pk
    )
    if request.method != "POST":
        context = {"seat": seat, "users": _mappable_users(), "holders": list(seat.users.all())}
        return render(request, "recruiter/seat_map.html", context)
    user_id = request.POST.get("user", "")
    user = (
        get_user_model().objects.filter(pk=int(user_id), is_active=True).first()
        if user_id.isdigit()
        else None
    )
    if user is None:
        messages.error(request, "Choose a site user to map to the seat.")
        return redirect("recruiter:seat_map", pk=seat.pk)
    if seatmap.map_user(seat, user, by=request.user):
        messages.success(request, f"{user.get_full_name() or user} now holds {seat}.")
    else:
        messages.info(request, f"{user.get_full_name() or user} already holds {seat}.")
    return redirect(f"{reverse('recruiter:seat_list')}#seat-{seat.pk}")
