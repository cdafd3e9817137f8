"""What the member typed is kept: LinkedIn never reads a notification back.

None of the seed's GET, BATCH_GET or finder samples carries ``notification``, and the sandbox
answers the same way, so the subject and message exist only in what we sent: on create and
on edit. An edit sends exactly the fields the member changed. LinkedIn is the sandbox over
real HTTP; the exact PARTIAL_UPDATE body is read from the sandbox's request log.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.test import Client
from django.urls import reverse

from recommendations.models import RecommendationRequest

CREATE = reverse("recommendations:create")
SENT = reverse("recommendations:sent")
RECEIVED = reverse("recommendations:received")
REFRESH = reverse("recommendations:refresh")
BOB = "urn:li:person:bob02"
SUBJECT = "Would you recommend me? <3"
MESSAGE = "We shipped the billing rewrite together.\nThanks!"


def url(name: str, rec: RecommendationRequest) -> str:
    return reverse(f"recommendations:{name}", args=[rec.pk])


def send_request(client: Client, **overrides) -> RecommendationRequest:
    key = client.get(CREATE).context["form"].initial["creation_key"]
    data = {
        "requestee": BOB,
        "subject": SUBJECT,
        "message": MESSAGE,
        "relationship": "WORKED_IN_SAME_GROUP",
        "requester_entity": "",
        "requestee_entity": "",
        "previous_recommendation": "",
        "creation_key": key,
        **overrides,
    }
    response = client.post(CREATE, data)
    assert response.status_code == 302, response.content
    return RecommendationRequest.objects.get(creation_key=key)


def patches(sandbox) -> list[dict]:
    return [
        json.loads(e.body)
        for e in sandbox.request_log
        if e.method == "POST" and e.headers.get("X-RestLi-Method") == "partial_update"
    ]


def test_create_then_detail_shows_what_was_typed(alice_client, sandbox):
    rec = send_request(alice_client)

    page = alice_client.get(url("detail", rec))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Would you recommend me? &lt;3" in text
    assert "We shipped the billing rewrite together." in text
    assert "does not show" not in text  # neither the subject nor the message is missing
    # The detail re-read the request from LinkedIn, and that read had no notification.
    assert "notification" not in sandbox.store.recs.get(rec.urn).to_json()
    reads = [e for e in sandbox.request_log if e.method == "GET"]
    assert reads[-1].path == "/v2/recommendationRequest/" + quote(rec.urn, safe="")


def test_lists_and_refresh_keep_the_notification_we_sent(alice_client, sandbox):
    rec = send_request(alice_client)

    listed = alice_client.get(SENT)
    alice_client.post(REFRESH)

    assert SUBJECT.replace("<", "&lt;") in listed.content.decode()
    rec.refresh_from_db()
    assert (rec.notification_subject, rec.notification_message) == (SUBJECT, MESSAGE)


def test_the_edit_form_is_prefilled(alice_client, sandbox):
    rec = send_request(alice_client)

    form = alice_client.get(url("edit", rec)).context["form"]

    assert form["subject"].value() == SUBJECT
    assert form["message"].value() == MESSAGE
    assert form["relationship"].value() == "WORKED_IN_SAME_GROUP"


def test_an_edit_of_the_relationship_alone_sends_only_the_relationship(alice_client, sandbox):
    rec = send_request(alice_client)
    sandbox.clear_log()

    response = alice_client.post(
        url("edit", rec),
        {
            "subject": SUBJECT,
            "message": MESSAGE,
            "relationship": "WORKED_IN_DIFFERENT_GROUPS",
            "requestee_entity": "",
        },
    )

    assert response.status_code == 302
    assert patches(sandbox) == [{"patch": {"$set": {"relationship": "WORKED_IN_DIFFERENT_GROUPS"}}}]
    rec.refresh_from_db()
    assert rec.relationship == "WORKED_IN_DIFFERENT_GROUPS"
    assert (rec.notification_subject, rec.notification_message) == (SUBJECT, MESSAGE)


def test_an_edited_message_is_shown_after_the_edit(alice_client, sandbox):
    rec = send_request(alice_client)
    sandbox.clear_log()

    alice_client.post(
        url("edit", rec),
        {
            "subject": SUBJECT,
            "message": "A better message",
            "relationship": "WORKED_IN_SAME_GROUP",
            "requestee_entity": "",
        },
    )

    assert patches(sandbox) == [
        {"patch": {"$set": {"notification": {"subject": SUBJECT, "message": "A better message"}}}}
    ]
    page = alice_client.get(url("detail", rec)).content.decode()
    assert "A better message" in page
    assert sandbox.store.recs.get(rec.urn).notification["message"] == "A better message"


def test_a_request_sent_elsewhere_can_be_edited_without_retyping_its_text(alice_client, sandbox):
    alice_client.get(SENT)
    rec = RecommendationRequest.objects.get(
        requester="urn:li:person:alice01", requestee=BOB, status="PENDING"
    )
    before = dict(sandbox.store.recs.get(rec.urn).notification)
    sandbox.clear_log()

    response = alice_client.post(
        url("edit", rec),
        {"subject": "", "message": "", "relationship": "WORKED_IN_DIFFERENT_GROUPS"},
    )

    assert response.status_code == 302
    assert patches(sandbox) == [{"patch": {"$set": {"relationship": "WORKED_IN_DIFFERENT_GROUPS"}}}]
    assert sandbox.store.recs.get(rec.urn).notification == before
    detail = alice_client.get(url("detail", rec)).content.decode()
    assert "LinkedIn does not show other applications the message" in detail


def test_half_a_notification_is_refused_and_nothing_is_sent(alice_client, sandbox):
    rec = send_request(alice_client)
    sandbox.clear_log()

    response = alice_client.post(
        url("edit", rec), {"subject": "New subject", "message": "", "relationship": ""}
    )

    assert response.status_code == 400
    assert "replaces the subject and the message together" in response.content.decode()
    assert patches(sandbox) == []
