"""Going live, on the Sync page: Test connection, the push URL's health and the first backfill.

``annotate_states`` gathers what the partials in templates/recruiter/sync/ show, for every
contract card at once; the POST views act on one contract and return to the Sync page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from recruiter import backfill as backfills
from recruiter import connection
from recruiter.models import Backfill, ConnectionCheck, Contract
from recruiter.push_health import PushHealth, push_health
from recruiter.sync_state import ContractState
from recruiter.views.access import recruiting_admin_required


@dataclass
class GoingLive:
    """What the going-live partials show of one contract."""

    check: ConnectionCheck | None = None
    backfill: Backfill | None = None
    can_resume: bool = False
    push: PushHealth | None = None

    @property
    def percent(self) -> float:
        return 100.0 * self.backfill.fraction if self.backfill else 0.0

    @property
    def time_left(self) -> str:
        """The estimate in words, from the rate so far."""
        backfill = self.backfill
        if backfill is None or backfill.status == Backfill.Status.DONE:
            return ""
        seconds = backfill.seconds_left
        if seconds is None:
            return "estimating…"
        return f"about {_duration(seconds)} left"


def annotate_states(states: list[ContractState]) -> None:
    """Give each state a ``going_live`` (two queries for all the contracts)."""
    ids = [state.contract.pk for state in states]
    checks = {c.contract_id: c for c in ConnectionCheck.objects.filter(contract_id__in=ids)}
    fills = {b.contract_id: b for b in Backfill.objects.filter(contract_id__in=ids)}
    now = timezone.now()
    for state in states:
        fill = fills.get(state.contract.pk)
        state.going_live = GoingLive(
            check=checks.get(state.contract.pk),
            backfill=fill,
            can_resume=fill is not None and backfills.can_resume(fill, now),
            push=push_health(state.contract, now),
        )


def going_live_json(state: ContractState) -> dict:
    """The backfill's live figures for the Sync page's polling (static/js/dashboard.js)."""
    live: GoingLive = state.going_live
    fill = live.backfill
    if fill is None:
        return {"backfill": None}
    return {
        "backfill": {
            "status": fill.status,
            "percent": round(live.percent, 1),
            "notes": f"{fill.notes:,} note{'s' if fill.notes != 1 else ''} so far",
            "time_left": live.time_left,
        }
    }


def _duration(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{round(seconds / 86400, 1)} days"


@require_POST
@recruiting_admin_required
def test_connection(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract, pk=pk)
    check = connection.check_connection(contract)
    if check.works:
        messages.success(request, f"{contract}: {check.message}")
    else:
        messages.error(request, f"{contract}: {check.message}")
    return redirect("recruiter:sync_status")


@require_POST
@recruiting_admin_required
def start_backfill(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract, pk=pk)
    try:
        fill, new = backfills.start_backfill(contract)
    except ValueError as exc:
        messages.error(request, f"{contract}: {exc}.")
        return redirect("recruiter:sync_status")
    start = timezone.localtime(fill.start).strftime("%Y-%m-%d")
    if new:
        messages.success(request, f"Backfill of {contract} from {start} queued.")
    else:
        messages.warning(request, f"A backfill of {contract} is already {fill.status}.")
    return redirect("recruiter:sync_status")


@require_POST
@recruiting_admin_required
def pause_backfill(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract, pk=pk)
    fill = backfills.pause_backfill(contract)
    if fill is None:
        messages.warning(request, f"No backfill of {contract} is running.")
    elif fill.status == Backfill.Status.PAUSED:
        messages.success(request, f"Backfill of {contract} paused.")
    else:
        messages.success(request, f"Backfill of {contract} pauses at the next window boundary.")
    return redirect("recruiter:sync_status")


@require_POST
@recruiting_admin_required
def resume_backfill(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract, pk=pk)
    if backfills.resume_backfill(contract) is None:
        messages.warning(request, f"No paused backfill of {contract} to resume.")
    else:
        messages.success(request, f"Backfill of {contract} resumed.")
    return redirect("recruiter:sync_status")
