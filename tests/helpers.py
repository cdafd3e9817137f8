"""Plain make_<model>(**overrides) helpers: the smallest valid object, overridable by field."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import django_rq
from django.db import connection
from django.utils import timezone
from rq import SimpleWorker

from recruiter.models import Contract, Prospect, ProspectNote, Seat

_ids = itertools.count(1)


def make_contract(**overrides) -> Contract:
    n = next(_ids)
    fields = {"urn": f"urn:li:contract:9{n:03d}", "name": f"Contract {n}"}
    return Contract.objects.create(**{**fields, **overrides})


def make_seat(contract: Contract | None = None, users=(), **overrides) -> Seat:
    n = next(_ids)
    fields = {"urn": f"urn:li:seat:{700000 + n}", "name": f"Seat {n}"}
    seat = Seat.objects.create(contract=contract or make_contract(), **{**fields, **overrides})
    seat.users.add(*users)
    return seat


def make_prospect(**overrides) -> Prospect:
    n = next(_ids)
    return Prospect.objects.create(**{"urn": f"urn:li:person:p{n:05d}", **overrides})


def make_note(owner: Seat | None = None, prospect: Prospect | None = None, **overrides):
    n = next(_ids)
    owner = owner or make_seat()
    created = overrides.pop("created", datetime(2026, 11, 1, 9, 0, tzinfo=UTC) + timedelta(hours=n))
    fields = {
        "contract": owner.contract,
        "linkedin_id": 1_300_000_000 + n,
        "owner": owner,
        "prospect": prospect or make_prospect(),
        "text": f"Note {n}",
        "created": created,
        "last_modified": created,
        "first_synced_at": created,
        "last_synced_at": created,
    }
    note = ProspectNote.objects.create(**{**fields, **overrides})
    if connection.vendor == "postgresql":
        # As the sync leaves a note it inserts: pending in the search backlog (recruiter.search).
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO recruiter_searchbacklog (lo, hi) VALUES (%s, %s)", [note.pk, note.pk]
            )
    return note


def sandbox_contract(sandbox, urn: str | None = None, *, days: int | None = None, **overrides):
    """A contract the sandbox serves (its first unless ``urn``), backfilled from before its data."""
    fields = {
        "urn": urn or sandbox.store.contract_urns()[0],
        "backfill_start": timezone.now() - timedelta(days=days or sandbox.config.days + 1),
    }
    return Contract.objects.create(**{**fields, **overrides})


def work(*queue_names: str, max_jobs: int | None = None) -> None:
    """Run the queued jobs in this process, as `rqworker --burst` would (default queue unless
    named; the first named is served first)."""
    queues = [django_rq.get_queue(name) for name in queue_names or ("default",)]
    SimpleWorker(queues, connection=queues[0].connection).work(burst=True, max_jobs=max_jobs)
