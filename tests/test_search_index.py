"""The search vectors the sync leaves to a job: searchable before and after, reset on edit."""

from __future__ import annotations

from datetime import timedelta

import django_rq
import pytest
from django.db import connection
from django.utils import timezone
from rq import SimpleWorker

from recruiter import jobs, sync
from recruiter import queue as recruiter_queue
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


def backlog() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT lo, hi FROM recruiter_searchbacklog")
        return cursor.fetchall()


def test_indexing_fills_every_vector_and_an_edit_is_indexed_by_the_sync(postgres_only, synced):
    sandbox, contract = synced
    assert set(stored_vectors().values()) == {None}  # the sync itself computes none
    ids = ProspectNote.objects.values_list("pk", flat=True)
    assert backlog() and all(any(lo <= pk <= hi for lo, hi in backlog()) for pk in ids)

    indexed = index_pending_notes()

    vectors = stored_vectors()
    assert indexed == len(vectors) > 0
    assert None not in vectors.values()
    assert backlog() == []
    note = ProspectNote.objects.filter(active=True).first()
    sandbox.store.edit_note(note.linkedin_id, "Now moved to Lisbon")
    jobs.sync_contract(contract.pk)

    assert "lisbon" in stored_vectors()[note.linkedin_id]  # in the merge: nothing pending
    assert backlog() == [] and index_pending_notes() == 0
    assert [n.pk for n in search_notes(ProspectNote.objects.all(), "lisbon")] == [note.pk]


def test_several_pending_ranges_are_searched_and_indexed(postgres_only, sandbox, monkeypatch):
    urn = sandbox.store.contract_urns()[0]
    contract = Contract.objects.create(
        urn=urn, backfill_start=timezone.now() - timedelta(days=sandbox.config.days + 1)
    )
    sandbox.store.add_note(urn, text="Speaks fluent Quenya and writes Rust")
    monkeypatch.setattr(sync, "WRITE_BATCH_NOTES", 7)
    jobs.sync_contract(contract.pk)
    assert len(backlog()) > 1

    found = search_notes(ProspectNote.objects.all(), "quenya")
    assert [note.text for note in found] == ["Speaks fluent Quenya and writes Rust"]
    assert index_pending_notes() == ProspectNote.objects.count()
    assert backlog() == [] and None not in stored_vectors().values()
    assert search_notes(ProspectNote.objects.all(), "quenya").count() == 1


@pytest.mark.django_db(transaction=True)  # jobs are queued when the transaction commits
def test_a_sync_that_wrote_notes_queues_the_indexing_job_once(synced):
    queue = django_rq.get_queue("default")
    assert queue.job_ids == [recruiter_queue.INDEX_JOB_ID]
    jobs.sync_contract(synced[1].pk)  # nothing new: nothing more to index
    assert queue.job_ids == [recruiter_queue.INDEX_JOB_ID]

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    expected = ProspectNote.objects.count() if connection.vendor == "postgresql" else 0
    assert queue.fetch_job(recruiter_queue.INDEX_JOB_ID).return_value() == expected
