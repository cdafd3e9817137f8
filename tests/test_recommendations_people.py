"""Lists a person can read: names with the URN beneath, statuses in words, every filter on both
lists, answered requests that stay findable, colleagues to ask, and refresh counts.

LinkedIn is the sandbox over real HTTP. Its demo requests (requester -> requestee) include
bob02 -> alice01 PENDING, carol03 -> alice01 PENDING, bob02 -> alice01 POSITION_DELETED,
zoe04 -> alice01 FULFILLED, alice01 -> bob02 PENDING, alice01 -> carol03 ACCEPTED,
alice01 -> bob02 WITHDRAWN, bob02 -> carol03 DECLINED and carol03 -> bob02 ARCHIVED.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.identity import remember_member_names
from linkedin.records import KNOWN_STATUSES
from recommendations.models import RecommendationRequest

RECEIVED = reverse("recommendations:received")
SENT = reverse("recommendations:sent")
CREATE = reverse("recommendations:create")
REFRESH = reverse("recommendations:refresh")
ALICE = "urn:li:person:alice01"
BOB = "urn:li:person:bob02"
CAROL = "urn:li:person:carol03"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_people_are_shown_by_name_with_the_urn_beneath(alice_client, bob_client, sandbox):
    remember_member_names({CAROL: "Carol Chen"}, source="seat")

    text = page(alice_client.get(RECEIVED, {"status": ["PENDING", "FULFILLED"]}))

    # bob signed in here (his identity), carol is a seat holder, zoe is known to nobody.
    assert '<span class="recs-name">Bob Brown</span>' in text
    assert '<span class="recs-name">Carol Chen</span>' in text
    assert f'<small class="recs-urn muted"><code>{BOB}</code></small>' in text
    assert '<code class="recs-person">urn:li:person:zoe04</code>' in text
    rec = RecommendationRequest.objects.get(requester=BOB, requestee=ALICE, status="PENDING")
    detail = page(alice_client.get(reverse("recommendations:detail", args=[rec.pk])))
    assert "Bob Brown" in detail and "Alice Adams" in detail


def test_statuses_are_in_words_and_an_unknown_one_as_it_came(alice_client, bob_client, sandbox):
    text = page(alice_client.get(RECEIVED, {"status": ["POSITION_DELETED", "FULFILLED"]}))
    assert ">Position deleted</span>" in text and ">Fulfilled</span>" in text
    assert ">POSITION_DELETED<" not in text

    archived = page(bob_client.get(RECEIVED, {"other": "archived"}))
    assert ">ARCHIVED</span>" in archived


def test_both_lists_offer_every_status_the_seed_lists(alice_client, sandbox):
    for target in (RECEIVED, SENT):
        choices = dict(alice_client.get(target).context["form"].fields["status"].choices)
        assert set(choices) == set(KNOWN_STATUSES), target
        assert choices["DECLINED"] == "Declined"
        assert choices["POSITION_DELETED"] == "Position deleted"


def test_sent_can_show_a_declined_request(bob_client, sandbox):
    sandbox.clear_log()

    response = bob_client.get(SENT, {"status": "DECLINED"})

    assert [(r.requestee, r.status) for r in response.context["requests"]] == [(CAROL, "DECLINED")]
    finders = [e.query for e in sandbox.request_log if "q=requester" in e.query]
    assert finders == ["q=requester&statusFilters=List(DECLINED)&start=0&count=50"]
    assert ">Declined</span>" in page(response)


def test_an_accepted_request_stays_findable_from_the_pending_list(bob_client, sandbox):
    bob_client.get(RECEIVED)
    rec = RecommendationRequest.objects.get(requester=ALICE, requestee=BOB, status="PENDING")
    accept = reverse("recommendations:accept", args=[rec.pk])
    detail = reverse("recommendations:detail", args=[rec.pk])

    response = bob_client.post(accept, {"next": RECEIVED}, follow=True)

    text = page(response)
    assert f'Request accepted. <a href="{detail}">See the request</a>.' in text
    assert rec not in response.context["requests"]  # the Pending view no longer lists it
    assert ">Accepted</span>" in page(bob_client.get(detail))


def test_the_create_form_offers_colleagues_and_explains_positions(
    alice_client, bob_client, sandbox
):
    form = alice_client.get(CREATE).context["form"]

    assert form.fields["colleague"].choices == [("", "— choose —"), (BOB, "Bob Brown")]
    help_text = form.fields["requester_entity"].help_text
    assert f"urn:li:position:({ALICE},40170411)" in help_text
    assert "urn:li:position:(<the member's person URN>,<position number>)" in help_text


def create_data(client: Client, **fields) -> dict:
    key = client.get(CREATE).context["form"].initial["creation_key"]
    return {"subject": "Hello", "message": "Would you?", "creation_key": key, **fields}


def test_a_colleague_picked_from_the_list_is_asked(alice_client, bob_client, sandbox):
    response = alice_client.post(CREATE, create_data(alice_client, colleague=BOB))

    assert response.status_code == 302
    created = RecommendationRequest.objects.get(created_by__username="alice")
    assert created.requestee == BOB
    assert sandbox.store.recs.get(created.urn).requestee == BOB


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, "Choose a colleague or enter a member&#x27;s URN."),
        ({"colleague": BOB, "requestee": CAROL}, "Pick a colleague or type a URN, not both."),
        ({"colleague": "urn:li:person:stranger"}, "Select a valid choice."),
    ],
)
def test_whom_to_ask_is_checked_before_linkedin(alice_client, bob_client, sandbox, fields, error):
    sandbox.clear_log()

    response = alice_client.post(CREATE, create_data(alice_client, **fields))

    assert response.status_code == 400
    assert error in response.content.decode()
    assert [e for e in sandbox.request_log if e.method == "POST"] == []


def test_a_typed_urn_still_works_beside_the_list(alice_client, sandbox):
    response = alice_client.post(CREATE, create_data(alice_client, requestee=CAROL))

    assert response.status_code == 302
    assert RecommendationRequest.objects.get(created_by__username="alice").requestee == CAROL


def test_refresh_says_how_many_requests_it_reread_in_all(alice_client, sandbox):
    alice_client.post(REFRESH)
    # A status no finder is asked for: only the BATCH_GET re-reads it now.
    [record] = [
        r
        for r in sandbox.store.recommendation_requests()
        if (r.requester, r.requestee, r.status) == (ALICE, CAROL, "ACCEPTED")
    ]
    record.status = "ARCHIVED"
    sandbox.clear_log()

    response = alice_client.post(REFRESH, follow=True)

    assert "Refreshed from LinkedIn: 7 requests re-read in all." in page(response)
    batch = [e for e in sandbox.request_log if "ids=List(" in e.query]
    assert len(batch) == 1


def test_refresh_asks_each_finder_only_the_statuses_the_seed_lists_for_it(alice_client, sandbox):
    sandbox.clear_log()

    alice_client.post(REFRESH)

    finders = {
        e.query.split("&")[0]: e.query.split("&")[1] for e in sandbox.request_log if "q=" in e.query
    }
    assert finders == {
        "q=recipient": "statusFilters=List(PENDING,ACCEPTED,DECLINED,FULFILLED,WITHDRAWN,"
        "POSITION_DELETED)",
        "q=requester": "statusFilters=List(PENDING,ACCEPTED,VISIBLE,HIDDEN,WITHDRAWN,REPLACED,"
        "CLOSED)",
    }
