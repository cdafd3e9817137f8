"""The GIN indexes the searches read keep no pending list: GIN's "fastupdate" parks new entries
in an unsorted list that every search reads in full until a vacuum, so a search got slower
after each write (PostgreSQL only; pgstattuple's pgstatginindex shows the list)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from recruiter import jobs
from recruiter.models import Contract, Prospect
from recruiter.search import index_pending_notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    if connection.vendor != "postgresql":
        pytest.skip("GIN indexes exist on PostgreSQL only; CI runs this there")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")

    def pending_tuples(index: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pending_tuples FROM pgstatginindex(%s::regclass)", [index])
            return cursor.fetchone()[0]

    return pending_tuples


def test_written_names_are_in_the_trigram_index_at_once(pending):
    Prospect.objects.bulk_create(
        Prospect(urn=f"urn:li:person:p{i}", name=f"Jane Doe {i}") for i in range(300)
    )
    Prospect.objects.filter(urn="urn:li:person:p7").update(name="Renamed")
    assert pending("prospect_name_trgm") == 0


def test_indexing_after_a_sync_leaves_no_pending_entries(pending, sandbox):
    urn = sandbox.store.contract_urns()[0]
    contract = Contract.objects.create(
        urn=urn, backfill_start=timezone.now() - timedelta(days=sandbox.config.days + 1)
    )
    jobs.sync_contract(contract.pk)

    assert Prospect.objects.exists()
    assert pending("prospect_urn_trgm") > 0  # the sync's URNs wait: one by one cost it more

    assert index_pending_notes() > 0
    assert pending("recruiter_note_search") == 0
    assert pending("prospect_urn_trgm") == 0
