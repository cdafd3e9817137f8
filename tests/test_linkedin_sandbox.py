"""The LinkedIn client against the sandbox over real loopback HTTP.

The sandbox is written independently of `linkedin/` (it shares no encoding code), so these
tests catch a misreading of the protocol on either side. Plain pytest; no Django.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from linkedin import (
    AuthError,
    ClientCredentials,
    ConflictError,
    LinkedInClient,
    LinkedInError,
    ProspectNote,
    RetryPolicy,
    TokenSet,
    authorization_url,
    clear_token_cache,
    exchange_code,
    introspect_token,
    refresh_token,
    split_request_urn,
)
from linkedin.restli import encode_path_key
from sandbox.server import Sandbox, SandboxConfig

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
REDIRECT_URI = "http://127.0.0.1:9/linkedin/callback"
TIMEOUT = (3.05, 10.0)
TRANSIENT_KINDS = ("429", "429-retry-after", "500", "503", "drop", "truncate")

# Small waits and many attempts: a 20 % fault rate makes runs of several failures likely.
FAST_RETRY = RetryPolicy(max_attempts=12, max_total_seconds=60.0, base_delay=0.005, max_delay=0.05)


def config(**overrides: Any) -> SandboxConfig:
    settings: dict[str, Any] = {
        "seed": 1,
        "contracts": 2,
        "seats": 6,
        "prospects": 200,
        "notes": 2000,
        "days": 30,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "fault_rate": 0.0,
        "repeat_ids": False,
        "max_count": 100,
    }
    settings.update(overrides)
    return SandboxConfig(**settings)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(config())
    sb.start(host="127.0.0.1", port=0)
    yield sb
    sb.stop()


@pytest.fixture(autouse=True)
def _clean_state(request) -> Iterator[None]:
    clear_token_cache()
    if "sandbox" in request.fixturenames:
        sb = request.getfixturevalue("sandbox")
        sb.set_faults(0.0)
        sb.clear_log()
    yield
    clear_token_cache()


def app_client(sb: Sandbox, **overrides: Any) -> LinkedInClient:
    """A client with the application's (client credentials) token, as the notes sync uses."""
    credentials = ClientCredentials(sb.oauth_base_url, CLIENT_ID, CLIENT_SECRET)
    options: dict[str, Any] = {"retry": FAST_RETRY, "timeout": TIMEOUT}
    options.update(overrides)
    return LinkedInClient(sb.api_base_url, credentials, **options)


def sign_in(sb: Sandbox, sub: str, state: str = "state-1") -> TokenSet:
    """Walk the 3-legged flow as a browser would: consent page, Allow, code, token."""
    url = authorization_url(
        sb.oauth_base_url, CLIENT_ID, REDIRECT_URI, state, ["openid", "profile"]
    )
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200 and f'value="{sub}"' in page.text
    fields = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    answer = requests.post(
        f"{sb.oauth_base_url}/authorization",
        data={**fields, "member": sub, "action": "allow"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    back = parse_qs(urlsplit(location).query)
    assert back["state"] == [state]
    return exchange_code(sb.oauth_base_url, CLIENT_ID, CLIENT_SECRET, back["code"][0], REDIRECT_URI)


def member_client(sb: Sandbox, sub: str) -> LinkedInClient:
    return LinkedInClient(
        sb.api_base_url, sign_in(sb, sub).access_token, retry=FAST_RETRY, timeout=TIMEOUT
    )


def as_linkedin_json(note: ProspectNote) -> dict[str, Any]:
    return {
        "active": note.active,
        "contract": note.contract,
        "created": note.created,
        "id": note.id,
        "lastModified": note.last_modified,
        "member": note.member,
        "note": note.note,
        "owner": note.owner,
        **note.extra,
    }


def header(entry: Any, name: str) -> str | None:
    return next((v for k, v in entry.headers.items() if k.lower() == name.lower()), None)


def api_log(sb: Sandbox, path: str) -> list[Any]:
    return [e for e in sb.request_log if e.path == path]


# -- prospect notes -----------------------------------------------------------------------


def test_all_notes_of_each_contract_arrive_exactly_once(sandbox):
    client = app_client(sandbox)

    for contract in sandbox.store.contract_urns():
        # Ask for more than the sandbox's cap: the walk must follow the count it answers.
        notes = list(client.iter_prospect_notes(contract, count=500))
        expected = sandbox.store.notes(contract, include_inactive=True)

        assert [n.id for n in notes] == [d["id"] for d in expected]
        assert [as_linkedin_json(n) for n in notes] == expected

    starts = [parse_qs(e.query)["start"][0] for e in api_log(sandbox, "/v2/prospectNotes")]
    assert starts[:3] == ["0", "100", "200"]
    assert client.stats.retries == 0


def test_notes_survive_injected_transient_faults(sandbox):
    client = app_client(sandbox)
    sandbox.set_faults(rate=0.2, kinds=TRANSIENT_KINDS)

    # Pages of 50 over both contracts: about 40 requests, so some eight faults.
    for contract in sandbox.store.contract_urns():
        notes = list(client.iter_prospect_notes(contract, count=50))
        assert [as_linkedin_json(n) for n in notes] == sandbox.store.notes(contract)

    sandbox.set_faults(0.0)
    log = api_log(sandbox, "/v2/prospectNotes")
    faulted = [e for e in log if e.fault]
    assert len(faulted) >= 4, "a 20 % fault rate over 40 requests should hit several"
    assert len({e.fault for e in faulted}) >= 2
    # Every fault was retried once, and the same query then succeeded later in the log.
    assert client.stats.retries == len(faulted)
    for entry in faulted:
        later = [e for e in log if e.seq > entry.seq and e.query == entry.query]
        assert any(e.status == 200 and not e.fault for e in later), entry
    # No page was fetched twice once it had succeeded.
    served = [e.query for e in log if e.status == 200 and not e.fault]
    assert len(served) == len(set(served))


def test_many_owners_are_tunnelled_and_filter_correctly():
    with Sandbox(config(contracts=1, seats=200, notes=3000)) as sb:
        contract = sb.store.contract_urns()[0]
        owners = sb.store.seats(contract)[:150]
        wanted = set(owners)
        expected = [
            d for d in sb.store.notes(contract, include_inactive=True) if d["owner"] in wanted
        ]
        client = app_client(sb)

        notes = list(client.iter_prospect_notes(contract, owners=owners))

        assert [as_linkedin_json(n) for n in notes] == expected
        log = api_log(sb, "/v2/prospectNotes")
        assert log and all(e.method == "POST" for e in log)
        assert all(header(e, "X-HTTP-Method-Override") == "GET" for e in log)
        assert all(e.query == "" and b"owners=List(urn%3Ali%3Aseat%3A" in e.body for e in log)
        assert len(log[0].body) > 4000


def test_daily_quota_stops_the_walk_at_once(sandbox):
    client = app_client(sandbox)
    sandbox.set_faults(rate=1.0, kinds=("quota",))

    with pytest.raises(LinkedInError) as caught:
        list(client.iter_prospect_notes(sandbox.store.contract_urns()[0]))

    assert caught.value.is_daily_quota
    assert len(api_log(sandbox, "/v2/prospectNotes")) == 1


def test_unknown_contract_is_a_permanent_error(sandbox):
    with pytest.raises(LinkedInError) as caught:
        list(app_client(sandbox).iter_prospect_notes("urn:li:contract:999"))
    assert caught.value.status == 403 and not caught.value.transient


# -- recommendation requests --------------------------------------------------------------


def test_recommendation_requests_round_trip(sandbox):
    alice = member_client(sandbox, "alice01")
    bob = member_client(sandbox, "bob02")

    urn = alice.create_recommendation_request(
        requestee="urn:li:person:bob02",
        subject="Recommendation request!!",
        message="Can you write me a recommendation? Thanks! ✨",
        relationship="RECOMMENDER_REPORTED_TO_RECOMMENDEE",
        requester_entity="urn:li:position:(urn:li:person:alice01,40170411)",
    )
    requester, request_id = split_request_urn(urn)
    assert requester == "urn:li:person:alice01"

    fetched = alice.get_recommendation_request(urn)
    assert (fetched.urn, fetched.id, fetched.status) == (urn, request_id, "PENDING")
    assert fetched.requestee == "urn:li:person:bob02"
    assert fetched.notification_message is None  # LinkedIn's reads carry no notification
    assert fetched.requester_entity == "urn:li:position:(urn:li:person:alice01,40170411)"
    get_entry = api_log(sandbox, f"/v2/recommendationRequest/{encode_path_key(urn)}")[0]
    assert header(get_entry, "X-RestLi-Method").upper() == "GET"

    # BATCH_GET: one found, one missing, one between other members.
    missing = "urn:li:recommendationRequest:(urn:li:person:alice01,1)"
    others = next(
        r.key
        for r in sandbox.store.recommendation_requests()
        if "alice01" not in r.requester and "alice01" not in r.requestee
    )
    batch = alice.batch_get_recommendation_requests([urn, missing, others])
    assert list(batch.results) == [urn] and batch.results[urn] == fetched
    assert batch.errors[missing].status == 404
    assert batch.errors[others].status == 403

    # The finders see it from both sides.
    received = list(bob.iter_received_requests(["ACCEPTED", "PENDING"]))
    assert urn in [r.urn for r in received]
    sent = list(alice.iter_sent_requests(["PENDING"]))
    assert urn in [r.urn for r in sent]
    by_entity = list(
        alice.iter_sent_requests(
            ["PENDING"], entity_filters=["urn:li:position:(urn:li:person:alice01,40170411)"]
        )
    )
    assert [r.urn for r in by_entity] == [urn]

    # The requestee accepts; after that the request is no longer pending.
    bob.update_recommendation_request(urn, status="ACCEPTED")
    assert alice.get_recommendation_request(urn).status == "ACCEPTED"
    with pytest.raises(ConflictError) as conflict:
        bob.update_recommendation_request(urn, status="DECLINED")
    assert conflict.value.status == 409

    methods = {
        (e.method, header(e, "X-RestLi-Method").upper())
        for e in sandbox.request_log
        if e.path.startswith("/v2/recommendationRequest") and header(e, "X-RestLi-Method")
    }
    assert methods == {
        ("POST", "CREATE"),
        ("GET", "GET"),
        ("GET", "BATCH_GET"),
        ("GET", "FINDER"),
        ("POST", "PARTIAL_UPDATE"),
    }
    api_calls = [e for e in sandbox.request_log if e.path.startswith("/v2/")]
    assert all(header(e, "X-Restli-Protocol-Version") == "2.0.0" for e in api_calls)


def test_decline_withdraw_and_refusals(sandbox):
    alice = member_client(sandbox, "alice01")
    carol = member_client(sandbox, "carol03")

    declined = alice.create_recommendation_request(
        requestee="urn:li:person:carol03", subject="Hi", message="Please?"
    )
    carol.update_recommendation_request(declined, status="DECLINED")
    assert carol.get_recommendation_request(declined).status == "DECLINED"

    withdrawn = alice.create_recommendation_request(
        requestee="urn:li:person:carol03", subject="Hi again", message="Please?"
    )
    with pytest.raises(LinkedInError) as forbidden:
        carol.update_recommendation_request(withdrawn, status="WITHDRAWN")
    assert forbidden.value.status == 403 and not isinstance(forbidden.value, ConflictError)
    alice.update_recommendation_request(
        withdrawn, notification_subject="Changed", notification_message="Changed too"
    )
    alice.update_recommendation_request(withdrawn, status="WITHDRAWN")
    after = alice.get_recommendation_request(withdrawn)
    assert after.status == "WITHDRAWN"
    assert sandbox.store.recs.get(withdrawn).notification["subject"] == "Changed"
    with pytest.raises(ConflictError):
        carol.update_recommendation_request(withdrawn, status="ACCEPTED")


def test_unknown_status_is_kept(sandbox):
    carol = member_client(sandbox, "carol03")
    archived = list(carol.iter_sent_requests(["ARCHIVED"]))
    assert archived and all(r.status == "ARCHIVED" for r in archived)


def test_invalid_create_is_a_permanent_error(sandbox):
    alice = member_client(sandbox, "alice01")
    with pytest.raises(LinkedInError) as caught:
        alice.create_recommendation_request(
            requestee="urn:li:person:alice01", subject="Me", message="Myself"
        )
    assert caught.value.status == 422 and not caught.value.transient


def test_application_token_cannot_act_for_a_member(sandbox):
    with pytest.raises(LinkedInError) as caught:
        list(app_client(sandbox).iter_received_requests(["PENDING"]))
    assert caught.value.status == 403


# -- OAuth --------------------------------------------------------------------------------


def test_three_legged_flow_and_refresh(sandbox):
    state = secrets.token_urlsafe(8)
    tokens = sign_in(sandbox, "alice01", state=state)
    assert tokens.refresh_token and tokens.refresh_expires_at > tokens.expires_at

    client = LinkedInClient(sandbox.api_base_url, tokens.access_token, timeout=TIMEOUT)
    assert client.userinfo()["sub"] == "alice01"
    assert client.person_urn() == "urn:li:person:alice01"

    renewed = refresh_token(sandbox.oauth_base_url, CLIENT_ID, CLIENT_SECRET, tokens.refresh_token)
    assert renewed.access_token != tokens.access_token
    fresh = LinkedInClient(sandbox.api_base_url, renewed.access_token, timeout=TIMEOUT)
    assert fresh.person_urn() == "urn:li:person:alice01"

    facts = introspect_token(sandbox.oauth_base_url, CLIENT_ID, CLIENT_SECRET, renewed.access_token)
    assert facts["active"] is True


def test_expired_member_token_is_refreshed_once(sandbox):
    tokens = sign_in(sandbox, "bob02")
    current = {"token": tokens.access_token}

    def refresh() -> None:
        renewed = refresh_token(
            sandbox.oauth_base_url, CLIENT_ID, CLIENT_SECRET, tokens.refresh_token
        )
        current["token"] = renewed.access_token

    client = LinkedInClient(
        sandbox.api_base_url, lambda: current["token"], on_unauthorized=refresh, timeout=TIMEOUT
    )
    sandbox.store.expire_token(tokens.access_token)

    assert client.person_urn() == "urn:li:person:bob02"
    assert [e.status for e in api_log(sandbox, "/v2/userinfo")] == [401, 200]


def test_a_used_code_is_refused(sandbox):
    url = authorization_url(sandbox.oauth_base_url, CLIENT_ID, REDIRECT_URI, "s", "openid")
    fields = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    answer = requests.post(
        f"{sandbox.oauth_base_url}/authorization",
        data={**fields, "member": "carol03", "action": "allow"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    exchange_code(sandbox.oauth_base_url, CLIENT_ID, CLIENT_SECRET, code, REDIRECT_URI)
    with pytest.raises(AuthError):
        exchange_code(sandbox.oauth_base_url, CLIENT_ID, CLIENT_SECRET, code, REDIRECT_URI)


def test_wrong_client_secret_is_an_auth_error(sandbox):
    credentials = ClientCredentials(sandbox.oauth_base_url, CLIENT_ID, "wrong")
    with pytest.raises(AuthError) as caught:
        LinkedInClient(sandbox.api_base_url, credentials, timeout=TIMEOUT).person_urn()
    assert caught.value.status == 401
