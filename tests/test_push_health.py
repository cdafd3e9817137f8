"""The push URL's health on the Sync page and the contract admin: LinkedIn's validations and
deliveries as the push view stamps them, and the warning after 4 hours without a validation
(LinkedIn validates every 2 hours and blocks a URL after 3 failures). Time moves with
time-machine; the validations and the event go through the contract's real push URL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from linkedin import sign
from recruiter.models import Contract
from recruiter.push_health import push_health

SECRET = "child-app-secret"
T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def contract(db) -> Contract:
    return Contract.objects.create(
        urn="urn:li:contract:5150", name="Acme", client_id="child-app", client_secret=SECRET
    )


def push_url(contract: Contract) -> str:
    return reverse("contract_webhook", args=[contract.push_token])


def validate(client, contract: Contract) -> None:
    """LinkedIn's challenge, as it sends it to the contract's own URL."""
    response = client.get(push_url(contract), {"challengeCode": str(uuid.uuid4())})
    assert response.status_code == 200, response.content


def sync_page(client) -> str:
    return client.get(reverse("recruiter:sync_status")).content.decode()


def test_validations_stamp_the_contract_and_silence_warns_after_4_hours(client, alice, contract):
    client.force_login(alice)
    assert 'data-push="unvalidated"' in sync_page(client)
    assert "has not validated this push URL yet" in push_health(contract).notice

    with time_machine.travel(T0, tick=False) as clock:
        validate(client, contract)
        contract.refresh_from_db()
        assert contract.push_last_validated_at == T0
        assert push_health(contract).ok

        clock.shift(timedelta(hours=3, minutes=59))  # one challenge missed: still fine
        assert push_health(contract).ok
        assert 'data-push="ok"' in sync_page(client)

        clock.shift(timedelta(minutes=2))  # over 4 hours: two missed, a third blocks it
        warning = push_health(contract).warning
        assert "No validation from LinkedIn for 4\xa0hours" in warning
        assert "blocks the URL after 3 failed validations" in warning
        page = sync_page(client)
        assert 'data-push="warning"' in page and "blocks the URL after 3 failed" in page

        validate(client, contract)  # LinkedIn is back
        assert 'data-push="ok"' in sync_page(client)
        contract.refresh_from_db()
        assert contract.push_last_validated_at == T0 + timedelta(hours=4, minutes=1)


def test_a_delivered_event_shows_as_the_last_event(client, alice, contract):
    body = json.dumps(
        {
            "type": "DELETE_PROSPECT_NOTE",
            "prospectNoteId": "1323073443",
            "integrationContext": contract.urn,
        }
    ).encode()
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        response = client.post(
            push_url(contract),
            body,
            content_type="application/json",
            headers={"X-LI-Signature": sign(SECRET, body)},
        )
        assert response.status_code == 200, response.content
        client.force_login(alice)
        page = sync_page(client)
    contract.refresh_from_db()
    assert contract.push_last_event_at == T0 + timedelta(minutes=5)
    assert 'data-field="push-event">2026-12-02 08:05' in page


def test_the_contract_admin_shows_the_warning(client, staff, contract):
    Contract.objects.filter(pk=contract.pk).update(push_last_validated_at=T0)
    client.force_login(staff)
    change = reverse("admin:recruiter_contract_change", args=[contract.pk])
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        page = client.get(change).content.decode()
    assert "No validation from LinkedIn for 5\xa0hours" in page
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        page = client.get(change).content.decode()
    assert "No validation from LinkedIn" not in page and "validated" in page
