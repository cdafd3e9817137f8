"""The user's own settings page: their time zone."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.forms import TimeZoneForm
from accounts.preferences import set_time_zone


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            set_time_zone(request.user, form.cleaned_data["time_zone"])
            messages.success(request, f"Times are now shown in {form.cleaned_data['time_zone']}.")
            return redirect("accounts:preferences")
        status = 400
    else:
        form = TimeZoneForm(initial={"time_zone": timezone.get_current_timezone_name()})
        status = 200
    return render(request, "accounts/preferences.html", {"form": form}, status=status)
