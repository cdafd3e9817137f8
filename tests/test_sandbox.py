"""The LinkedIn sandbox, tested over real HTTP the way our client will talk to it.

Plain pytest (no Django). One small sandbox serves the module; tests that change data read the
truth back from `sb.store` instead of assuming the generated values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from sandbox.restli import RestliSyntaxError, parse_query
from sandbox.server import Sandbox, SandboxConfig

SECRET = "test-client-secret"
CLIENT = "test-client-id"
BASE_MS = 1_790_000_000_000
REDIRECT = "http://127.0.0.1:9/callback"
RESTLI = {"X-Restli-Protocol-Version": "2.0.0"}


def enc(value: str) -> str:
    """Percent-encode a whole value, reserved characters included (Rest.li 2.0)."""
    return quote(value, safe="")


class PushReceiver:
    """A tiny HTTP endpoint that records what it is sent and answers 200."""

    def __init__(self) -> None:
        self.received: list[tuple[Message, bytes]] = []
        self.event = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.event.set()

            def do_GET(self) -> None:  # noqa: N802 - LinkedIn's endpoint validation
                code = parse_qs(urlsplit(self.path).query)["challengeCode"][0]
                answer = hmac.new(SECRET.encode(), code.encode(), hashlib.sha256).hexdigest()
                body = json.dumps({"challengeCode": code, "challengeResponse": answer}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push"


@pytest.fixture(scope="module")
def receiver() -> Iterator[PushReceiver]:
    rec = PushReceiver()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


@pytest.fixture(scope="module")
def sb(receiver: PushReceiver) -> Iterator[Sandbox]:
    config = SandboxConfig(
        seed=7,
        contracts=2,
        seats=4,
        prospects=40,
        notes=500,
        days=30,
        client_id=CLIENT,
        client_secret=SECRET,
        push_url=receiver.url,
        base_time_ms=BASE_MS,
        max_count=100,
    )
    sandbox = Sandbox(config).start()
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def app_token(sb: Sandbox) -> str:
    return sb.issue_token()


@pytest.fixture(scope="module")
def contract(sb: Sandbox) -> str:
    return sb.store.contract_urns()[0]


def get(http: requests.Session, sb: Sandbox, path: str, token: str | None, **headers: str):
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return http.get(sb.url + path, headers={**RESTLI, **auth, **headers}, timeout=10)


def notes_path(contract: str, extra: str = "") -> str:
    return f"/v2/prospectNotes?q=criteria&contract={enc(contract)}{extra}"


def fetch_all(http: requests.Session, sb: Sandbox, token: str, path: str) -> list[dict]:
    """Follow next links to the end, as a client would."""
    elements: list[dict] = []
    while path:
        page = get(http, sb, path, token)
        assert page.status_code == 200, page.text
        data = page.json()
        elements += data["elements"]
        nexts = [link["href"] for link in data["paging"]["links"] if link["rel"] == "next"]
        path = nexts[0] if nexts else ""
    return elements


# --- prospect notes ---------------------------------------------------------------------------


def test_count_is_capped_and_next_links_walk_every_note(sb, http, app_token, contract) -> None:
    first = get(http, sb, notes_path(contract, "&count=500"), app_token).json()
    truth = sb.store.notes(contract)
    assert first["paging"]["count"] == 100
    assert len(first["elements"]) == 100
    assert first["paging"]["total"] == len(truth)
    assert [link["rel"] for link in first["paging"]["links"]] == ["next"]

    walked = fetch_all(http, sb, app_token, notes_path(contract, "&count=100"))
    # Every note once, in (lastModified, id) order, exactly as the store has it.
    assert walked == truth


def test_default_count_is_ten(sb, http, app_token, contract) -> None:
    data = get(http, sb, notes_path(contract), app_token).json()
    assert data["paging"]["count"] == 10
    assert len(data["elements"]) == 10
    assert data["paging"]["start"] == 0


def test_before_date_is_inclusive_and_cutoff_date_exclusive(sb, http, app_token, contract):
    truth = sb.store.notes(contract)
    pivot = truth[len(truth) // 2]["lastModified"]
    before = fetch_all(http, sb, app_token, notes_path(contract, f"&beforeDate={pivot}"))
    after = fetch_all(http, sb, app_token, notes_path(contract, f"&cutoffDate={pivot}"))
    assert {n["id"] for n in before} == {n["id"] for n in truth if n["lastModified"] <= pivot}
    assert {n["id"] for n in after} == {n["id"] for n in truth if n["lastModified"] > pivot}
    assert pivot in {n["lastModified"] for n in before}
    assert pivot not in {n["lastModified"] for n in after}


def test_owners_filter_takes_a_list_of_encoded_seat_urns(sb, http, app_token, contract) -> None:
    seats = sb.store.seats(contract)[:2]
    owners = "List(" + ",".join(enc(s) for s in seats) + ")"
    found = fetch_all(http, sb, app_token, notes_path(contract, f"&owners={owners}"))
    expected = [n for n in sb.store.notes(contract) if n["owner"] in seats]
    assert found == expected
    assert {n["owner"] for n in found} == set(seats)


def test_owners_written_literally_are_a_restli_syntax_error(sb, http, app_token, contract):
    seat = sb.store.seats(contract)[0]
    response = get(http, sb, notes_path(contract, f"&owners=List({seat})"), app_token)
    assert response.status_code == 400
    assert response.headers["X-RestLi-Error-Response"] == "true"


def test_missing_or_unknown_token_is_401(sb, http, contract) -> None:
    for token in (None, "not-a-token"):
        response = get(http, sb, notes_path(contract), token)
        assert response.status_code == 401
        assert response.json()["serviceErrorCode"] == 65600
        assert response.headers["X-RestLi-Error-Response"] == "true"


def test_expired_and_revoked_tokens_are_401(sb, http, contract) -> None:
    expired, revoked = sb.issue_token(), sb.issue_token()
    assert get(http, sb, notes_path(contract), expired).status_code == 200
    sb.store.expire_token(expired)
    sb.store.revoke_token(revoked)
    assert get(http, sb, notes_path(contract), expired).status_code == 401
    assert get(http, sb, notes_path(contract), revoked).status_code == 401


def test_protocol_header_is_required(sb, http, app_token, contract) -> None:
    response = http.get(
        sb.url + notes_path(contract), headers={"Authorization": f"Bearer {app_token}"}
    )
    assert response.status_code == 400
    assert "protocol" in response.json()["message"].lower()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/v2/prospectNotes?q=criteria", "contract"),
        ("/v2/prospectNotes?q=byOwner&contract=urn%3Ali%3Acontract%3A1001", "finder"),
        ("/v2/prospectNotes?q=criteria&contract=urn%3Ali%3Acontract%3A1001&count=x", "count"),
        ("/v2/prospectNotes?q=criteria&contract=urn%3Ali%3Acontract%3A1001&start=-1", "start"),
    ],
)
def test_bad_finder_calls_are_400(sb, http, app_token, path, words) -> None:
    response = get(http, sb, path, app_token)
    assert response.status_code == 400
    assert words in response.json()["message"]


def test_member_token_cannot_read_prospect_notes(sb, http, contract) -> None:
    response = get(http, sb, notes_path(contract), sb.issue_token(member="alice01"))
    assert response.status_code == 403


def test_long_get_is_414_and_the_tunnelled_post_works(sb, http, app_token, contract) -> None:
    seats = sb.store.seats(contract)
    padding = [f"urn:li:seat:{900_000_000 + i}" for i in range(200)]
    owners = "List(" + ",".join(enc(s) for s in [*padding, *seats[:1]]) + ")"
    query = f"q=criteria&contract={enc(contract)}&owners={owners}&count=100"
    assert len(query) > 4096
    assert get(http, sb, "/v2/prospectNotes?" + query, app_token).status_code == 414

    tunnelled = http.post(
        sb.url + "/v2/prospectNotes",
        data=query,
        headers={
            **RESTLI,
            "Authorization": f"Bearer {app_token}",
            "X-HTTP-Method-Override": "GET",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert tunnelled.status_code == 200, tunnelled.text
    expected = [n for n in sb.store.notes(contract) if n["owner"] == seats[0]]
    assert tunnelled.json()["elements"] == expected[:100]


def test_data_is_deterministic_per_seed() -> None:
    def make(seed: int) -> Sandbox:
        return Sandbox(SandboxConfig(seed=seed, notes=300, base_time_ms=BASE_MS))

    one, again, other = make(3), make(3), make(4)
    urn = one.store.contract_urns()[0]
    notes = one.store.notes(urn)
    assert notes == again.store.notes(urn)
    assert notes != other.store.notes(urn)
    assert all(n["created"] <= n["lastModified"] <= BASE_MS for n in notes)
    assert len({n["id"] for n in notes}) == 300
    assert any(not n["active"] for n in notes)
    assert any(n["lastModified"] > n["created"] and n["active"] for n in notes)
    texts = " ".join(n["note"] for n in notes)
    for hazard in ("<script>", "&amp;", "面试", "🚀", "\n"):
        assert hazard in texts


def test_edit_moves_last_modified_forward(sb, http, app_token, contract) -> None:
    note = next(n for n in sb.store.notes(contract) if n["active"])
    edited = sb.store.edit_note(note["id"], "Edited <i>again</i> ✅")
    assert edited["lastModified"] > note["lastModified"]
    assert edited["created"] == note["created"]
    since = fetch_all(http, sb, app_token, notes_path(contract, f"&cutoffDate={BASE_MS}"))
    assert edited in since


def test_delete_sends_a_signed_push_event(sb, receiver, contract) -> None:
    note = next(n for n in sb.store.notes(contract) if n["active"])
    receiver.event.clear()
    deleted = sb.store.delete_note(note["id"])
    assert deleted["active"] is False
    assert deleted["lastModified"] > note["lastModified"]
    deliveries = sb.wait_for_pushes()
    assert receiver.event.wait(5)

    headers, body = receiver.received[-1]
    assert json.loads(body) == {
        "prospectNoteId": str(note["id"]),
        "type": "DELETE_PROSPECT_NOTE",
        "integrationContext": contract,
    }
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-LI-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    assert deliveries[-1].status == 200


def test_push_endpoint_validation_checks_the_challenge_answer(sb, http) -> None:
    assert http.post(sb.url + "/_sandbox/push/validate").json() == {"valid": True}
    sb.pusher.secret = "another-secret"  # the receiver now answers with the wrong key
    try:
        assert sb.pusher.validate() is False
    finally:
        sb.pusher.secret = SECRET


def test_control_endpoint_adds_a_note_and_log_hides_tokens(sb, http, app_token, contract):
    added = http.post(
        sb.url + "/_sandbox/notes", json={"action": "add", "contract": contract, "text": "hi"}
    ).json()
    assert added in sb.store.notes(contract)
    sb.clear_log()
    get(http, sb, notes_path(contract, "&count=1"), app_token)
    entries = http.get(sb.url + "/_sandbox/log?since=0").json()["entries"]
    assert entries[-1]["path"] == "/v2/prospectNotes"
    assert entries[-1]["headers"]["Authorization"] == "Bearer ***"
    assert sb.request_log[-1].headers["Authorization"] == f"Bearer {app_token}"


def test_repeat_ids_keep_the_newest_version_last() -> None:
    sandbox = Sandbox(SandboxConfig(notes=300, repeat_ids=True, base_time_ms=BASE_MS)).start()
    try:
        urn = sandbox.store.contract_urns()[0]
        with requests.Session() as session:
            token = sandbox.issue_token()
            first = get(session, sandbox, notes_path(urn, "&count=50"), token).json()
            elements = fetch_all(session, sandbox, token, notes_path(urn, "&count=50"))
    finally:
        sandbox.stop()
    ids = [e["id"] for e in elements]
    assert len(ids) > len(set(ids))  # some ids come twice
    # Older versions are rows like any other: pages stay at `count`, total counts them all.
    assert len(first["elements"]) == 50
    assert first["paging"]["total"] == len(elements)
    newest: dict[int, dict] = {}
    for e in elements:  # the rule a client applies: newest lastModified, later on a tie
        if e["id"] not in newest or e["lastModified"] >= newest[e["id"]]["lastModified"]:
            newest[e["id"]] = e
    truth = sandbox.store.notes(urn)
    assert sorted(newest.values(), key=lambda n: (n["lastModified"], n["id"])) == truth


# --- recommendation requests -----------------------------------------------------------------


def rec_path(key: str) -> str:
    return "/v2/recommendationRequest/" + enc(key)


def create_request(http, sb, token: str, body: dict) -> requests.Response:
    return http.post(
        sb.url + "/v2/recommendationRequest",
        json=body,
        headers={**RESTLI, "Authorization": f"Bearer {token}"},
    )


def patch(http, sb, token: str, key: str, changes: dict) -> requests.Response:
    return http.post(
        sb.url + rec_path(key),
        json={"patch": {"$set": changes}},
        headers={**RESTLI, "Authorization": f"Bearer {token}", "X-RestLi-Method": "PARTIAL_UPDATE"},
    )


@pytest.fixture(scope="module")
def alice_token(sb: Sandbox) -> str:
    return sb.issue_token(member="alice01")


@pytest.fixture(scope="module")
def bob_token(sb: Sandbox) -> str:
    return sb.issue_token(member="bob02")


@pytest.fixture(scope="module")
def carol_token(sb: Sandbox) -> str:
    return sb.issue_token(member="carol03")


ASK = {
    "notification": {"message": "Could you recommend me? 🙏", "subject": "Recommendation"},
    "requestee": "urn:li:person:bob02",
}


def test_create_answers_201_with_the_literal_key(sb, http, alice_token) -> None:
    response = create_request(
        http, sb, alice_token, {**ASK, "relationship": "WORKED_IN_SAME_GROUP"}
    )
    assert response.status_code == 201
    assert response.content == b""
    key = response.headers["X-RestLi-Id"]
    assert key.startswith("urn:li:recommendationRequest:(urn:li:person:alice01,")
    entity = get(http, sb, rec_path(key), alice_token).json()
    assert entity["status"] == "PENDING"
    assert entity["requester"] == "urn:li:person:alice01"
    assert "notification" not in entity  # as in every read sample of the seed
    assert entity["relationship"] == "WORKED_IN_SAME_GROUP"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({**ASK, "relationship": "BEST_FRIENDS"}, 422),
        ({"requestee": "urn:li:person:bob02"}, 422),
        ({**ASK, "requestee": "urn:li:person:alice01"}, 422),
        ({**ASK, "status": "ACCEPTED"}, 422),
    ],
)
def test_create_refuses_bad_entities(sb, http, alice_token, body, status) -> None:
    assert create_request(http, sb, alice_token, body).status_code == status


def test_create_refuses_bad_json_and_application_tokens(sb, http, alice_token, app_token) -> None:
    bad = http.post(
        sb.url + "/v2/recommendationRequest",
        data=b"{not json",
        headers={**RESTLI, "Authorization": f"Bearer {alice_token}"},
    )
    assert bad.status_code == 400
    assert create_request(http, sb, app_token, ASK).status_code == 403


def test_get_needs_an_encoded_key_and_a_party_to_the_request(
    sb, http, alice_token, carol_token
) -> None:
    key = create_request(http, sb, alice_token, ASK).headers["X-RestLi-Id"]
    assert get(http, sb, rec_path(key), carol_token).status_code == 403
    literal = get(http, sb, "/v2/recommendationRequest/" + key, alice_token)
    assert literal.status_code == 400
    missing = key.rsplit(",", 1)[0] + ",999999999)"
    assert get(http, sb, rec_path(missing), alice_token).status_code == 404


def test_batch_get_returns_results_and_errors_keyed_by_literal_urn(sb, http, alice_token) -> None:
    key = create_request(http, sb, alice_token, ASK).headers["X-RestLi-Id"]
    missing = "urn:li:recommendationRequest:(urn:li:person:alice01,1)"
    path = f"/v2/recommendationRequest?ids=List({enc(key)},{enc(missing)})"
    data = get(http, sb, path, alice_token).json()
    assert list(data["results"]) == [key]
    assert data["statuses"] == {key: 200}
    assert data["errors"][missing]["status"] == 404


def test_finders_filter_by_role_status_and_entity(sb, http, alice_token, bob_token) -> None:
    received = get(
        http, sb, "/v2/recommendationRequest?q=recipient&statusFilters=List(PENDING)", alice_token
    ).json()
    assert received["elements"]
    for element in received["elements"]:
        assert element["requestee"] == "urn:li:person:alice01"
        assert element["status"] == "PENDING"

    archived = get(
        http, sb, "/v2/recommendationRequest?q=recipient&statusFilters=List(ARCHIVED)", bob_token
    ).json()
    assert [e["status"] for e in archived["elements"]] == ["ARCHIVED"]

    entity = "urn:li:position:(urn:li:person:alice01,40123)"
    key = create_request(http, sb, alice_token, {**ASK, "requesterEntity": entity}).headers[
        "X-RestLi-Id"
    ]
    path = (
        "/v2/recommendationRequest?q=requester&statusFilters=List(PENDING)"
        f"&entityFilters=List({enc(entity)})"
    )
    sent = get(http, sb, path, alice_token).json()["elements"]
    assert [f"urn:li:recommendationRequest:({e['requester']},{e['id']})" for e in sent] == [key]

    no_filter = get(http, sb, "/v2/recommendationRequest?q=recipient", alice_token)
    assert no_filter.status_code == 400


def test_partial_update_permissions_and_conflict(
    sb, http, alice_token, bob_token, carol_token
) -> None:
    key = create_request(http, sb, alice_token, ASK).headers["X-RestLi-Id"]
    before = sb.store.recs.get(key).last_modified

    assert patch(http, sb, carol_token, key, {"status": "DECLINED"}).status_code == 403
    assert patch(http, sb, alice_token, key, {"status": "ACCEPTED"}).status_code == 403
    assert (
        patch(http, sb, bob_token, key, {"relationship": "WORKED_IN_SAME_GROUP"}).status_code == 403
    )
    assert patch(http, sb, alice_token, key, {"colour": "blue"}).status_code == 422

    edit = patch(http, sb, alice_token, key, {"relationship": "RECOMMENDER_TAUGHT_RECOMMENDEE"})
    assert edit.status_code == 204
    assert patch(http, sb, bob_token, key, {"status": "ACCEPTED"}).status_code == 204
    entity = get(http, sb, rec_path(key), alice_token).json()
    assert entity["status"] == "ACCEPTED"
    assert entity["relationship"] == "RECOMMENDER_TAUGHT_RECOMMENDEE"
    assert entity["lastModified"] > before

    conflict = patch(http, sb, alice_token, key, {"status": "WITHDRAWN"})
    assert conflict.status_code == 409
    assert "no longer pending" in conflict.json()["message"]


# --- OAuth ------------------------------------------------------------------------------------


def authorize(http, sb, action: str, state: str = "xyz", member: str = "carol03"):
    fields = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "state": state,
        "scope": "openid profile",
        "member": member,
        "action": action,
    }
    return http.post(sb.oauth_base_url + "/authorization", data=fields, allow_redirects=False)


def token_call(http, sb, **fields: str) -> requests.Response:
    return http.post(sb.oauth_base_url + "/accessToken", data=fields)


def test_consent_page_lists_members_without_scripts(sb, http) -> None:
    page = http.get(
        sb.oauth_base_url + "/authorization",
        params={"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT},
    )
    assert page.status_code == 200
    for name in ("Alice Adams", "Bob Brown", "Carol Chen"):
        assert name in page.text
    assert "<script" not in page.text.lower()
    unknown = http.get(
        sb.oauth_base_url + "/authorization",
        params={"response_type": "code", "client_id": "nope", "redirect_uri": REDIRECT},
    )
    assert unknown.status_code == 400


def test_code_flow_binds_the_member_and_is_single_use(sb, http) -> None:
    answer = authorize(http, sb, "allow", state="s t&ate")
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/callback"
    query = parse_qs(location.query)
    assert query["state"] == ["s t&ate"]
    exchange = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": REDIRECT,
        "client_id": CLIENT,
        "client_secret": SECRET,
    }
    tokens = token_call(http, sb, **exchange).json()
    assert tokens["expires_in"] == 5_184_000
    assert tokens["refresh_token"]
    me = get(http, sb, "/v2/userinfo", tokens["access_token"]).json()
    assert (me["sub"], me["name"]) == ("carol03", "Carol Chen")

    reused = token_call(http, sb, **exchange)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_request"

    refreshed = token_call(
        http,
        sb,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        client_id=CLIENT,
        client_secret=SECRET,
    ).json()
    assert get(http, sb, "/v2/userinfo", refreshed["access_token"]).json()["sub"] == "carol03"


def test_code_needs_the_same_redirect_uri_and_right_secret(sb, http) -> None:
    code = parse_qs(urlsplit(authorize(http, sb, "allow").headers["Location"]).query)["code"][0]
    wrong_secret = token_call(
        http,
        sb,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=CLIENT,
        client_secret="wrong",
    )
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    wrong_redirect = token_call(
        http,
        sb,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT + "/other",
        client_id=CLIENT,
        client_secret=SECRET,
    )
    assert wrong_redirect.status_code == 400


def test_cancel_redirects_with_an_error_and_the_state(sb, http) -> None:
    query = parse_qs(urlsplit(authorize(http, sb, "cancel").headers["Location"]).query)
    assert query["error"] == ["user_cancelled_authorize"]
    assert query["state"] == ["xyz"]
    assert "code" not in query


def test_client_credentials_token_lifetime_follows_token_ttl(sb, http) -> None:
    tokens = token_call(
        http, sb, grant_type="client_credentials", client_id=CLIENT, client_secret=SECRET
    ).json()
    assert tokens["expires_in"] == 1800
    assert set(tokens) == {"access_token", "expires_in"}


# --- faults -----------------------------------------------------------------------------------


def test_faults_are_logged_at_about_the_configured_rate(sb, http, app_token, contract) -> None:
    sb.set_faults(rate=0.3, kinds=("429", "429-retry-after", "500", "503", "quota"))
    sb.clear_log()
    try:
        responses = [get(http, sb, notes_path(contract, "&count=1"), app_token) for _ in range(300)]
    finally:
        sb.set_faults(rate=0.0)
    log = [e for e in sb.request_log if e.path == "/v2/prospectNotes"]
    faulted = [e for e in log if e.fault]
    assert len(log) == 300
    assert 0.2 < len(faulted) / len(log) < 0.4
    expected_status = {"429": 429, "429-retry-after": 429, "500": 500, "503": 503, "quota": 429}
    assert all(e.status == expected_status[e.fault] for e in faulted)
    assert all(e.status == 200 for e in log if not e.fault)
    retry_after = [r for r, e in zip(responses, log, strict=True) if e.fault == "429-retry-after"]
    assert retry_after
    assert all(r.headers["Retry-After"] == "1" for r in retry_after)
    quota = [r for r, e in zip(responses, log, strict=True) if e.fault == "quota"]
    assert all("APPLICATION DAY limit" in r.json()["message"] for r in quota)


@pytest.mark.parametrize("kind", ["drop", "truncate"])
def test_transport_faults_break_the_response(sb, app_token, contract, kind) -> None:
    sb.set_faults(rate=1.0, kinds=(kind,))
    try:
        with requests.Session() as session, pytest.raises(requests.RequestException):
            get(session, sb, notes_path(contract), app_token).json()
    finally:
        sb.set_faults(rate=0.0)
    assert sb.request_log[-1].fault == kind


def test_slow_fault_delays_then_answers(sb, http, app_token, contract) -> None:
    sb.config.slow_seconds = 0.2
    sb.set_faults(rate=1.0, kinds=("slow",))
    try:
        response = get(http, sb, notes_path(contract, "&count=1"), app_token)
    finally:
        sb.set_faults(rate=0.0)
        sb.config.slow_seconds = 0.5
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.2
    assert sb.request_log[-1].fault == "slow"


def test_faults_can_be_switched_over_http(sb, http) -> None:
    answer = http.post(sb.url + "/_sandbox/faults", json={"rate": 0.5, "kinds": ["503"]})
    try:
        assert answer.json() == {"rate": 0.5, "kinds": ["503"]}
        bad = http.post(sb.url + "/_sandbox/faults", json={"rate": 0.5, "kinds": ["fire"]})
        assert bad.status_code == 400
    finally:
        sb.set_faults(rate=0.0)


# --- Rest.li parsing --------------------------------------------------------------------------


def test_restli_parser_decodes_structures_and_refuses_bad_syntax() -> None:
    parsed = parse_query("a=List(x%2Cy,(k:v%3A1,e:''),List())&b=%E2%9C%85")
    assert parsed == {"a": ["x,y", {"k": "v:1", "e": ""}, []], "b": "✅"}
    for bad in ("a=List(x", "a=List(x,)", "a=x:y", "a=1&a=2", "a=%zz", "a=(k)"):
        with pytest.raises(RestliSyntaxError):
            parse_query(bad)


def test_no_read_carries_the_notification(sb, http, alice_token) -> None:
    """GET, BATCH_GET and both finders answer like the seed's samples: no notification."""
    key = create_request(http, sb, alice_token, ASK).headers["X-RestLi-Id"]
    bob_token = sb.issue_token(member="bob02")
    one = get(http, sb, rec_path(key), alice_token).json()
    batch = get(
        http, sb, "/v2/recommendationRequest?ids=List(" + quote(key, safe="") + ")", alice_token
    ).json()
    received = get(
        http, sb, "/v2/recommendationRequest?q=recipient&statusFilters=List(PENDING)", bob_token
    ).json()
    sent = get(
        http, sb, "/v2/recommendationRequest?q=requester&statusFilters=List(PENDING)", alice_token
    ).json()
    entities = [one, *batch["results"].values(), *received["elements"], *sent["elements"]]
    assert key in batch["results"] and len(entities) >= 4
    assert all("notification" not in entity for entity in entities)
    assert sb.store.recs.get(key).notification == ASK["notification"]  # kept, never read back


def test_quick_changes_are_never_stamped_in_the_future(sandbox):
    """Three changes in a row, then at once a sync's "now": it is past all of them."""
    urn = sandbox.store.contract_urns()[0]
    notes = sandbox.store.notes(urn)
    sandbox.store.edit_note(notes[0]["id"], "edited")
    sandbox.store.delete_note(notes[1]["id"])
    added = sandbox.store.add_note(urn)
    assert added["lastModified"] <= time.time() * 1000
