"""The Sync page's operations panel: is the queue reachable, are workers alive, and how much
of each application's daily LinkedIn call budget is spent (templates/recruiter/sync/
_operations.html)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiter import health, queue, usage
from recruiter.sync_state import ContractState


@dataclass(frozen=True)
class OperationsPanel:
    queue_unreachable: bool
    workers: int | None
    budgets: list[usage.Budget]


def operations_panel(states: list[ContractState]) -> OperationsPanel:
    unreachable = any(state.queue_unreachable for state in states) or not queue.ping()
    if unreachable:
        return OperationsPanel(True, None, [])
    try:
        budgets = usage.site_budgets()
    except queue.QueueUnavailable:
        return OperationsPanel(True, None, [])
    return OperationsPanel(False, health.workers_alive(), budgets)
