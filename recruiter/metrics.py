"""/metrics in Prometheus' text format, every value read from the database and Redis when the
page is scraped: any number of gunicorn processes (and hosts) then report the same numbers,
with no multiprocess directory to share. django-rq's own collector adds the queues and workers.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Sum
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from recruiter import health, queue, usage
from recruiter.models import Contract, ProspectNote, PushEvent, Seat, SyncRun


def _push_outcome(outcome: str) -> str:
    """A few values for the label, not one per note: "deleted note 123" -> "deleted"."""
    if not outcome:
        return "pending"
    words = outcome.split()
    for known in ("ignored", "unknown", "already", "deleted", "tombstone"):
        if words[0].rstrip(":") == known:
            return known
    return "other"


class SiteCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        urns = dict(Contract.objects.values_list("pk", "urn"))
        yield from self._lags()
        yield self._runs(urns)
        yield self._notes(urns)
        yield self._push_events()
        yield from self._api_calls()

    def _lags(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "recruiter_sync_lag_seconds",
            "How far each active contract's synced notes trail now (its watermark's age).",
            labels=["contract"],
        )
        never = GaugeMetricFamily(
            "recruiter_sync_never_synced",
            "1 for an active contract never synced yet.",
            labels=["contract"],
        )
        for item in health.contract_lags():
            if item.lag_seconds is None:
                never.add_metric([item.contract.urn], 1)
            else:
                lag.add_metric([item.contract.urn], item.lag_seconds)
        yield lag
        yield never

    def _runs(self, urns: dict[int, str]) -> Metric:
        runs = CounterMetricFamily(
            "recruiter_sync_runs",
            "Sync runs recorded, by contract and outcome.",
            labels=["contract", "status"],
        )
        rows = SyncRun.objects.order_by().values_list("contract_id", "status").annotate(Count("id"))
        for contract_id, status, n in rows:
            runs.add_metric([urns.get(contract_id, str(contract_id)), status], n)
        return runs

    def _notes(self, urns: dict[int, str]) -> Metric:
        notes = GaugeMetricFamily(
            "recruiter_notes",
            "Prospect notes stored, by contract and state.",
            labels=["contract", "state"],
        )
        # Active notes from the seats' counters (kept by triggers), not a count of the table.
        active = Seat.objects.order_by().values_list("contract_id").annotate(Sum("note_count"))
        for contract_id, n in active:
            notes.add_metric([urns.get(contract_id, str(contract_id)), "active"], n or 0)
        deleted = (
            ProspectNote.objects.filter(active=False)
            .order_by()
            .values_list("contract_id")
            .annotate(Count("id"))
        )
        for contract_id, n in deleted:
            notes.add_metric([urns.get(contract_id, str(contract_id)), "deleted"], n)
        return notes

    def _push_events(self) -> Metric:
        events = CounterMetricFamily(
            "recruiter_push_events",
            "Push events received from LinkedIn, by type and outcome.",
            labels=["type", "outcome"],
        )
        totals: dict[tuple[str, str], int] = {}
        rows = (
            PushEvent.objects.order_by().values_list("event_type", "outcome").annotate(Count("id"))
        )
        for event_type, outcome, n in rows:
            key = (event_type or "unknown", _push_outcome(outcome))
            totals[key] = totals.get(key, 0) + n
        for labels, n in sorted(totals.items()):
            events.add_metric(list(labels), n)
        return events

    def _api_calls(self) -> Iterator[Metric]:
        calls = CounterMetricFamily(
            "recruiter_linkedin_api_calls",
            "LinkedIn API calls made by the syncs, by endpoint and HTTP status.",
            labels=["endpoint", "status"],
        )
        today = GaugeMetricFamily(
            "recruiter_linkedin_api_calls_today",
            "LinkedIn API calls made today (UTC) per application, against its daily budget.",
            labels=["application"],
        )
        budget = GaugeMetricFamily(
            "recruiter_linkedin_api_daily_budget",
            "LinkedIn's daily call budget per application.",
            labels=["application"],
        )
        up = GaugeMetricFamily("recruiter_queue_up", "1 when the job queue (Redis) answers.")
        try:
            for (endpoint, status), n in sorted(usage.endpoint_calls().items()):
                calls.add_metric([endpoint, status], n)
            for item in usage.site_budgets():
                today.add_metric([item.application], item.calls)
                budget.add_metric([item.application], item.limit)
            up.add_metric([], 1)
        except queue.QueueUnavailable:
            up.add_metric([], 0)
        yield from (calls, today, budget, up)


def render() -> tuple[bytes, str]:
    """The metrics page's body and content type."""
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SiteCollector())
    rq_collector = queue.rq_collector()
    if rq_collector is not None and queue.ping():
        registry.register(rq_collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST
