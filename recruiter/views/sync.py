"""Sync health for recruiting admins: runs, lag, progress, "Sync now", push events."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from recruiter import queue
from recruiter.chart import notes_per_day
from recruiter.models import Contract, PushEvent, SyncRun
from recruiter.push_urls import PushEndpoint, push_url
from recruiter.retention import end_notice
from recruiter.sync_state import contract_states
from recruiter.views.access import recruiting_admin_required
from recruiter.views.going_live import annotate_states, going_live_json
from recruiter.views.operations import operations_panel

RUNS_PER_CONTRACT = 8
PUSH_EVENTS = 20


@require_GET
@recruiting_admin_required
def sync_status(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    states = contract_states(RUNS_PER_CONTRACT)
    annotate_states(states)
    for state in states:
        state.end_notice = end_notice(state.contract)
        state.push_endpoint = PushEndpoint(state.contract, push_url(request, state.contract))
    context = {
        "states": states,
        "now": now,
        "chart": notes_per_day(),
        "operations": operations_panel(states),
        "push_events": _recent_push_events(),
    }
    return render(request, "recruiter/sync_status.html", context)


def _recent_push_events() -> list[PushEvent]:
    # Neither the bodies (up to LinkedIn's payload size each) nor the contracts' encrypted
    # secrets are shown: not read, not decrypted.
    events = PushEvent.objects.select_related("contract").defer(
        "raw_body", "contract__client_secret"
    )
    return list(events[:PUSH_EVENTS])


@never_cache
@require_GET
@recruiting_admin_required
def sync_progress(request: HttpRequest) -> JsonResponse:
    """Polled by static/js/dashboard.js every ~2 s while the sync page is open."""
    now = timezone.now()
    states = contract_states(1)
    annotate_states(states)
    contracts = [{**s.as_json(now), **going_live_json(s)} for s in states]
    return JsonResponse({"now": now.isoformat(), "contracts": contracts})


@require_POST
@recruiting_admin_required
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.defer("client_secret"), pk=pk)
    (state,) = contract_states(1, Contract.objects.filter(pk=contract.pk))
    if state.busy:
        # The button is disabled then; this answers a stale page or a double submit.
        messages.warning(request, f"A sync of {contract} is already {state.state}.")
        return redirect("recruiter:sync_status")
    try:
        queue.enqueue_sync(contract.pk, SyncRun.Kind.MANUAL)
    except queue.QueueUnavailable as exc:
        messages.error(request, f"Sync of {contract} not queued: {exc}")
    else:
        messages.success(request, f"Sync of {contract} queued.")
    return redirect("recruiter:sync_status")
