"""The search vectors the sync leaves to a job: searchable before and after, reset on edit."""

from __future__ import annotations

from datetime import timedelta

import django_rq
import pytest
from django.db import connection
from django.utils import timezone
from rq import SimpleWorker

from recruiter import jobs
from recruiter.models import Contract, ProspectNote
from recruiter.search import index_pending_notes, search_notes

pytestmark = pytest.mark.django_db


def stored_vectors() -> dict[int, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT linkedin_id, search_vector::text FROM recruiter_prospectnote")
        return dict(cursor.fetchall())


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the stored search vector exists on PostgreSQL only; CI runs this there")


@pytest.fixture
def synced(sandbox):
    urn = sandbox.store.contract_urns()[0]
    contract = Contract.objects.create(
        urn=urn, backfill_start=timezone.now() - timedelta(days=sandbox.config.days + 1)
    )
    sandbox.store.add_note(urn, text="Speaks fluent Quenya and writes Rust")
    jobs.sync_contract(contract.pk)
    return sandbox, contract


def test_a_synced_note_is_found_before_and_after_it_is_indexed(synced):
    found = search_notes(ProspectNote.objects.all(), "quenya")
    assert [note.text for note in found] == ["Speaks fluent Quenya and writes Rust"]

    index_pending_notes()

    found = search_notes(ProspectNote.objects.all(), "quenya rust")
    assert [note.text for note in found] == ["Speaks fluent Quenya and writes Rust"]
    assert not search_notes(ProspectNote.objects.all(), "quenya -rust").exists()


def test_indexing_fills_every_vector_and_an_edit_clears_it(postgres_only, synced):
    sandbox, contract = synced
    assert set(stored_vectors().values()) == {None}  # the sync itself computes none

    indexed = index_pending_notes()

    vectors = stored_vectors()
    assert indexed == len(vectors) > 0
    assert None not in vectors.values()
    note = ProspectNote.objects.filter(active=True).first()
    sandbox.store.edit_note(note.linkedin_id, "Now moved to Lisbon")
    jobs.sync_contract(contract.pk)

    vectors = stored_vectors()
    assert vectors[note.linkedin_id] is None
    assert sum(v is None for v in vectors.values()) == 1
    assert [n.pk for n in search_notes(ProspectNote.objects.all(), "lisbon")] == [note.pk]
    assert index_pending_notes() == 1
    assert "lisbon" in stored_vectors()[note.linkedin_id]


@pytest.mark.django_db(transaction=True)  # jobs are queued when the transaction commits
def test_a_sync_that_wrote_notes_queues_the_indexing_job_once(synced):
    queue = django_rq.get_queue("default")
    assert queue.job_ids == [jobs.INDEX_JOB_ID]
    jobs.sync_contract(synced[1].pk)  # nothing new: nothing more to index
    assert queue.job_ids == [jobs.INDEX_JOB_ID]

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    expected = ProspectNote.objects.count() if connection.vendor == "postgresql" else 0
    assert queue.fetch_job(jobs.INDEX_JOB_ID).return_value() == expected
