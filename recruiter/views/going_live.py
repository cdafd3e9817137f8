"""Going live, on the Sync page: Test connection, the push URL's health and the first backfill.

``annotate_states`` gathers what the partials in templates/recruiter/sync/ show, for every
contract card at once; the POST views act on one contract and return to the Sync page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from recruiter import connection
from recruiter.models import ConnectionCheck, Contract
from recruiter.views.access import recruiting_admin_required
from recruiter.views.sync_state import ContractState


@dataclass
class GoingLive:
    """What the going-live partials show of one contract."""

    check: ConnectionCheck | None = None


def annotate_states(states: list[ContractState]) -> None:
    """Give each state a ``going_live`` (one query for all the contracts)."""
    ids = [state.contract.pk for state in states]
    checks = {c.contract_id: c for c in ConnectionCheck.objects.filter(contract_id__in=ids)}
    for state in states:
        state.going_live = GoingLive(check=checks.get(state.contract.pk))


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
