"""A bounded push fuzz run, as the audit ran one: a few thousand deliveries to the contracts'
push URLs and the shared one, built from events the sandbox signs as LinkedIn would, from
those events tampered with, from challenge answers used as signatures, and from garbage.
Never a 500, and nothing changes unless the signature is valid for that URL's contract."""

from __future__ import annotations

import json
import random
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from recruiter.models import Contract
from sandbox.push import delete_event_body, sign, status_event_body
from tests.helpers import make_contract, make_note, make_seat

DELIVERIES = 2500
SITE_SECRET = "fuzz-site-secret"
SHARED_URL = "/webhooks/linkedin/"


STATE = """
SELECT (SELECT COUNT(*) FROM recruiter_pushevent),
       (SELECT COALESCE(SUM(deliveries), 0) FROM recruiter_pushevent),
       (SELECT COUNT(*) FROM recruiter_prospectnote WHERE deleted_at IS NOT NULL),
       (SELECT COUNT(*) FROM recruiter_contract WHERE integration_status <> ''),
       (SELECT MAX(integration_status_at) FROM recruiter_contract),
       (SELECT MAX(push_last_event_at) FROM recruiter_contract)
"""


def state() -> tuple:
    """What a delivery can change, in one query: every change a push makes stores or counts a
    PushEvent, deletes a note, or stamps its contract (times only move forward)."""
    with connection.cursor() as cursor:
        cursor.execute(STATE)
        return tuple(cursor.fetchone())


@pytest.fixture
def contracts(db, settings) -> list[tuple[Contract, str, list[int]]]:
    """Two child-application contracts and one on the site's credentials, with notes."""
    settings.LINKEDIN_CLIENT_SECRET = SITE_SECRET
    made = []
    for n, secret in enumerate(["child-one-secret", "child-two-secret", None]):
        contract = make_contract(
            client_id=f"child-{n}" if secret else "", client_secret=secret or ""
        )
        seat = make_seat(contract=contract)
        ids = [
            make_note(owner=seat, linkedin_id=5_000_000 + 1000 * n + i).linkedin_id
            for i in range(40)
        ]
        made.append((contract, secret or SITE_SECRET, ids))
    return made


def tamper(rng: random.Random, body: bytes) -> bytes:
    choice = rng.randrange(5)
    if choice == 0 and body:
        i = rng.randrange(len(body))
        return body[:i] + bytes([body[i] ^ (1 << rng.randrange(8))]) + body[i + 1 :]
    if choice == 1:
        return body + b" "
    if choice == 2:
        return body[: rng.randrange(len(body) + 1)]
    if choice == 3:
        return json.dumps(json.loads(body)).encode().replace(b": ", b":")
    return body.replace(b"DELETE_PROSPECT_NOTE", b"delete_prospect_note")


def garbage(rng: random.Random) -> bytes:
    kind = rng.randrange(5)
    if kind == 0:
        return rng.randbytes(rng.randrange(200))
    if kind == 1:
        return b"[" * rng.randrange(1, 3000)
    if kind == 2:
        return json.dumps(rng.choice([None, 1, "x", [], {}, {"type": None}])).encode()
    if kind == 3:
        return str(uuid.uuid4()).encode()
    return json.dumps({"type": "DELETE_PROSPECT_NOTE", "prospectNoteId": "\x00"}).encode()


def test_a_bounded_push_fuzz_run(client: Client, contracts):
    rng = random.Random(11)
    urls = {c.pk: reverse("contract_webhook", args=[c.push_token]) for c, _, _ in contracts}
    answers = [
        client.get(urls[contracts[0][0].pk], {"challengeCode": str(uuid.uuid4())}).json()[
            "challengeResponse"
        ]
        for _ in range(10)
    ]
    statuses: dict[int, int] = {}
    applied = 0
    current = state()

    for _ in range(DELIVERIES):
        contract, secret, ids = rng.choice(contracts)
        note = {"id": rng.choice(ids + [9_999_999]), "contract": contract.urn}
        if rng.random() < 0.1:
            body = status_event_body(contract.urn, rng.choice(["ENABLED", "DISABLED"]))
        else:
            body = delete_event_body(note)
        url = urls[contract.pk]
        valid = True
        case = rng.randrange(8)
        signature = sign(secret, body)
        if case == 1:  # signed by another contract's application
            _, other_secret, _ = rng.choice([c for c in contracts if c[1] != secret])
            signature, valid = sign(other_secret, body), False
        elif case == 2:  # a challenge answer as the signature
            signature, valid = rng.choice(answers), False
        elif case == 3:  # tampered after signing
            tampered = tamper(rng, body)
            valid = tampered == body
            body = tampered
        elif case == 4:  # garbage, signed or not
            body = garbage(rng)
            signature = sign(secret, body) if rng.random() < 0.5 else rng.choice(["", "0" * 64])
            valid = False
        elif case == 5:  # another contract's URL
            other, _, _ = rng.choice([c for c in contracts if c[0] != contract])
            url, valid = urls[other.pk], False
        elif case == 6:  # the shared URL: only the site-credentials contract's events
            url = SHARED_URL
            valid = not contract.client_id

        response = client.post(
            url, data=body, content_type="application/json", HTTP_X_LI_SIGNATURE=signature
        )

        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code in {200, 400, 401, 413}, (case, body[:80], response.content)
        after = state()
        if not valid:
            assert response.status_code != 200, (case, body[:80])
            assert after == current, (case, body[:80])
        elif response.status_code == 200:
            applied += 1
        current = after

    assert sum(statuses.values()) == DELIVERIES
    assert applied > DELIVERIES // 5  # the valid deliveries were applied, not just refused
    assert statuses.get(401, 0) > DELIVERIES // 5
