"""The LinkedIn client against `responses`: exact requests, paging, retries, auth, records.

Plain pytest; no Django. Each HTTP exchange is checked against the seed pages' examples.
"""

from __future__ import annotations

import json
import logging
import pickle
import threading
import time
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from linkedin import (
    AuthError,
    ClientCredentials,
    ConflictError,
    LinkedInClient,
    LinkedInError,
    ProspectNote,
    PushEvent,
    RecommendationRequest,
    RetryPolicy,
    TokenSet,
    authorization_url,
    challenge_response,
    clear_token_cache,
    exchange_code,
    introspect_token,
    refresh_token,
    sign,
    verify_signature,
)
from linkedin.records import RECIPIENT_STATUSES, RELATIONSHIPS, REQUESTER_STATUSES, Paging
from linkedin.restli import build_query
from linkedin.retry import parse_retry_after

BASE = "https://api.test/v2"
OAUTH = "https://www.test/oauth/v2"
TOKEN = "tok-SECRET-123"
TIMEOUT = (3.05, 30.0)

SEED_URN = "urn:li:recommendationRequest:(urn:li:person:123ABC,123456)"
SEED_URN_2 = "urn:li:recommendationRequest:(urn:li:person:123ABC,456789)"
SEED_KEY = "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C123456%29"
SEED_KEY_2 = "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C456789%29"

SEED_NOTES_PAGE = {
    "elements": [
        {
            "active": True,
            "contract": "urn:li:contract:1234567",
            "created": 1489192513000,
            "id": note_id,
            "lastModified": 1489192513000,
            "member": member,
            "note": f"Testing out the Notes functionality {n}",
            "owner": owner,
        }
        for n, note_id, member, owner in [
            (1, 1323073443, "urn:li:person:a1b2c3d4e5", "urn:li:seat:123456789"),
            (2, 1285510423, "urn:li:person:f6g7h8i9j0", "urn:li:seat:987654321"),
            (3, 1323073443, "urn:li:person:a1b2c3d4e5", "urn:li:seat:123456789"),
            (4, 1323073443, "urn:li:person:a1b2c3d4e5", "urn:li:seat:123456789"),
            (5, 1323073443, "urn:li:person:a1b2c3d4e5", "urn:li:seat:123456789"),
        ]
    ],
    "paging": {
        "count": 5,
        "links": [
            {
                "href": "/v2/prospectNotes?beforeDate=1489192513000&contract=urn%3Ali%3Acontract"
                "%3A1234567&count=5&q=criteria&start=5&owners=urn%3Ali%3Aseat%3A123456789",
                "rel": "next",
                "type": "application/json",
            }
        ],
        "start": 0,
        "total": 10,
    },
}

SEED_REQUEST = {
    "created": 1490373303379,
    "id": 267254,
    "lastModified": 1490383550104,
    "numRequests": 1,
    "relationship": "RECOMMENDER_REPORTED_TO_RECOMMENDEE",
    "requestee": "urn:li:person:444FFF",
    "requesteeEntity": "urn:li:position:(urn:li:person:444FFF,40855915)",
    "requester": "urn:li:person:123ABC",
    "requesterEntity": "urn:li:position:(urn:li:person:123ABC,40170411)",
    "status": "PENDING",
}

DAILY_QUOTA = {
    "status": 429,
    "serviceErrorCode": 101,
    "message": (
        "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
    ),
}


class RecordingSession(requests.Session):
    """A Session that remembers the timeout of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[object] = []

    def request(self, method, url, *args, **kwargs):
        self.timeouts.append(kwargs.get("timeout"))
        return super().request(method, url, *args, **kwargs)


class FakeTime:
    """A clock that only moves when the client sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


# Deterministic backoff: always the ceiling of the jitter range.
CEILING = RetryPolicy(jitter=lambda low, high: high)


@pytest.fixture
def make_client(fake_time):
    sessions: list[RecordingSession] = []

    def make(token=TOKEN, **overrides) -> LinkedInClient:
        session = RecordingSession()
        sessions.append(session)
        options = {
            "retry": CEILING,
            "session": session,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
        }
        options.update(overrides)
        return LinkedInClient(BASE, token, **options)

    yield make
    # Whatever the test did, no request left without the client's (connect, read) timeout.
    for session in sessions:
        assert all(timeout == TIMEOUT for timeout in session.timeouts), session.timeouts


@pytest.fixture
def client(make_client) -> LinkedInClient:
    return make_client()


def query_of(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def notes_page(start: int, n: int, *, count: int, total: int | None = None, links=None):
    paging = {"start": start, "count": count}
    if total is not None:
        paging["total"] = total
    if links is not None:
        paging["links"] = links
    return {
        "elements": [
            {
                "id": start + i,
                "contract": "urn:li:contract:1",
                "owner": "urn:li:seat:1",
                "member": f"urn:li:person:m{start + i}",
                "note": f"note {start + i}",
                "created": 1,
                "lastModified": 2,
                "active": True,
            }
            for i in range(n)
        ],
        "paging": paging,
    }


# -- exact requests -----------------------------------------------------------------------


def test_prospect_notes_finder_request_matches_the_seed(rsps, client):
    second_page = {"elements": [], "paging": {"start": 5, "count": 5, "total": 10}}
    rsps.get(f"{BASE}/prospectNotes", json=SEED_NOTES_PAGE)
    rsps.get(f"{BASE}/prospectNotes", json=second_page)

    pages = list(
        client.iter_prospect_note_pages(
            "urn:li:contract:1234567",
            owners=["urn:li:seat:123456789"],
            before=1489192513000,
            count=5,
        )
    )

    assert rsps.calls[0].request.url == (
        f"{BASE}/prospectNotes?q=criteria&contract=urn%3Ali%3Acontract%3A1234567"
        "&owners=List(urn%3Ali%3Aseat%3A123456789)&beforeDate=1489192513000&start=0&count=5"
    )
    # The next start comes from the answered paging, and our own encoding is kept.
    assert rsps.calls[1].request.url == (
        f"{BASE}/prospectNotes?q=criteria&contract=urn%3Ali%3Acontract%3A1234567"
        "&owners=List(urn%3Ali%3Aseat%3A123456789)&beforeDate=1489192513000&start=5&count=5"
    )
    headers = rsps.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert headers["X-RestLi-Method"].upper() == "FINDER"
    assert headers["User-Agent"] == "linkedin-recruiter-dashboard/0.1"
    assert headers["Accept"] == "application/json"
    assert len(pages) == 2


def test_seed_sample_page_is_parsed_with_its_repeated_id(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json=SEED_NOTES_PAGE)
    rsps.get(f"{BASE}/prospectNotes", json={"elements": [], "paging": {"start": 5, "count": 5}})

    notes = list(client.iter_prospect_notes("urn:li:contract:1234567", count=5))

    assert [n.id for n in notes] == [1323073443, 1285510423, 1323073443, 1323073443, 1323073443]
    assert [n.note for n in notes] == [
        f"Testing out the Notes functionality {i}" for i in range(1, 6)
    ]
    first = notes[0]
    assert first == ProspectNote(
        id=1323073443,
        contract="urn:li:contract:1234567",
        owner="urn:li:seat:123456789",
        member="urn:li:person:a1b2c3d4e5",
        note="Testing out the Notes functionality 1",
        created=1489192513000,
        last_modified=1489192513000,
        active=True,
    )


def test_get_by_urn_uses_the_seed_encoded_path(rsps, client):
    rsps.get(f"{BASE}/recommendationRequest/{SEED_KEY}", json=SEED_REQUEST)

    request = client.get_recommendation_request(SEED_URN)

    assert rsps.calls[0].request.url == (
        "https://api.test/v2/recommendationRequest/"
        "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C123456%29"
    )
    assert rsps.calls[0].request.headers["X-RestLi-Method"].upper() == "GET"
    assert request.urn == SEED_URN
    assert request.id == 267254
    assert request.relationship_label == RELATIONSHIPS["RECOMMENDER_REPORTED_TO_RECOMMENDEE"]
    assert request.requester_entity == "urn:li:position:(urn:li:person:123ABC,40170411)"


def test_batch_get_matches_the_seed_and_decodes_map_keys(rsps, client):
    rsps.get(
        f"{BASE}/recommendationRequest",
        json={
            # One key in the reduced (escaped) form, one error key literal: both must map back.
            "results": {SEED_KEY: {**SEED_REQUEST, "id": 123456}},
            "statuses": {SEED_KEY: 200, SEED_URN_2: 404},
            "errors": {SEED_URN_2: {"status": 404, "message": "Not found"}},
        },
    )

    result = client.batch_get_recommendation_requests([SEED_URN, SEED_URN_2, SEED_URN])

    assert rsps.calls[0].request.url == (
        "https://api.test/v2/recommendationRequest?ids=List("
        "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C123456%29,"
        "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3A123ABC%2C456789%29)"
    )
    assert rsps.calls[0].request.headers["X-RestLi-Method"].upper() == "BATCH_GET"
    assert list(result.results) == [SEED_URN]
    assert result.results[SEED_URN].id == 123456
    assert list(result.errors) == [SEED_URN_2]
    assert result.errors[SEED_URN_2].status == 404
    assert str(result.errors[SEED_URN_2]) == "LinkedIn 404: Not found"


def test_batch_get_reports_keys_missing_from_the_answer(rsps, client):
    rsps.get(f"{BASE}/recommendationRequest", json={"results": {}, "errors": {}})

    result = client.batch_get_recommendation_requests([SEED_URN])

    assert result.results == {}
    assert result.errors[SEED_URN].status == 404


def test_batch_get_chunks_long_id_lists(rsps, make_client):
    client = make_client()
    client.batch_get_size = 2
    rsps.get(f"{BASE}/recommendationRequest", json={"results": {}})
    urns = [f"urn:li:recommendationRequest:(urn:li:person:A,{n})" for n in range(5)]

    result = client.batch_get_recommendation_requests(urns)

    asked = [query_of(call)["ids"][0] for call in rsps.calls]
    assert len(asked) == 3
    assert asked[2] == "List(urn:li:recommendationRequest:(urn:li:person:A,4))"
    assert set(result.errors) == set(urns)


def test_no_ids_means_no_call(rsps, client):
    assert client.batch_get_recommendation_requests([]).results == {}
    assert len(rsps.calls) == 0


def test_partial_update_sends_the_seed_patch(rsps, client):
    rsps.post(f"{BASE}/recommendationRequest/{SEED_KEY}", status=204)

    client.update_recommendation_request(SEED_URN, status="DECLINED")

    call = rsps.calls[0]
    assert call.request.method == "POST"
    assert call.request.url == f"{BASE}/recommendationRequest/{SEED_KEY}"
    assert call.request.headers["X-RestLi-Method"].upper() == "PARTIAL_UPDATE"
    assert call.request.headers["Content-Type"] == "application/json"
    assert json.loads(call.request.body) == {"patch": {"$set": {"status": "DECLINED"}}}


def test_partial_update_maps_python_names(rsps, client):
    rsps.post(f"{BASE}/recommendationRequest/{SEED_KEY}", status=204)

    client.update_recommendation_request(
        SEED_URN,
        relationship="WORKED_IN_SAME_GROUP",
        requestee_entity="urn:li:position:(urn:li:person:444FFF,1)",
        previous_recommendation="urn:li:recommendation:9",
        notification_subject="Hi",
        notification_message="Please",
        status=None,
    )

    assert json.loads(rsps.calls[0].request.body) == {
        "patch": {
            "$set": {
                "relationship": "WORKED_IN_SAME_GROUP",
                "requesteeEntity": "urn:li:position:(urn:li:person:444FFF,1)",
                "previousRecommendation": "urn:li:recommendation:9",
                "notification": {"subject": "Hi", "message": "Please"},
            }
        }
    }


def test_partial_update_refuses_unknown_or_empty_changes(rsps, client):
    with pytest.raises(TypeError, match="colour"):
        client.update_recommendation_request(SEED_URN, colour="blue")
    with pytest.raises(ValueError, match="nothing to update"):
        client.update_recommendation_request(SEED_URN)
    with pytest.raises(ValueError, match="go together"):
        client.update_recommendation_request(SEED_URN, notification_subject="only")
    assert len(rsps.calls) == 0


def test_partial_update_conflict_and_forbidden(rsps, client):
    rsps.post(
        f"{BASE}/recommendationRequest/{SEED_KEY}",
        status=409,
        json={"status": 409, "message": "Request is not pending"},
    )
    rsps.post(
        f"{BASE}/recommendationRequest/{SEED_KEY}",
        status=403,
        json={"status": 403, "serviceErrorCode": 100, "message": "Not enough permissions"},
    )

    with pytest.raises(ConflictError) as conflict:
        client.update_recommendation_request(SEED_URN, status="ACCEPTED")
    with pytest.raises(LinkedInError) as forbidden:
        client.update_recommendation_request(SEED_URN, status="WITHDRAWN")

    assert conflict.value.status == 409 and not conflict.value.transient
    assert not isinstance(forbidden.value, ConflictError)
    assert str(forbidden.value) == "LinkedIn 403 (serviceErrorCode 100): Not enough permissions"
    assert len(rsps.calls) == 2  # permanent errors are not retried


@pytest.mark.parametrize("header", [SEED_URN, SEED_KEY])
def test_create_sends_the_seed_body_and_reads_x_restli_id(rsps, client, header):
    rsps.post(f"{BASE}/recommendationRequest", status=201, headers={"X-RestLi-Id": header})

    urn = client.create_recommendation_request(
        requestee="urn:li:person:444FFF",
        subject="Recommendation request!!",
        message="Can you write me a recommendation? Thanks!",
    )

    assert urn == SEED_URN
    call = rsps.calls[0]
    assert call.request.headers["X-RestLi-Method"].upper() == "CREATE"
    assert json.loads(call.request.body) == {
        "notification": {
            "message": "Can you write me a recommendation? Thanks!",
            "subject": "Recommendation request!!",
        },
        "requestee": "urn:li:person:444FFF",
    }


def test_create_includes_optional_fields_when_given(rsps, client):
    rsps.post(f"{BASE}/recommendationRequest", status=201, headers={"X-RestLi-Id": SEED_URN})

    client.create_recommendation_request(
        requestee="urn:li:person:444FFF",
        subject="s",
        message="m",
        relationship="WORKED_IN_SAME_GROUP",
        requester_entity="urn:li:position:(urn:li:person:123ABC,40170411)",
    )

    body = json.loads(rsps.calls[0].request.body)
    assert body["relationship"] == "WORKED_IN_SAME_GROUP"
    assert body["requesterEntity"] == "urn:li:position:(urn:li:person:123ABC,40170411)"
    assert "requesteeEntity" not in body and "previousRecommendation" not in body


def test_create_without_id_header_is_an_error(rsps, client):
    rsps.post(f"{BASE}/recommendationRequest", status=201)
    with pytest.raises(LinkedInError, match="X-RestLi-Id"):
        client.create_recommendation_request(requestee="urn:li:person:1", subject="s", message="m")


def test_create_is_not_resent_after_a_server_error(rsps, client, fake_time):
    # A 500 may come after the request was created: sending it again could make two.
    rsps.post(f"{BASE}/recommendationRequest", status=500, json={"message": "boom"})
    with pytest.raises(LinkedInError) as caught:
        client.create_recommendation_request(requestee="urn:li:person:1", subject="s", message="m")
    assert caught.value.status == 500
    assert len(rsps.calls) == 1 and fake_time.sleeps == []


def test_create_is_retried_after_throttling(rsps, client):
    rsps.post(f"{BASE}/recommendationRequest", status=429, json={"message": "slow down"})
    rsps.post(f"{BASE}/recommendationRequest", status=201, headers={"X-RestLi-Id": SEED_URN})
    urn = client.create_recommendation_request(
        requestee="urn:li:person:1", subject="s", message="m"
    )
    assert urn == SEED_URN and len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("failure", "resent"),
    [
        (requests.ConnectTimeout("connect timed out"), True),
        (requests.ConnectionError("Connection reset by peer"), False),
        (requests.ReadTimeout("read timed out"), False),
    ],
    ids=["connect-timeout", "reset-after-send", "read-timeout"],
)
def test_create_is_resent_only_if_it_never_left(rsps, client, failure, resent):
    rsps.post(f"{BASE}/recommendationRequest", body=failure)
    if resent:
        rsps.post(f"{BASE}/recommendationRequest", status=201, headers={"X-RestLi-Id": SEED_URN})
        urn = client.create_recommendation_request(
            requestee="urn:li:person:1", subject="s", message="m"
        )
        assert urn == SEED_URN and len(rsps.calls) == 2
    else:
        with pytest.raises(LinkedInError) as caught:
            client.create_recommendation_request(
                requestee="urn:li:person:1", subject="s", message="m"
            )
        assert caught.value.status is None and caught.value.transient
        assert len(rsps.calls) == 1


def test_create_is_retried_when_the_token_endpoint_fails(rsps, make_client):
    rsps.post(f"{OAUTH}/accessToken", status=503, body="down")
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-1", "expires_in": 1800})
    rsps.post(f"{BASE}/recommendationRequest", status=201, headers={"X-RestLi-Id": SEED_URN})
    client = make_client(token=ClientCredentials(OAUTH, "id", "secret"))
    assert (
        client.create_recommendation_request(requestee="urn:li:person:1", subject="s", message="m")
        == SEED_URN
    )


def test_recipient_and_requester_finders(rsps, client):
    seed_answer = {
        "elements": [
            {
                "created": 1490383269808,
                "id": 269405,
                "lastModified": 1490383269809,
                "numRequests": 1,
                "requestee": "urn:li:person:123ABC",
                "requester": "urn:li:person:999AAA",
                "status": "PENDING",
            },
            {**SEED_REQUEST, "status": "SOMETHING_NEW", "deleted": False},
        ],
        "paging": {"count": 10, "links": [], "start": 0, "total": 2},
    }
    rsps.get(f"{BASE}/recommendationRequest", json=seed_answer)
    rsps.get(f"{BASE}/recommendationRequest", json=seed_answer)

    received = list(client.iter_received_requests(["ACCEPTED", "PENDING"]))
    sent = list(
        client.iter_sent_requests(
            ["PENDING"], entity_filters=["urn:li:position:(urn:li:person:123ABC,40170411)"]
        )
    )

    assert rsps.calls[0].request.url == (
        f"{BASE}/recommendationRequest?q=recipient&statusFilters=List(ACCEPTED,PENDING)"
        "&start=0&count=50"
    )
    assert rsps.calls[1].request.url == (
        f"{BASE}/recommendationRequest?q=requester&statusFilters=List(PENDING)"
        "&entityFilters=List(urn%3Ali%3Aposition%3A%28urn%3Ali%3Aperson%3A123ABC%2C40170411%29)"
        "&start=0&count=50"
    )
    assert [r.urn for r in received] == [
        "urn:li:recommendationRequest:(urn:li:person:999AAA,269405)",
        "urn:li:recommendationRequest:(urn:li:person:123ABC,267254)",
    ]
    # An unknown status and an unknown field are kept as they came.
    assert received[1].status == "SOMETHING_NEW"
    assert received[1].extra == {"deleted": False}
    assert len(sent) == 2


def test_userinfo_and_person_urn(rsps, client):
    rsps.get(f"{BASE}/userinfo", json={"sub": "alice01", "name": "Alice"})
    rsps.get(f"{BASE}/userinfo", json={"name": "no sub"})

    assert client.person_urn() == "urn:li:person:alice01"
    with pytest.raises(LinkedInError, match="sub"):
        client.person_urn()
    assert "X-RestLi-Method" not in rsps.calls[0].request.headers


# -- paging -------------------------------------------------------------------------------


def test_server_capped_count_is_followed(rsps, client):
    """Ask 500, the server answers 100 per page: the next start is 100, not 500."""
    total = 250

    def answer(request):
        q = parse_qs(urlsplit(request.url).query)
        start = int(q["start"][0])
        n = max(0, min(100, total - start))
        return 200, {}, json.dumps(notes_page(start, n, count=100, total=total))

    rsps.add_callback(responses.GET, f"{BASE}/prospectNotes", callback=answer)

    notes = list(client.iter_prospect_notes("urn:li:contract:1", count=500))

    assert [query_of(c)["start"] for c in rsps.calls] == [["0"], ["100"], ["200"]]
    assert all(query_of(c)["count"] == ["500"] for c in rsps.calls)
    assert [n.id for n in notes] == list(range(total))


def test_paging_without_total_ends_on_a_short_page(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(0, 3, count=3))
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(3, 3, count=3))
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(6, 1, count=3))

    notes = list(client.iter_prospect_notes("urn:li:contract:1", count=3))

    assert [n.id for n in notes] == list(range(7))
    assert len(rsps.calls) == 3


def test_paging_ends_on_an_empty_page(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(0, 3, count=3))
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(3, 0, count=3))
    assert len(list(client.iter_prospect_notes("urn:li:contract:1", count=3))) == 3
    assert len(rsps.calls) == 2


def test_paging_ends_when_links_hold_no_next(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(0, 3, count=3, links=[]))
    assert len(list(client.iter_prospect_notes("urn:li:contract:1", count=3))) == 3
    assert len(rsps.calls) == 1


def test_paging_ends_at_total(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(0, 3, count=3, total=6))
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(3, 3, count=3, total=6))
    assert len(list(client.iter_prospect_notes("urn:li:contract:1", count=3))) == 6
    assert len(rsps.calls) == 2


def test_pages_are_fetched_lazily(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(0, 3, count=3))
    pages = client.iter_prospect_note_pages("urn:li:contract:1", count=3)
    assert len(rsps.calls) == 0
    first = next(pages)
    assert len(first.elements) == 3 and len(rsps.calls) == 1


def test_paging_that_does_not_advance_is_an_error(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(0, 3, count=3))
    rsps.get(f"{BASE}/prospectNotes", json=notes_page(0, 3, count=3))
    with pytest.raises(LinkedInError, match="did not advance"):
        list(client.iter_prospect_notes("urn:li:contract:1", count=3))


def test_a_page_without_elements_is_a_permanent_error(rsps, client):
    rsps.get(f"{BASE}/prospectNotes", json={"paging": {}})
    with pytest.raises(LinkedInError, match="no elements") as caught:
        list(client.iter_prospect_notes("urn:li:contract:1"))
    assert not caught.value.transient


# -- retries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 429, "json": {"status": 429, "message": "Too many requests"}},
        {"status": 500, "json": {"status": 500, "message": "Internal error"}},
        {"status": 503, "body": "Service Unavailable"},
        {"body": requests.ConnectionError("Connection reset by peer")},
        {"body": requests.ReadTimeout("read timed out")},
        {"status": 200, "body": '{"elements": [{"id": 1, "note": "cut off'},
    ],
    ids=["429", "500", "503", "reset", "timeout", "truncated-json"],
)
def test_transient_failures_are_retried_with_backoff(rsps, client, fake_time, failure):
    rsps.get(f"{BASE}/userinfo", **failure)
    rsps.get(f"{BASE}/userinfo", **failure)
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})

    assert client.userinfo() == {"sub": "abc"}

    assert len(rsps.calls) == 3
    # Full jitter draws from [0, base * 2**n]; the test policy always takes the ceiling.
    assert fake_time.sleeps == [0.5, 1.0]
    assert client.stats.calls == 3
    assert client.stats.retries == 2


def test_backoff_is_jittered_and_capped():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, max_attempts=50, max_total_seconds=1e9)
    delays = [policy.next_delay(attempt, 0.0) for attempt in range(1, 40)]
    assert all(d is not None and 0 <= d <= 5.0 for d in delays)
    assert len(set(delays)) > 1  # jittered, not a fixed schedule
    assert policy.next_delay(50, 0.0) is None


def test_retry_after_seconds_is_honoured(rsps, client, fake_time):
    rsps.get(f"{BASE}/userinfo", status=429, headers={"Retry-After": "7"}, json={"message": "x"})
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})
    client.userinfo()
    assert fake_time.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(rsps, client, fake_time):
    later = formatdate(time.time() + 30, usegmt=True)
    rsps.get(f"{BASE}/userinfo", status=503, headers={"Retry-After": later}, body="busy")
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})
    client.userinfo()
    assert len(fake_time.sleeps) == 1 and 27 <= fake_time.sleeps[0] <= 30


def test_retry_after_beyond_the_budget_is_not_waited_for(rsps, make_client, fake_time):
    client = make_client(retry=RetryPolicy(max_total_seconds=60))
    rsps.get(f"{BASE}/userinfo", status=429, headers={"Retry-After": "120"}, json={"message": "x"})
    with pytest.raises(LinkedInError) as caught:
        client.userinfo()
    assert caught.value.retry_after == 120
    assert fake_time.sleeps == [] and len(rsps.calls) == 1


def test_attempts_are_bounded(rsps, make_client, fake_time):
    client = make_client(retry=RetryPolicy(max_attempts=3, jitter=lambda low, high: high))
    rsps.get(f"{BASE}/userinfo", status=503, body="down")

    with pytest.raises(LinkedInError) as caught:
        client.userinfo()

    assert caught.value.status == 503 and caught.value.transient
    assert len(rsps.calls) == 3
    assert fake_time.sleeps == [0.5, 1.0]


def test_total_time_is_bounded(rsps, make_client, fake_time):
    policy = RetryPolicy(max_attempts=100, max_total_seconds=5.0, jitter=lambda low, high: high)
    client = make_client(retry=policy)
    rsps.get(f"{BASE}/userinfo", status=503, body="down")

    with pytest.raises(LinkedInError):
        client.userinfo()

    # 0.5 + 1 + 2, then only the 1.5 s left of the budget, then no time to wait at all.
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 1.5]
    assert len(rsps.calls) == 5


def test_daily_quota_is_not_retried(rsps, client, fake_time):
    rsps.get(f"{BASE}/prospectNotes", status=429, json=DAILY_QUOTA)

    with pytest.raises(LinkedInError) as caught:
        list(client.iter_prospect_notes("urn:li:contract:1"))

    assert caught.value.is_daily_quota
    assert caught.value.transient  # it is throttling, just not worth retrying today
    assert len(rsps.calls) == 1 and fake_time.sleeps == []


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_permanent_errors_are_raised_at_once(rsps, client, fake_time, status):
    rsps.get(f"{BASE}/userinfo", status=status, json={"status": status, "message": "no"})
    with pytest.raises(LinkedInError) as caught:
        client.userinfo()
    assert caught.value.status == status and not caught.value.transient
    assert len(rsps.calls) == 1 and fake_time.sleeps == []


def test_html_error_page_gives_a_clear_error(rsps, make_client):
    client = make_client(retry=RetryPolicy(max_attempts=1))
    html = (
        "<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>"
        "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    )
    rsps.get(f"{BASE}/userinfo", status=502, body=html, content_type="text/html")

    with pytest.raises(LinkedInError) as caught:
        client.userinfo()

    assert caught.value.status == 502 and caught.value.transient
    assert str(caught.value) == "LinkedIn 502: 502 Bad Gateway 502 Bad Gateway nginx"


def test_long_error_bodies_are_cut_short(rsps, make_client):
    client = make_client(retry=RetryPolicy(max_attempts=1))
    rsps.get(f"{BASE}/userinfo", status=500, body="x" * 5000)
    with pytest.raises(LinkedInError) as caught:
        client.userinfo()
    assert len(caught.value.message) <= 200


def test_stats_count_calls_and_statuses(rsps, client):
    rsps.get(f"{BASE}/userinfo", status=500, body="x")
    rsps.get(f"{BASE}/userinfo", body=requests.ConnectionError("reset"))
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})
    client.userinfo()
    assert client.stats.calls == 3
    assert client.stats.retries == 2
    assert client.stats.by_status == {500: 1, 200: 1}
    assert client.stats.transport_errors == 1


# -- authorization ------------------------------------------------------------------------


def test_401_refreshes_the_token_once_then_succeeds(rsps, make_client, fake_time):
    tokens = iter(["old-token", "new-token"])
    current = {"token": next(tokens)}
    refreshed = []

    def refresh() -> None:
        refreshed.append(True)
        current["token"] = next(tokens)

    client = make_client(token=lambda: current["token"], on_unauthorized=refresh)
    rsps.get(f"{BASE}/userinfo", status=401, json={"status": 401, "message": "Invalid token"})
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})

    assert client.userinfo() == {"sub": "abc"}

    assert [c.request.headers["Authorization"] for c in rsps.calls] == [
        "Bearer old-token",
        "Bearer new-token",
    ]
    assert refreshed == [True]
    assert fake_time.sleeps == []


def test_second_401_raises_auth_error(rsps, make_client):
    calls = []
    client = make_client(token=TOKEN, on_unauthorized=lambda: calls.append(1))
    rsps.get(f"{BASE}/userinfo", status=401, json={"status": 401, "message": "Invalid token"})

    with pytest.raises(AuthError) as caught:
        client.userinfo()

    assert caught.value.status == 401
    assert len(rsps.calls) == 2 and calls == [1]


def test_401_with_client_credentials_fetches_a_new_token(rsps, make_client):
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-1", "expires_in": 1800})
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-2", "expires_in": 1800})
    rsps.get(f"{BASE}/userinfo", status=401, json={"status": 401, "message": "Expired"})
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})
    credentials = ClientCredentials(OAUTH, "client-id", "client-secret")

    make_client(token=credentials).userinfo()

    api_calls = [c for c in rsps.calls if c.request.url.startswith(BASE)]
    assert [c.request.headers["Authorization"] for c in api_calls] == ["Bearer cc-1", "Bearer cc-2"]
    assert credentials.token() == "cc-2"


def test_no_log_record_contains_the_token(rsps, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(token=TOKEN, on_unauthorized=lambda: None)
    rsps.get(f"{BASE}/userinfo", status=429, json={"message": "slow"})
    rsps.get(f"{BASE}/userinfo", body=requests.ConnectionError("reset"))
    rsps.get(f"{BASE}/userinfo", status=401, json={"message": "expired"})
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})

    client.userinfo()

    messages = [record.getMessage() for record in caplog.records]
    retry_lines = [m for m in messages if "attempt" in m]
    assert any("(429)" in m and "attempt 2 of 5" in m for m in retry_lines), messages
    assert any("ConnectionError" in m for m in retry_lines), messages
    assert any("(401)" in m for m in retry_lines), messages
    assert all(TOKEN not in m for m in messages)
    assert all(TOKEN not in repr(record.args) for record in caplog.records)


def test_environment_is_read_once_and_netrc_cannot_replace_the_token(rsps, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.test login someone password hunter2\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})

    client = LinkedInClient(BASE, TOKEN)
    client.userinfo()

    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert client.session.proxies == {"https": "http://proxy.internal:3128"}
    assert client.session.trust_env is False


def test_netrc_cannot_replace_the_token_on_a_callers_session(rsps, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.test login someone password hunter2\n")
    monkeypatch.setenv("NETRC", str(netrc))
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})

    LinkedInClient(BASE, TOKEN, session=requests.Session()).userinfo()

    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_redirect_is_an_error_and_the_token_never_follows_it(rsps, client):
    # Followed, the redirect would reach a URL the mock does not know: a connection error.
    rsps.get(f"{BASE}/userinfo", status=302, headers={"Location": "https://elsewhere.test/x"})

    with pytest.raises(LinkedInError) as caught:
        client.userinfo()

    assert caught.value.status == 302
    assert [call.request.url for call in rsps.calls] == [f"{BASE}/userinfo"]


# -- query tunnelling ---------------------------------------------------------------------


def test_long_queries_are_tunnelled(rsps, client):
    owners = [f"urn:li:seat:{100000000 + n}" for n in range(250)]
    rsps.post(f"{BASE}/prospectNotes", json={"elements": [], "paging": {"start": 0, "count": 100}})

    list(client.iter_prospect_notes("urn:li:contract:1", owners=owners))

    call = rsps.calls[0]
    expected = build_query(
        {
            "q": "criteria",
            "contract": "urn:li:contract:1",
            "owners": owners,
            "start": 0,
            "count": 100,
        }
    )
    assert len(expected) > 4000
    assert call.request.method == "POST"
    assert call.request.url == f"{BASE}/prospectNotes"
    assert call.request.headers["X-HTTP-Method-Override"] == "GET"
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.request.headers["X-RestLi-Method"].upper() == "FINDER"
    assert call.request.body == expected


def test_short_queries_are_not_tunnelled(rsps, client):
    owners = [f"urn:li:seat:{n}" for n in range(10)]
    rsps.get(f"{BASE}/prospectNotes", json={"elements": [], "paging": {}})
    list(client.iter_prospect_notes("urn:li:contract:1", owners=owners))
    assert rsps.calls[0].request.method == "GET"
    assert "X-HTTP-Method-Override" not in rsps.calls[0].request.headers


# -- OAuth --------------------------------------------------------------------------------


def test_client_credentials_token_is_fetched_once_for_many_calls(rsps, make_client):
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-1", "expires_in": 1800})
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})
    session = RecordingSession()

    # Two clients, two ClientCredentials objects, the same application: one token.
    first = make_client(token=ClientCredentials(OAUTH, "client-id", "client-secret", session))
    second = make_client(token=ClientCredentials(OAUTH, "client-id", "client-secret", session))
    for _ in range(3):
        first.userinfo()
        second.userinfo()

    token_calls = [c for c in rsps.calls if c.request.url == f"{OAUTH}/accessToken"]
    assert len(token_calls) == 1
    assert parse_qs(token_calls[0].request.body) == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id"],
        "client_secret": ["client-secret"],
    }
    assert session.timeouts == [(3.05, 15.0)]


def test_concurrent_callers_share_one_fetch(rsps):
    def slow_answer(request):
        time.sleep(0.2)  # keep the fetch in flight while the other threads arrive
        return 200, {}, json.dumps({"access_token": "cc-1", "expires_in": 1800})

    rsps.add_callback(responses.POST, f"{OAUTH}/accessToken", callback=slow_answer)
    credentials = ClientCredentials(OAUTH, "client-id", "client-secret")
    barrier = threading.Barrier(8)
    got: list[str] = []

    def worker() -> None:
        barrier.wait()
        got.append(credentials.token())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert got == ["cc-1"] * 8
    assert len(rsps.calls) == 1


def test_token_is_refetched_shortly_before_expiry(rsps):
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-1", "expires_in": 1800})
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-2", "expires_in": 1800})
    now = {"t": 0.0}
    credentials = ClientCredentials(OAUTH, "id", "secret", clock=lambda: now["t"])

    assert credentials.token() == "cc-1"
    now["t"] = 1800 - 61
    assert credentials.token() == "cc-1"
    now["t"] = 1800 - 59
    assert credentials.token() == "cc-2"
    assert len(rsps.calls) == 2


def test_invalidate_keeps_a_token_fetched_meanwhile(rsps):
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-1", "expires_in": 1800})
    credentials = ClientCredentials(OAUTH, "id", "secret")
    assert credentials.token() == "cc-1"
    credentials.invalidate("some-older-token")
    assert credentials.token() == "cc-1"
    assert len(rsps.calls) == 1


def test_oauth_refusal_is_an_auth_error(rsps):
    rsps.post(
        f"{OAUTH}/accessToken",
        status=401,
        json={"error": "invalid_client", "error_description": "Client authentication failed"},
    )
    credentials = ClientCredentials(OAUTH, "id", "wrong-secret")
    with pytest.raises(AuthError) as caught:
        credentials.token()
    assert caught.value.status == 401
    assert caught.value.message == "Client authentication failed"
    assert "wrong-secret" not in repr(credentials)


def test_token_endpoint_outage_is_retried_by_the_client(rsps, make_client, fake_time):
    rsps.post(f"{OAUTH}/accessToken", status=503, body="down")
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "cc-1", "expires_in": 1800})
    rsps.get(f"{BASE}/userinfo", json={"sub": "abc"})
    client = make_client(token=ClientCredentials(OAUTH, "id", "secret"))
    assert client.userinfo() == {"sub": "abc"}
    assert fake_time.sleeps == [0.5]


def test_authorization_url():
    url = authorization_url(
        OAUTH, "client-id", "https://app.test/cb?x=1", "state-123", ["openid", "profile"]
    )
    assert url == (
        f"{OAUTH}/authorization?response_type=code&client_id=client-id"
        "&redirect_uri=https%3A%2F%2Fapp.test%2Fcb%3Fx%3D1&state=state-123&scope=openid%20profile"
    )


def test_exchange_code_and_refresh_token(rsps):
    rsps.post(
        f"{OAUTH}/accessToken",
        json={
            "access_token": "member-token",
            "expires_in": 5184000,
            "refresh_token": "refresh-1",
            "refresh_token_expires_in": 31536000,
            "scope": "openid,profile",
        },
    )
    rsps.post(f"{OAUTH}/accessToken", json={"access_token": "member-token-2", "expires_in": 60})
    before = time.time()

    tokens = exchange_code(OAUTH, "id", "secret", "the-code", "https://app.test/cb")
    renewed = refresh_token(OAUTH, "id", "secret", tokens.refresh_token)

    assert parse_qs(rsps.calls[0].request.body) == {
        "grant_type": ["authorization_code"],
        "code": ["the-code"],
        "redirect_uri": ["https://app.test/cb"],
        "client_id": ["id"],
        "client_secret": ["secret"],
    }
    assert parse_qs(rsps.calls[1].request.body)["grant_type"] == ["refresh_token"]
    assert parse_qs(rsps.calls[1].request.body)["refresh_token"] == ["refresh-1"]
    assert "secret" not in rsps.calls[0].request.url
    assert tokens.access_token == "member-token"
    assert before + 5184000 <= tokens.expires_at <= time.time() + 5184000
    assert tokens.refresh_expires_at is not None and tokens.scope == "openid,profile"
    assert renewed.access_token == "member-token-2" and renewed.refresh_token is None
    assert "member-token" not in repr(tokens) and "refresh-1" not in repr(tokens)


def test_invalid_grant_is_an_auth_error(rsps):
    rsps.post(
        f"{OAUTH}/accessToken",
        status=400,
        json={"error": "invalid_grant", "error_description": "The code has expired"},
    )
    with pytest.raises(AuthError, match="expired"):
        exchange_code(OAUTH, "id", "secret", "old-code", "https://app.test/cb")


def test_introspect_token(rsps):
    rsps.post(f"{OAUTH}/introspectToken", json={"active": True, "status": "active"})
    assert introspect_token(OAUTH, "id", "secret", "tok")["active"] is True
    assert parse_qs(rsps.calls[0].request.body)["token"] == ["tok"]


def test_token_set_requires_token_and_lifetime():
    with pytest.raises(ValueError, match="access_token"):
        TokenSet.from_json({"expires_in": 10})
    with pytest.raises(ValueError, match="expires_in"):
        TokenSet.from_json({"access_token": "x"})


# -- errors and records -------------------------------------------------------------------


def test_error_strings_and_pickling():
    error = LinkedInError(
        "Not enough permissions", status=403, service_error_code=100, retry_after=None
    )
    assert str(error) == "LinkedIn 403 (serviceErrorCode 100): Not enough permissions"
    assert not error.transient
    # Job queues pickle exceptions; this pickle is our own, made one line above.
    copy = pickle.loads(pickle.dumps(ConflictError("taken", status=409)))  # noqa: S301
    assert isinstance(copy, ConflictError) and copy.status == 409 and copy.message == "taken"
    assert str(LinkedInError("ReadTimeout: slow", transient=True)).startswith(
        "LinkedIn request failed"
    )
    assert LinkedInError("x", status=503).transient
    assert not LinkedInError(DAILY_QUOTA["message"], status=403).is_daily_quota
    assert not LinkedInError("Resource level throttle: MINUTE limit", status=429).is_daily_quota


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12", 12.0), ("0.5", 0.5), (None, None), ("", None), ("soon", None), ("-3", None)],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected


def test_recommendation_request_record_from_the_seed():
    request = RecommendationRequest.from_json(
        {**SEED_REQUEST, "notification": {"subject": "S", "message": "M"}, "fulfilledBy": "urn:x"}
    )
    assert request.urn == "urn:li:recommendationRequest:(urn:li:person:123ABC,267254)"
    assert request.notification_subject == "S" and request.notification_message == "M"
    assert request.num_requests == 1 and request.last_modified == 1490383550104
    assert request.extra == {"fulfilledBy": "urn:x"}
    with pytest.raises(ValueError, match="id"):
        RecommendationRequest.from_json({"requester": "urn:li:person:1"})


def test_unknown_relationship_is_shown_as_it_came():
    request = RecommendationRequest.from_json({**SEED_REQUEST, "relationship": "NEW_KIND"})
    assert request.relationship_label == "NEW_KIND"
    assert len(RELATIONSHIPS) == 12
    assert "POSITION_DELETED" in RECIPIENT_STATUSES and "REPLACED" in REQUESTER_STATUSES


def test_prospect_note_keeps_unknown_fields_and_defaults():
    note = ProspectNote.from_json({"id": 7, "contract": "urn:li:contract:1", "color": "red"})
    assert note.extra == {"color": "red"}
    assert note.active is True and note.last_modified == 0
    inactive = ProspectNote.from_json({"id": 8, "active": False, "created": 5})
    assert inactive.active is False and inactive.last_modified == 5
    with pytest.raises(ValueError, match="id"):
        ProspectNote.from_json({"id": "7"})


def test_paging_from_json_defaults_to_what_was_asked():
    paging = Paging.from_json(None, start=40, count=20)
    assert (paging.start, paging.count, paging.total, paging.next_href) == (40, 20, None, None)
    seed = Paging.from_json(SEED_NOTES_PAGE["paging"])
    assert seed.total == 10 and seed.next_href.startswith("/v2/prospectNotes?")


# -- push events --------------------------------------------------------------------------

SEED_EVENT = (
    b'{\n   "prospectNoteId":"1323073443",\n   "type":"DELETE_PROSPECT_NOTE",\n'
    b'   "integrationContext":"urn:li:contract:123"\n}'
)


def test_push_event_from_the_seed():
    event = PushEvent.parse(SEED_EVENT)
    assert event.type == "DELETE_PROSPECT_NOTE"
    assert event.prospect_note_id == 1323073443
    assert event.integration_context == "urn:li:contract:123"
    assert event.raw["prospectNoteId"] == "1323073443"


def test_push_event_accepts_a_numeric_id():
    body = json.dumps(
        {
            "type": "DELETE_PROSPECT_NOTE",
            "prospectNoteId": 5,
            "integrationContext": "urn:li:contract:9",
        }
    ).encode()
    assert PushEvent.parse(body).prospect_note_id == 5


def test_unknown_push_event_type_parses_leniently():
    event = PushEvent.parse(b'{"type": "SOMETHING_NEW", "foo": 1}')
    assert event.type == "SOMETHING_NEW" and event.prospect_note_id is None


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"prospectNoteId": "1"}', "no 'type'"),
        (
            b'{"type": "DELETE_PROSPECT_NOTE", "integrationContext": "urn:li:contract:1"}',
            "prospectNoteId",
        ),
        (
            b'{"type": "DELETE_PROSPECT_NOTE", "prospectNoteId": "12a", '
            b'"integrationContext": "urn:li:contract:1"}',
            "prospectNoteId",
        ),
        (
            b'{"type": "DELETE_PROSPECT_NOTE", "prospectNoteId": 1.5, '
            b'"integrationContext": "urn:li:contract:1"}',
            "prospectNoteId",
        ),
        (
            b'{"type": "DELETE_PROSPECT_NOTE", "prospectNoteId": true, '
            b'"integrationContext": "urn:li:contract:1"}',
            "prospectNoteId",
        ),
        (b'{"type": "DELETE_PROSPECT_NOTE", "prospectNoteId": "1"}', "integrationContext"),
        (
            b'{"type": "DELETE_PROSPECT_NOTE", "prospectNoteId": "1", '
            b'"integrationContext": "urn:li:seat:1"}',
            "integrationContext",
        ),
    ],
)
def test_invalid_push_events_are_refused_with_a_reason(body, why):
    with pytest.raises(ValueError, match=why):
        PushEvent.parse(body)


# -- signatures ---------------------------------------------------------------------------

SECRET = "client-secret"


def test_signature_over_the_raw_body_with_and_without_prefix():
    digest = sign(SECRET, SEED_EVENT)
    assert verify_signature(SECRET, SEED_EVENT, digest)
    assert verify_signature(SECRET, SEED_EVENT, f"hmacsha256={digest}")
    assert verify_signature(SECRET, SEED_EVENT, f"HmacSHA256={digest.upper()}")


def test_signature_over_the_prefixed_body():
    digest = sign(SECRET, b"hmacsha256=" + SEED_EVENT)
    assert verify_signature(SECRET, SEED_EVENT, digest)
    assert verify_signature(SECRET, SEED_EVENT, f"hmacsha256={digest}")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "hmacsha256=",
        "not-hex",
        "z" * 64,
        "é" * 64,
        "0" * 64,
        "hmacsha256=hmacsha256=" + "0" * 64,
    ],
)
def test_bad_signatures_are_refused_without_raising(header):
    assert verify_signature(SECRET, SEED_EVENT, header) is False


def test_signature_of_another_body_or_key_is_refused():
    digest = sign(SECRET, SEED_EVENT)
    assert not verify_signature(SECRET, SEED_EVENT + b" ", digest)
    assert not verify_signature("other-secret", SEED_EVENT, digest)
    assert not verify_signature("", SEED_EVENT, sign("", SEED_EVENT))
    assert not verify_signature(SECRET, SEED_EVENT, digest[:-1])


def test_challenge_response():
    import hashlib
    import hmac

    code = "0f8fad5b-d9cb-469f-a165-70867728950e"
    expected = hmac.new(b"client-secret", code.encode(), hashlib.sha256).hexdigest()
    assert challenge_response(SECRET, code) == expected
    assert sign(SECRET, code.encode()) == expected
    # Anything but a UUID is never answered: the answer would sign it as a push body.
    with pytest.raises(ValueError):
        challenge_response(SECRET, "abc-123")
