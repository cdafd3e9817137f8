"""/metrics: Prometheus' text format, read at scrape time from the database and Redis, open to
a bearer token or to loopback only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from recruiter import usage
from recruiter.models import PushEvent, SyncRun
from tests.helpers import make_contract, make_seat


def scrape(client, **extra) -> dict:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def values(samples, name: str) -> dict[tuple, float]:
    return {tuple(sorted(s.labels.items())): s.value for s in samples if s.name == name}


@pytest.fixture
def site(db):
    contract = make_contract(
        urn="urn:li:contract:55", watermark=timezone.now() - timedelta(minutes=3)
    )
    seat = make_seat(contract)
    seat.__class__.objects.filter(pk=seat.pk).update(note_count=7)
    SyncRun.objects.create(contract=contract, status="succeeded")
    SyncRun.objects.create(contract=contract, status="succeeded")
    SyncRun.objects.create(contract=contract, status="failed")
    PushEvent.objects.create(
        event_type="PROSPECT_NOTE_DELETED",
        raw_body="{}",
        body_sha256="a" * 64,
        outcome="deleted note 12",
    )
    PushEvent.objects.create(
        event_type="PROSPECT_NOTE_DELETED",
        raw_body="{}",
        body_sha256="b" * 64,
        outcome="deleted note 13",
    )
    usage.record(
        usage.application_of(contract),
        {("/prospectNotes", "200"): 40, ("/prospectNotes", "500"): 2},
    )
    return contract


def test_the_metrics_parse_and_carry_the_names_the_issue_lists(client, site):
    families = scrape(client)

    lag = values(families["recruiter_sync_lag_seconds"], "recruiter_sync_lag_seconds")
    assert 170 <= lag[(("contract", "urn:li:contract:55"),)] <= 190
    runs = values(families["recruiter_sync_runs"], "recruiter_sync_runs_total")
    assert runs[(("contract", "urn:li:contract:55"), ("status", "succeeded"))] == 2
    assert runs[(("contract", "urn:li:contract:55"), ("status", "failed"))] == 1
    calls = values(families["recruiter_linkedin_api_calls"], "recruiter_linkedin_api_calls_total")
    assert calls[(("endpoint", "/prospectNotes"), ("status", "200"))] == 40
    assert calls[(("endpoint", "/prospectNotes"), ("status", "500"))] == 2
    pushes = values(families["recruiter_push_events"], "recruiter_push_events_total")
    assert pushes == {(("outcome", "deleted"), ("type", "PROSPECT_NOTE_DELETED")): 2}
    notes = values(families["recruiter_notes"], "recruiter_notes")
    assert notes[(("contract", "urn:li:contract:55"), ("state", "active"))] == 7
    today = values(
        families["recruiter_linkedin_api_calls_today"], "recruiter_linkedin_api_calls_today"
    )
    assert list(today.values()) == [42]
    # Queue depth and workers, from django-rq's collector.
    assert "rq_jobs" in families and "rq_workers" in families
    assert values(families["recruiter_queue_up"], "recruiter_queue_up") == {(): 1}


def test_two_scrapes_agree_as_several_processes_would(client, site):
    first = values(scrape(client)["recruiter_sync_runs"], "recruiter_sync_runs_total")
    second = values(scrape(client)["recruiter_sync_runs"], "recruiter_sync_runs_total")
    assert first == second  # nothing kept in the process: both read the database


def test_metrics_are_refused_to_a_remote_client_without_the_token(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    right = client.get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert right.status_code == 200


def test_a_request_forwarded_by_the_proxy_is_not_loopback(client, db):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 403


def test_metrics_with_redis_down_still_answer(client, site, monkeypatch):
    import redis

    def refuse(*args, **kwargs):
        raise redis.ConnectionError("refused")

    monkeypatch.setattr(redis.Redis, "execute_command", refuse)
    families = scrape(client)
    assert values(families["recruiter_queue_up"], "recruiter_queue_up") == {(): 0}
    assert "recruiter_sync_runs" in families
