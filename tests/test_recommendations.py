"""Recommendation requests: lists, create, accept, decline, withdraw, edit, refresh, jobs.

LinkedIn is the sandbox over real HTTP; the exact PARTIAL_UPDATE request is also checked once
with `responses`. The sandbox's demo data has, among others (requester -> requestee):
bob02 -> alice01 PENDING, carol03 -> alice01 PENDING, alice01 -> bob02 PENDING,
alice01 -> carol03 ACCEPTED, alice01 -> bob02 WITHDRAWN, zoe04 -> alice01 FULFILLED,
carol03 -> bob02 ARCHIVED (a status LinkedIn never documented).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import quote

import django_rq
import pytest
import responses
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recommendations import actions, jobs
from recommendations.models import LinkedInAccount, RecommendationRequest

RECEIVED = reverse("recommendations:received")
SENT = reverse("recommendations:sent")
CREATE = reverse("recommendations:create")
REFRESH = reverse("recommendations:refresh")
ALICE = "urn:li:person:alice01"
BOB = "urn:li:person:bob02"
CAROL = "urn:li:person:carol03"


def in_sandbox(sandbox, requester: str, requestee: str, status: str):
    """The sandbox's own record of a demo request."""
    found = [
        r
        for r in sandbox.store.recommendation_requests()
        if (r.requester, r.requestee, r.status) == (requester, requestee, status)
    ]
    assert len(found) == 1, found
    return found[0]


def stored(sandbox_record) -> RecommendationRequest:
    return RecommendationRequest.objects.get(urn=sandbox_record.key)


def url(name: str, rec: RecommendationRequest) -> str:
    return reverse(f"recommendations:{name}", args=[rec.pk])


def finder_calls(sandbox, finder: str) -> list[str]:
    return [
        e.query
        for e in sandbox.request_log
        if e.path == "/v2/recommendationRequest" and f"q={finder}" in e.query
    ]


def html(response) -> str:
    return response.content.decode()


# -- lists --------------------------------------------------------------------------------------


def test_received_shows_pending_requests_by_default(alice_client, sandbox):
    sandbox.clear_log()
    response = alice_client.get(RECEIVED)

    assert response.status_code == 200
    page = html(response)
    assert [r.requester for r in response.context["requests"]] == [CAROL, BOB]  # newest first
    assert all(r.status == "PENDING" for r in response.context["requests"])
    assert "Recommender was senior" not in page
    assert "Worked in the same group" in page  # the relationship's label, not its enum value
    assert finder_calls(sandbox, "recipient") == [
        "q=recipient&statusFilters=List(PENDING)&start=0&count=50"
    ]
    # Each request is stored, with the datetimes LinkedIn gave in epoch milliseconds.
    record = in_sandbox(sandbox, BOB, ALICE, "PENDING")
    copy = stored(record)
    assert copy.linkedin_id == record.id
    assert copy.created.timestamp() * 1000 == pytest.approx(record.created)
    assert copy.requester_entity == record.requester_entity
    assert copy.notification_subject == ""  # LinkedIn's reads carry no notification
    assert copy.last_synced_at is not None


def test_received_filters_by_status_pending_first(alice_client, sandbox):
    response = alice_client.get(RECEIVED, {"status": ["FULFILLED", "PENDING", "POSITION_DELETED"]})

    requests_ = response.context["requests"]
    assert [r.status for r in requests_] == ["PENDING", "PENDING", "FULFILLED", "POSITION_DELETED"]
    assert (
        "statusFilters=List(FULFILLED,PENDING,POSITION_DELETED)"
        in finder_calls(sandbox, "recipient")[-1]
    )
    # The checkboxes keep what was chosen.
    assert response.context["form"].statuses() == ["FULFILLED", "PENDING", "POSITION_DELETED"]


def test_received_other_status_shows_an_unknown_status_as_it_came(bob_client, sandbox):
    response = bob_client.get(RECEIVED, {"other": "archived"})

    assert [r.status for r in response.context["requests"]] == ["ARCHIVED"]
    assert ">ARCHIVED</span>" in html(response)


def test_received_offers_accept_and_decline_for_pending_ones(alice_client, sandbox):
    response = alice_client.get(RECEIVED)
    rec = stored(in_sandbox(sandbox, BOB, ALICE, "PENDING"))
    page = html(response)
    assert url("accept", rec) in page
    assert url("decline", rec) in page
    assert url("withdraw", rec) not in page


def test_sent_shows_pending_and_accepted_by_default(alice_client, sandbox):
    response = alice_client.get(SENT)

    assert response.status_code == 200
    assert [(r.requestee, r.status) for r in response.context["requests"]] == [
        (BOB, "PENDING"),
        (CAROL, "ACCEPTED"),
    ]
    assert (
        "q=requester&statusFilters=List(PENDING,ACCEPTED)" in finder_calls(sandbox, "requester")[0]
    )
    rec = stored(in_sandbox(sandbox, ALICE, BOB, "PENDING"))
    assert url("withdraw", rec) in html(response)
    assert url("edit", rec) in html(response)


def test_sent_filters_by_status_and_position(alice_client, sandbox):
    withdrawn = alice_client.get(SENT, {"status": "WITHDRAWN"})
    assert [r.status for r in withdrawn.context["requests"]] == ["WITHDRAWN"]

    pending = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    response = alice_client.get(
        SENT, {"status": ["PENDING", "WITHDRAWN"], "entity": pending.requester_entity}
    )

    assert [r.urn for r in response.context["requests"]] == [pending.key]
    query = finder_calls(sandbox, "requester")[-1]
    assert "entityFilters=List(urn%3Ali%3Aposition%3A%28urn%3Ali%3Aperson%3Aalice01%2C" in query


def test_sent_refuses_a_malformed_position_filter(alice_client, sandbox):
    response = alice_client.get(SENT, {"entity": "urn:li:position:nope"})
    assert "Enter a position" in html(response)
    assert "entityFilters" not in finder_calls(sandbox, "requester")[-1]


def test_lists_show_stored_copies_with_their_age_when_linkedin_is_down(alice_client, sandbox):
    alice_client.get(RECEIVED)
    RecommendationRequest.objects.update(last_synced_at=timezone.now() - timedelta(hours=3))
    sandbox.set_faults(1.0, ["503"])

    response = alice_client.get(RECEIVED)

    assert response.status_code == 200
    page = html(response)
    assert "LinkedIn is not answering right now" in page
    assert len(response.context["requests"]) == 2
    assert "3\xa0hours ago" in page


def test_a_list_rereads_stored_requests_that_left_the_finder_in_one_batch_get(
    alice_client, bob_client, sandbox
):
    alice_client.get(SENT)
    record = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    # Bob accepts on LinkedIn itself; Alice then asks for her pending requests only.
    sandbox.store.recs.update(record.key, BOB, {"status": "ACCEPTED"})
    # And a request we stored long ago that LinkedIn no longer has.
    lost = RecommendationRequest.objects.create(
        urn=f"urn:li:recommendationRequest:({ALICE},999)",
        linkedin_id=999,
        requester=ALICE,
        requestee=CAROL,
        status="PENDING",
        last_synced_at=timezone.now() - timedelta(hours=2),
    )
    sandbox.clear_log()

    response = alice_client.get(SENT, {"status": "PENDING"})

    assert response.context["requests"] == []
    batch = [e for e in sandbox.request_log if "ids=List(" in e.query]
    assert len(batch) == 1
    assert quote(record.key, safe="") in batch[0].query
    assert batch[0].headers["X-RestLi-Method"] == "batch_get"
    assert stored(record).status == "ACCEPTED"
    lost.refresh_from_db()
    assert lost.gone_at is not None


def test_the_refresh_button_stores_everything_the_member_sees(alice_client, sandbox):
    response = alice_client.post(REFRESH, {"next": SENT})

    assert response.status_code == 302
    assert response["Location"] == SENT
    mine = RecommendationRequest.objects.filter(
        requester=ALICE
    ) | RecommendationRequest.objects.filter(requestee=ALICE)
    assert {r.status for r in mine} == {
        "PENDING",
        "ACCEPTED",
        "WITHDRAWN",
        "POSITION_DELETED",
        "FULFILLED",
    }
    assert mine.count() == 7
    account = LinkedInAccount.objects.get(person_urn=ALICE)
    assert account.last_synced_at is not None
    assert alice_client.get(REFRESH).status_code == 405


def test_refresh_is_not_sent_elsewhere(alice_client, sandbox):
    response = alice_client.post(REFRESH, {"next": "https://evil.example/"})
    assert response["Location"] == RECEIVED


# -- detail -------------------------------------------------------------------------------------


def test_detail_rereads_the_request_from_linkedin(alice_client, sandbox):
    alice_client.get(RECEIVED)
    record = in_sandbox(sandbox, BOB, ALICE, "PENDING")
    record.relationship = "RECOMMENDER_ADVISED_RECOMMENDEE"
    sandbox.clear_log()

    response = alice_client.get(url("detail", stored(record)))

    assert response.status_code == 200
    assert "Recommender advised the recommendee" in html(response)
    gets = [e for e in sandbox.request_log if e.method == "GET"]
    assert [e.path for e in gets] == ["/v2/recommendationRequest/" + quote(record.key, safe="")]
    assert stored(record).relationship == "RECOMMENDER_ADVISED_RECOMMENDEE"


def test_detail_shows_an_unknown_status_as_it_came(alice_client, sandbox):
    alice_client.get(RECEIVED)
    record = in_sandbox(sandbox, BOB, ALICE, "PENDING")
    record.status = "UNDER_REVIEW_2031"

    response = alice_client.get(url("detail", stored(record)))

    assert response.status_code == 200
    assert ">UNDER_REVIEW_2031</span>" in html(response)
    assert stored(record).status == "UNDER_REVIEW_2031"
    assert url("accept", stored(record)) not in html(response)


def test_detail_marks_a_request_linkedin_lost(alice_client, sandbox):
    lost = RecommendationRequest.objects.create(
        urn=f"urn:li:recommendationRequest:({ALICE},4242)",
        linkedin_id=4242,
        requester=ALICE,
        requestee=BOB,
        status="PENDING",
    )
    response = alice_client.get(url("detail", lost))
    assert response.status_code == 200
    assert "no longer exists on LinkedIn" in html(response)
    lost.refresh_from_db()
    assert lost.gone_at is not None


def test_detail_shows_the_stored_copy_when_linkedin_is_down(alice_client, sandbox):
    alice_client.get(RECEIVED)
    rec = stored(in_sandbox(sandbox, BOB, ALICE, "PENDING"))
    RecommendationRequest.objects.filter(pk=rec.pk).update(
        last_synced_at=timezone.now() - timedelta(minutes=30)
    )
    sandbox.set_faults(1.0, ["500"])

    response = alice_client.get(url("detail", rec))

    assert response.status_code == 200
    page = html(response)
    assert "LinkedIn is not answering right now" in page
    assert "Stored copy, last confirmed by LinkedIn 30\xa0minutes ago" in page


# -- create -------------------------------------------------------------------------------------


def create_form(client, **overrides) -> dict:
    page = client.get(CREATE)
    assert page.status_code == 200
    key = page.context["form"].initial["creation_key"]
    return {
        "requestee": BOB,
        "subject": "Would you recommend me?",
        "message": "We shipped the billing rewrite together.",
        "relationship": "WORKED_IN_SAME_GROUP",
        "requester_entity": "",
        "requestee_entity": "",
        "previous_recommendation": "",
        "creation_key": key,
        **overrides,
    }


def new_in_sandbox(sandbox, before: set) -> list:
    return [r for r in sandbox.store.recommendation_requests() if r.key not in before]


def test_create_sends_the_request_and_stores_it_under_its_restli_id(alice_client, alice, sandbox):
    before = {r.key for r in sandbox.store.recommendation_requests()}
    data = create_form(
        alice_client,
        requester_entity=f"urn:li:position:({ALICE},123)",
        requestee_entity=f"urn:li:position:({BOB},456)",
    )
    sandbox.clear_log()

    response = alice_client.post(CREATE, data)

    [created] = new_in_sandbox(sandbox, before)
    rec = RecommendationRequest.objects.get(urn=created.key)
    assert response.status_code == 302
    assert response["Location"] == url("detail", rec)
    assert rec.requester == ALICE and rec.requestee == BOB
    assert rec.status == "PENDING"
    assert rec.relationship == "WORKED_IN_SAME_GROUP"
    assert rec.requestee_entity == f"urn:li:position:({BOB},456)"
    assert rec.notification_message == "We shipped the billing rewrite together."
    assert rec.created_by == alice and rec.last_synced_at is not None
    [post, get] = [e for e in sandbox.request_log if e.path.startswith("/v2/recommendationRequest")]
    assert post.method == "POST" and post.headers["X-RestLi-Method"] == "create"
    assert json.loads(post.body) == {
        "notification": {
            "message": "We shipped the billing rewrite together.",
            "subject": "Would you recommend me?",
        },
        "requestee": BOB,
        "relationship": "WORKED_IN_SAME_GROUP",
        "requesterEntity": f"urn:li:position:({ALICE},123)",
        "requesteeEntity": f"urn:li:position:({BOB},456)",
    }
    assert get.path == "/v2/recommendationRequest/" + quote(created.key, safe="")


def test_a_double_submit_creates_one_request(alice_client, sandbox):
    before = {r.key for r in sandbox.store.recommendation_requests()}
    data = create_form(alice_client)

    first = alice_client.post(CREATE, data)
    second = alice_client.post(CREATE, data, follow=True)

    assert len(new_in_sandbox(sandbox, before)) == 1
    assert RecommendationRequest.objects.filter(creation_key=data["creation_key"]).count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already sent" in html(second)
    # A fresh form is a new request.
    alice_client.post(CREATE, create_form(alice_client))
    assert len(new_in_sandbox(sandbox, before)) == 2


def test_a_submit_racing_the_first_does_not_send_again(alice, alice_client, sandbox, monkeypatch):
    data = create_form(alice_client)
    # The first submit has claimed the form and is still waiting for LinkedIn.
    redis = django_rq.get_connection("default")
    redis.set(actions._claim_key(alice, data["creation_key"]), "1")
    monkeypatch.setattr(actions, "CREATE_WAIT_SECONDS", 0.3)
    sandbox.clear_log()

    response = alice_client.post(CREATE, data, follow=True)

    assert [e for e in sandbox.request_log if e.method == "POST"] == []
    assert response.redirect_chain[0][0] == SENT
    assert "still being sent" in html(response)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("requestee", "bob02", "urn:li:person:&lt;id&gt;"),
        ("requestee", "urn:li:person:bob 02", "urn:li:person:&lt;id&gt;"),
        ("requestee", ALICE, "cannot ask yourself"),
        ("message", "", "This field is required"),
        ("message", "x" * 3001, "at most 3000 characters"),
        ("subject", "s" * 201, "at most 200 characters"),
        ("relationship", "BEST_FRIENDS", "Select a valid choice"),
        ("requester_entity", f"urn:li:position:({BOB},1)", "must belong to you"),
        ("requestee_entity", "urn:li:position:(urn:li:person:bob02,x)", "Enter a position"),
        ("requestee_entity", f"urn:li:position:({CAROL},7)", "must belong to the member you ask"),
        ("previous_recommendation", "recommendation 12", "Enter a URN"),
        ("creation_key", "short", "reload the page"),
    ],
)
def test_create_validates_before_asking_linkedin(alice_client, sandbox, field, value, error):
    data = create_form(alice_client, **{field: value})
    sandbox.clear_log()

    response = alice_client.post(CREATE, data)

    assert response.status_code == 400
    assert error in html(response)
    assert sandbox.request_log == []


def test_the_relationship_select_has_the_seeds_twelve_values(alice_client, sandbox):
    form = alice_client.get(CREATE).context["form"]
    values = [v for v, _ in form.fields["relationship"].choices if v]
    assert len(values) == 12
    assert "RECOMMENDER_STUDIED_WITH_RECOMMENDEE" in values


def test_create_shows_linkedins_refusal_and_stores_nothing(alice_client, sandbox, settings):
    data = create_form(alice_client)
    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            settings.LINKEDIN_API_BASE_URL + "/recommendationRequest",
            status=422,
            json={"status": 422, "serviceErrorCode": 100, "message": "requestee cannot be asked"},
        )
        response = alice_client.post(CREATE, data)

    assert response.status_code == 400
    assert "LinkedIn did not create the request: requestee cannot be asked" in html(response)
    assert not RecommendationRequest.objects.filter(creation_key=data["creation_key"]).exists()
    # The same form can be sent again once the problem is gone.
    assert alice_client.post(CREATE, data).status_code == 302


def test_create_when_linkedin_is_down_says_so(alice_client, sandbox):
    data = create_form(alice_client)
    sandbox.set_faults(1.0, ["503"])
    response = alice_client.post(CREATE, data)
    assert response.status_code == 502
    assert "try again in a moment" in html(response)
    assert not RecommendationRequest.objects.filter(creation_key=data["creation_key"]).exists()


# -- accept, decline, withdraw, edit ------------------------------------------------------------


def partial_updates(sandbox) -> list:
    return [
        e
        for e in sandbox.request_log
        if e.method == "POST" and e.path.startswith("/v2/recommendationRequest/")
    ]


def test_accept_asks_first_then_sets_accepted(bob_client, sandbox):
    bob_client.get(RECEIVED)
    record = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    rec = stored(record)

    confirm = bob_client.get(url("accept", rec), {"next": RECEIVED})
    assert confirm.status_code == 200
    assert "Accept this recommendation request?" in html(confirm)
    assert record.status == "PENDING"  # nothing happens on GET
    sandbox.clear_log()

    response = bob_client.post(url("accept", rec), {"next": RECEIVED})

    assert response.status_code == 302 and response["Location"] == RECEIVED
    assert record.status == "ACCEPTED"
    assert stored(record).status == "ACCEPTED"
    [update] = partial_updates(sandbox)
    assert update.path == (
        "/v2/recommendationRequest/urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson"
        f"%3Aalice01%2C{record.id}%29"
    )
    assert json.loads(update.body) == {"patch": {"$set": {"status": "ACCEPTED"}}}
    assert update.headers["X-RestLi-Method"] == "partial_update"
    assert update.headers["X-Restli-Protocol-Version"] == "2.0.0"
    # The list shows the change at once.
    listing = bob_client.get(RECEIVED, {"status": ["PENDING", "ACCEPTED"]})
    assert (rec.pk, "ACCEPTED") in [(r.pk, r.status) for r in listing.context["requests"]]


def test_decline_sets_declined(alice_client, sandbox):
    alice_client.get(RECEIVED)
    record = in_sandbox(sandbox, CAROL, ALICE, "PENDING")

    response = alice_client.post(url("decline", stored(record)), follow=True)

    assert record.status == "DECLINED"
    assert stored(record).status == "DECLINED"
    assert "Request declined." in html(response)
    assert json.loads(partial_updates(sandbox)[-1].body) == {
        "patch": {"$set": {"status": "DECLINED"}}
    }


def test_withdraw_sets_withdrawn(alice_client, sandbox):
    alice_client.get(SENT)
    record = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    rec = stored(record)
    assert "Withdraw this recommendation request?" in html(alice_client.get(url("withdraw", rec)))

    alice_client.post(url("withdraw", rec))

    assert record.status == "WITHDRAWN"
    assert stored(record).status == "WITHDRAWN"


def test_the_wrong_side_cannot_answer_or_withdraw(alice_client, bob_client, sandbox):
    alice_client.get(SENT)
    rec = stored(in_sandbox(sandbox, ALICE, BOB, "PENDING"))
    sandbox.clear_log()

    assert alice_client.post(url("accept", rec)).status_code == 403  # her own request
    assert bob_client.post(url("withdraw", rec)).status_code == 403  # not his to withdraw
    assert bob_client.get(url("edit", rec)).status_code == 403
    assert partial_updates(sandbox) == []


def test_edit_changes_the_notification_and_relationship(alice_client, sandbox):
    alice_client.get(SENT)
    record = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    rec = stored(record)
    form = alice_client.get(url("edit", rec))
    assert form.context["form"].initial["subject"] == ""  # sent elsewhere: LinkedIn hides it
    sandbox.clear_log()

    response = alice_client.post(
        url("edit", rec),
        {
            "subject": "Updated subject",
            "message": "Updated message",
            "relationship": "WORKED_IN_DIFFERENT_GROUPS",
            "requestee_entity": rec.requestee_entity,
        },
    )

    assert response.status_code == 302
    assert record.notification == {"subject": "Updated subject", "message": "Updated message"}
    assert record.relationship == "WORKED_IN_DIFFERENT_GROUPS"
    assert json.loads(partial_updates(sandbox)[0].body) == {
        "patch": {
            "$set": {
                "notification": {"subject": "Updated subject", "message": "Updated message"},
                "relationship": "WORKED_IN_DIFFERENT_GROUPS",
            }
        }
    }
    rec.refresh_from_db()
    assert rec.notification_subject == "Updated subject"


def test_edit_without_changes_calls_nobody(alice_client, sandbox):
    alice_client.get(SENT)
    rec = stored(in_sandbox(sandbox, ALICE, BOB, "PENDING"))
    sandbox.clear_log()
    response = alice_client.post(
        url("edit", rec),
        {
            "subject": rec.notification_subject,
            "message": rec.notification_message,
            "relationship": "",
            "requestee_entity": "",
        },
        follow=True,
    )
    assert "Nothing changed." in html(response)
    assert partial_updates(sandbox) == []


def test_accepting_a_request_withdrawn_meanwhile_explains_and_shows_the_state(bob_client, sandbox):
    bob_client.get(RECEIVED)
    record = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    rec = stored(record)
    sandbox.store.recs.update(record.key, ALICE, {"status": "WITHDRAWN"})

    response = bob_client.post(url("accept", rec))

    assert response.status_code == 409
    page = html(response)
    assert "the request changed meanwhile" in page
    assert "Its status on LinkedIn is now Withdrawn" in page
    assert ">Withdrawn</span>" in page
    assert stored(record).status == "WITHDRAWN"
    assert record.status == "WITHDRAWN"


def test_editing_a_request_answered_meanwhile_is_refused_clearly(alice_client, sandbox):
    alice_client.get(SENT)
    record = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    rec = stored(record)
    sandbox.store.recs.update(record.key, BOB, {"status": "DECLINED"})

    response = alice_client.post(
        url("edit", rec),
        {"subject": "s", "message": "m", "relationship": "", "requestee_entity": ""},
    )

    assert response.status_code == 409
    assert "Its status on LinkedIn is now Declined" in html(response)


def test_an_action_while_linkedin_is_down_keeps_the_stored_copy(bob_client, sandbox):
    bob_client.get(RECEIVED)
    record = in_sandbox(sandbox, ALICE, BOB, "PENDING")
    sandbox.set_faults(1.0, ["503"])

    response = bob_client.post(url("accept", stored(record)))

    assert response.status_code == 502
    assert "LinkedIn is not answering right now" in html(response)
    assert stored(record).status == "PENDING"


@responses.activate
def test_accept_sends_exactly_this_partial_update(alice, settings):
    settings.LINKEDIN_API_BASE_URL = "https://api.linkedin.test/v2"
    account = LinkedInAccount.objects.create(
        user=alice,
        person_urn=BOB,
        access_token="member-token-123",
        expires_at=timezone.now() + timedelta(days=30),
    )
    urn = f"urn:li:recommendationRequest:({ALICE},123456)"
    rec = RecommendationRequest.objects.create(
        urn=urn, linkedin_id=123456, requester=ALICE, requestee=BOB, status="PENDING"
    )
    encoded = (
        "https://api.linkedin.test/v2/recommendationRequest/"
        "urn%3Ali%3ArecommendationRequest%3A%28urn%3Ali%3Aperson%3Aalice01%2C123456%29"
    )
    responses.add(responses.POST, encoded, status=204)
    responses.add(
        responses.GET,
        encoded,
        json={"id": 123456, "requester": ALICE, "requestee": BOB, "status": "ACCEPTED"},
    )

    actions.accept_request(account, rec)

    update = responses.calls[0].request
    assert update.url == encoded
    assert update.body == b'{"patch":{"$set":{"status":"ACCEPTED"}}}'
    assert update.headers["Authorization"] == "Bearer member-token-123"
    assert update.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert update.headers["X-RestLi-Method"] == "partial_update"
    assert update.headers["Content-Type"] == "application/json"
    assert responses.calls[1].request.method == "GET"
    rec.refresh_from_db()
    assert rec.status == "ACCEPTED"


# -- permissions --------------------------------------------------------------------------------


def test_bob_cannot_see_or_touch_alices_requests_by_guessing_urls(
    alice_client, bob_client, sandbox
):
    alice_client.get(SENT)
    theirs = stored(in_sandbox(sandbox, ALICE, CAROL, "ACCEPTED"))
    sandbox.clear_log()

    for name in ("detail", "accept", "decline", "withdraw", "edit"):
        assert bob_client.get(url(name, theirs)).status_code == 404, name
    for name in ("accept", "decline", "withdraw", "edit"):
        assert bob_client.post(url(name, theirs)).status_code == 404, name
    assert sandbox.request_log == []
    listing = bob_client.get(SENT, {"status": ["PENDING", "ACCEPTED", "WITHDRAWN"]})
    assert theirs.pk not in [r.pk for r in listing.context["requests"]]


def test_bob_sees_alices_request_to_him(alice_client, bob_client, sandbox):
    alice_client.get(SENT)
    to_bob = stored(in_sandbox(sandbox, ALICE, BOB, "PENDING"))
    assert bob_client.get(url("detail", to_bob)).status_code == 200


def test_charlie_without_linkedin_is_asked_to_connect(client, charlie, alice_client, sandbox):
    alice_client.get(SENT)
    rec = RecommendationRequest.objects.first()
    client.force_login(charlie)
    sandbox.clear_log()

    for target in (RECEIVED, SENT, CREATE, url("detail", rec), url("accept", rec)):
        response = client.get(target)
        assert response.status_code == 200, target
        assert "Connect LinkedIn" in html(response)
        assert rec.urn not in html(response)
    assert client.post(url("accept", rec)).status_code == 200
    assert client.post(REFRESH).status_code == 200
    assert sandbox.request_log == []


def test_anonymous_visitors_go_to_sign_in(client, db):
    rec = RecommendationRequest.objects.create(
        urn="urn:li:recommendationRequest:(urn:li:person:x,1)",
        linkedin_id=1,
        requester="urn:li:person:x",
        requestee="urn:li:person:y",
        status="PENDING",
    )
    for target in (
        RECEIVED,
        SENT,
        CREATE,
        url("detail", rec),
        url("accept", rec),
        url("edit", rec),
    ):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(REFRESH)["Location"].startswith(reverse("login"))


def test_forms_carry_csrf_tokens(alice_client, sandbox):
    alice_client.get(SENT)
    rec = stored(in_sandbox(sandbox, ALICE, BOB, "PENDING"))
    for target in (CREATE, url("withdraw", rec), url("edit", rec), SENT):
        assert "csrfmiddlewaretoken" in html(alice_client.get(target)), target


# -- jobs ---------------------------------------------------------------------------------------


def test_the_hourly_job_enqueues_one_refresh_per_connected_account(
    alice_client, bob_client, django_capture_on_commit_callbacks
):
    LinkedInAccount.objects.filter(person_urn=BOB).update(needs_reconnect=True)

    # Jobs are enqueued when the transaction commits (django-rq's default).
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.refresh_all_accounts() == 1

    queued = django_rq.get_queue("default").jobs
    assert [(j.func_name, j.args) for j in queued] == [
        (
            "recommendations.jobs.refresh_account",
            (LinkedInAccount.objects.get(person_urn=ALICE).pk,),
        )
    ]


def test_refresh_account_stores_both_directions(alice, alice_client, sandbox):
    account = LinkedInAccount.objects.get(user=alice)
    RecommendationRequest.objects.all().delete()

    assert jobs.refresh_account(account.pk) == 7

    assert RecommendationRequest.objects.filter(requester=ALICE).count() == 3
    assert RecommendationRequest.objects.filter(requestee=ALICE).count() == 4
    assert jobs.refresh_account(account.pk) == 7  # idempotent
    assert RecommendationRequest.objects.count() == 7
    assert len(finder_calls(sandbox, "recipient")) == 2


def test_refresh_account_skips_while_another_run_holds_the_lock(alice, alice_client, sandbox):
    account = LinkedInAccount.objects.get(user=alice)
    lock = django_rq.get_connection("default").lock(f"recommendations:refresh:{account.pk}")
    assert lock.acquire(blocking=False)
    try:
        sandbox.clear_log()
        assert jobs.refresh_account(account.pk) is None
        assert sandbox.request_log == []
    finally:
        lock.release()


def test_refresh_account_records_a_failure_on_the_account(alice, alice_client, sandbox, settings):
    settings.LINKEDIN_MAX_ATTEMPTS = 2
    settings.LINKEDIN_MAX_RETRY_SECONDS = 0.5
    sandbox.set_faults(1.0, ["503"])
    account = LinkedInAccount.objects.get(user=alice)

    assert jobs.refresh_account(account.pk) is None

    account.refresh_from_db()
    assert "503" in account.last_error
    assert account.last_error_at is not None


def test_admin_shows_requests_read_only(alice_client, staff, sandbox):
    alice_client.get(RECEIVED)
    rec = RecommendationRequest.objects.first()
    admin = Client()
    admin.force_login(staff)
    listing = admin.get(
        reverse("admin:recommendations_recommendationrequest_changelist"), {"q": "bob02"}
    )
    change = admin.get(reverse("admin:recommendations_recommendationrequest_change", args=[rec.pk]))
    assert listing.status_code == 200 and change.status_code == 200
    assert rec.urn in html(change)
    assert not re.search(r'name="status"', html(change))
