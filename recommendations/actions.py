"""What a member can do with recommendation requests, as verbs that views and jobs both call.

Every verb takes the caller's own LinkedInAccount and acts with its tokens only. LinkedIn is
the truth: after a change we read the request back and store what LinkedIn says, and a
refusal (409 conflict, 403, 422) re-reads the current state so the user sees why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from linkedin import records
from linkedin.client import LinkedInClient
from linkedin.errors import ConflictError, LinkedInError
from linkedin.restli import request_urn, split_request_urn
from recommendations import queue
from recommendations.accounts import ReconnectNeeded, client_for, is_auth_failure, mark_reconnect
from recommendations.models import (
    STALE_AFTER,
    LinkedInAccount,
    RecommendationRequest,
    RecommendationRequestQuerySet,
    from_epoch_ms,
)

logger = logging.getLogger(__name__)

ACCEPTED = "ACCEPTED"
DECLINED = "DECLINED"
WITHDRAWN = "WITHDRAWN"
# What the refresh (and the periodic job) asks each finder for: the statuses the seed lists
# for that finder, and ACCEPTED from its sample queries. A stored request whose status is
# outside them is re-read by BATCH_GET instead, so no undocumented value is ever sent unasked.
RECEIVED_STATUSES: tuple[str, ...] = tuple(
    dict.fromkeys(("PENDING", ACCEPTED, *records.RECIPIENT_STATUSES))
)
SENT_STATUSES: tuple[str, ...] = tuple(
    dict.fromkeys(("PENDING", ACCEPTED, *records.REQUESTER_STATUSES))
)
# What both lists offer to filter on: every status the seed names for either finder. A
# request one member sees as DECLINED or POSITION_DELETED is the other member's too.
FILTER_STATUSES: tuple[str, ...] = tuple(
    dict.fromkeys(("PENDING", ACCEPTED, *records.KNOWN_STATUSES))
)
# At most this many stored requests are re-read per list view (one BATCH_GET call).
MAX_BATCH_REFRESH = 100
# How long a second submit of the same create form waits for the first to finish.
CREATE_WAIT_SECONDS = 10.0
CREATE_CLAIM_SECONDS = 600


class ActionRefused(Exception):
    """LinkedIn refused a change because of the request's state; ``request`` is re-read."""

    def __init__(self, message: str, request: RecommendationRequest | None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class CreateInFlight(Exception):
    """The same create form is still being sent by another submit."""


@dataclass
class Listing:
    """A list to show: the stored requests, and what went wrong fetching them, if anything."""

    requests: list[RecommendationRequest]
    error: LinkedInError | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Created:
    request: RecommendationRequest
    duplicate: bool


@contextmanager
def _as_member(account: LinkedInAccount, *, interactive: bool = True) -> Iterator[LinkedInClient]:
    """A client for the account; a 401 that survives the refresh means reconnect."""
    client = client_for(account, interactive=interactive)
    try:
        yield client
    except LinkedInError as exc:
        if is_auth_failure(exc):
            mark_reconnect(account, f"LinkedIn refused the sign-in: {exc.message}")
            raise ReconnectNeeded(account.last_error) from None
        raise
    finally:
        client.close()


# -- storing LinkedIn's answers ---------------------------------------------------------------


def store_request(
    record: records.RecommendationRequest,
    now: datetime | None = None,
    *,
    sent: tuple[str, str] | None = None,
) -> RecommendationRequest:
    """Create or update our copy of a request from LinkedIn's record.

    LinkedIn's reads carry no notification (none of the seed's samples has one): the subject
    and message are what the requester sent through us, ``sent``, and a read without them
    keeps the stored ones.
    """
    now = now or timezone.now()
    urn = record.urn or request_urn(record.requester, record.id)
    values: dict[str, Any] = {
        "linkedin_id": record.id,
        "requester": record.requester,
        "requestee": record.requestee,
        "requester_entity": record.requester_entity or "",
        "requestee_entity": record.requestee_entity or "",
        "relationship": record.relationship or "",
        "status": record.status,
        "previous_recommendation": record.previous_recommendation or "",
        "num_requests": record.num_requests,
        "created": from_epoch_ms(record.created),
        "last_modified": from_epoch_ms(record.last_modified),
        "extra": record.extra,
        "last_synced_at": now,
        "gone_at": None,
    }
    if record.notification_subject is not None:
        values["notification_subject"] = record.notification_subject
    if record.notification_message is not None:
        values["notification_message"] = record.notification_message
    if sent is not None:
        values["notification_subject"], values["notification_message"] = sent
    try:
        with transaction.atomic():
            stored, _ = RecommendationRequest.objects.update_or_create(urn=urn, defaults=values)
    except IntegrityError:
        # Another process stored the same URN between our read and our insert: update it.
        stored, _ = RecommendationRequest.objects.update_or_create(urn=urn, defaults=values)
    return stored


def _mark_gone(request: RecommendationRequest, now: datetime) -> None:
    request.gone_at = now
    request.last_synced_at = now
    request.save(update_fields=["gone_at", "last_synced_at"])


@dataclass(frozen=True)
class Reread:
    """What a BATCH_GET re-read: how many LinkedIn answered, and the ones it failed on."""

    read: int = 0
    failed: list[RecommendationRequest] = field(default_factory=list)


def refresh_many(client: LinkedInClient, stored: Sequence[RecommendationRequest]) -> Reread:
    """Re-read stored requests in one BATCH_GET per 100; mark the ones LinkedIn has lost.

    ``failed`` holds the requests whose own answer was an error other than 404 (left as
    they were).
    """
    if not stored:
        return Reread()
    now = timezone.now()
    by_urn = {r.urn: r for r in stored}
    result = client.batch_get_recommendation_requests(by_urn)
    for record in result.results.values():
        store_request(record, now)
    failed = []
    for urn, error in result.errors.items():
        request = by_urn.get(urn)
        if request is None:
            continue
        if error.status == 404:
            _mark_gone(request, now)
        else:
            failed.append(request)
            logger.info("BATCH_GET could not read %s: %s", urn, error)
    return Reread(len(result.results), failed)


# -- lists ------------------------------------------------------------------------------------


def list_received(account: LinkedInAccount, statuses: Sequence[str]) -> Listing:
    """The member's received requests with these statuses, fresh from LinkedIn if it answers."""
    stored = RecommendationRequest.objects.received_by(account)
    return _listing(
        account,
        stored,
        statuses,
        lambda client: client.iter_received_requests(statuses),
    )


def list_sent(
    account: LinkedInAccount, statuses: Sequence[str], entities: Sequence[str] = ()
) -> Listing:
    """The member's sent requests with these statuses, optionally for some positions only."""
    stored = RecommendationRequest.objects.sent_by(account)
    if entities:
        stored = stored.filter(Q(requester_entity__in=entities) | Q(requestee_entity__in=entities))
    return _listing(
        account,
        stored,
        statuses,
        lambda client: client.iter_sent_requests(statuses, entities),
    )


def _listing(
    account: LinkedInAccount,
    stored: RecommendationRequestQuerySet,
    statuses: Sequence[str],
    find: Callable[[LinkedInClient], Iterable[records.RecommendationRequest]],
) -> Listing:
    """Ask a finder, store what it returns, re-read what it left out, show the stored rows.

    When LinkedIn fails the stored copies are still shown, with the error to explain them.
    """
    listing = Listing([])
    shown = stored.filter(status__in=statuses, gone_at__isnull=True)
    try:
        with _as_member(account) as client:
            now = timezone.now()
            seen = {store_request(record, now).pk for record in find(client)}
            # Stored copies the finder did not return have changed (their status is no longer
            # one we asked for) or went away; other stored ones are re-read when stale.
            cutoff = timezone.now() - STALE_AFTER
            candidates = list(
                stored.filter(gone_at__isnull=True)
                .exclude(pk__in=seen)
                .filter(Q(status__in=statuses) | Q(last_synced_at__lt=cutoff))
                .order_by("-last_modified")[:MAX_BATCH_REFRESH]
            )
            try:
                failed = refresh_many(client, candidates).failed
            except LinkedInError as exc:
                if is_auth_failure(exc):
                    raise
                listing.warnings.append(f"Some stored requests could not be re-read: {exc}")
            else:
                if failed:
                    listing.warnings.append(
                        f"{len(failed)} stored request(s) could not be re-read from LinkedIn."
                    )
    except LinkedInError as exc:
        logger.info("LinkedIn list failed for %s: %s", account.person_urn, exc)
        listing.error = exc
    listing.requests = list(shown.pending_first())
    return listing


def sync_account(account: LinkedInAccount, *, interactive: bool = False) -> int:
    """Store every request the member received or sent; re-read the stored ones not seen.

    Return how many requests were read from LinkedIn in all: those both finders returned
    and those the BATCH_GET re-read. Records the outcome on the account.
    """
    now = timezone.now()
    try:
        with _as_member(account, interactive=interactive) as client:
            seen: set[int] = set()
            for record in client.iter_received_requests(RECEIVED_STATUSES):
                seen.add(store_request(record, now).pk)
            for record in client.iter_sent_requests(SENT_STATUSES):
                seen.add(store_request(record, now).pk)
            unseen = list(
                RecommendationRequest.objects.visible_to(account)
                .filter(gone_at__isnull=True)
                .exclude(pk__in=seen)
            )
            reread = refresh_many(client, unseen)
    except LinkedInError as exc:
        account.last_error = str(exc)
        account.last_error_at = timezone.now()
        account.save(update_fields=["last_error", "last_error_at"])
        raise
    account.last_synced_at = now
    account.last_error = ""
    account.save(update_fields=["last_synced_at", "last_error"])
    return len(seen) + reread.read


# -- one request ------------------------------------------------------------------------------


def refresh_request(
    account: LinkedInAccount, request: RecommendationRequest
) -> RecommendationRequest:
    """Re-read one request from LinkedIn and store it; a 404 marks it gone."""
    with _as_member(account) as client:
        return _reread(client, request)


def _reread(client: LinkedInClient, request: RecommendationRequest) -> RecommendationRequest:
    try:
        record = client.get_recommendation_request(request.urn)
    except LinkedInError as exc:
        if exc.status == 404:
            _mark_gone(request, timezone.now())
            return request
        raise
    return store_request(record)


def accept_request(
    account: LinkedInAccount, request: RecommendationRequest
) -> RecommendationRequest:
    return _change(account, request, "requestee", {"status": ACCEPTED})


def decline_request(
    account: LinkedInAccount, request: RecommendationRequest
) -> RecommendationRequest:
    return _change(account, request, "requestee", {"status": DECLINED})


def withdraw_request(
    account: LinkedInAccount, request: RecommendationRequest
) -> RecommendationRequest:
    return _change(account, request, "requester", {"status": WITHDRAWN})


def edit_request(
    account: LinkedInAccount, request: RecommendationRequest, changes: dict[str, Any]
) -> RecommendationRequest:
    """Change a pending request's notification, relationship or requestee entity.

    ``changes`` takes update_recommendation_request's keywords; the subject and message go
    together because LinkedIn replaces the whole notification.
    """
    return _change(account, request, "requester", changes)


class NotYours(Exception):
    """The member has the wrong role for this change (e.g. accepting a request they sent)."""


def _change(
    account: LinkedInAccount,
    request: RecommendationRequest,
    role: str,
    changes: dict[str, Any],
) -> RecommendationRequest:
    if request.role_of(account) != role:
        raise NotYours(f"Only the request's {role} can do this.")
    with _as_member(account) as client:
        try:
            client.update_recommendation_request(request.urn, **changes)
        except LinkedInError as exc:
            if exc.status == 404:
                _mark_gone(request, timezone.now())
                raise ActionRefused("This request no longer exists on LinkedIn.", request) from None
            if not (isinstance(exc, ConflictError) or exc.status in (403, 409, 422)):
                raise
            current = _reread_quietly(client, request)
            raise ActionRefused(_refusal(exc, current), current) from None
        _keep_sent_notification(request, changes)
        return _reread(client, request)


def _keep_sent_notification(request: RecommendationRequest, changes: dict[str, Any]) -> None:
    """Store the notification an edit sent: LinkedIn's read-back will not carry it."""
    if changes.get("notification_subject") is None:
        return
    request.notification_subject = changes["notification_subject"]
    request.notification_message = changes["notification_message"]
    request.save(update_fields=["notification_subject", "notification_message"])


def _reread_quietly(client: LinkedInClient, request: RecommendationRequest):
    try:
        return _reread(client, request)
    except LinkedInError as exc:
        logger.info("could not re-read %s after a refusal: %s", request.urn, exc)
        return request


def _refusal(exc: LinkedInError, current: RecommendationRequest) -> str:
    if current.gone_at is not None:
        state = "It no longer exists on LinkedIn."
    else:
        state = f"Its status on LinkedIn is now {current.status_label}."
    if isinstance(exc, ConflictError) or exc.status == 409:
        lead = "LinkedIn did not make the change: the request changed meanwhile."
    else:
        lead = "LinkedIn refused the change."
    return f"{lead} {state} (LinkedIn said: {exc.message})"


# -- create -----------------------------------------------------------------------------------


def _claim_key(user: AbstractBaseUser, creation_key: str) -> str:
    return f"recommendations:create:{user.pk}:{creation_key}"


def _created_with(user: AbstractBaseUser, creation_key: str) -> RecommendationRequest | None:
    return RecommendationRequest.objects.filter(created_by=user, creation_key=creation_key).first()


def create_request(
    account: LinkedInAccount,
    user: AbstractBaseUser,
    creation_key: str,
    *,
    requestee: str,
    subject: str,
    message: str,
    relationship: str | None = None,
    requester_entity: str | None = None,
    requestee_entity: str | None = None,
    previous_recommendation: str | None = None,
) -> Created:
    """Ask LinkedIn to create the request once per form (``creation_key``), then store it.

    A second submit of the same form returns the first one's request instead of creating
    another: a Redis claim stops two submits racing to LinkedIn, and the key stored on the
    request answers every later one.
    """
    existing = _created_with(user, creation_key)
    if existing is not None:
        return Created(existing, duplicate=True)
    redis = queue.redis()
    claim = _claim_key(user, creation_key)
    if not redis.set(claim, "1", nx=True, ex=CREATE_CLAIM_SECONDS):
        return Created(_wait_for_first(user, creation_key), duplicate=True)
    fields = {
        "requestee": requestee,
        "subject": subject,
        "message": message,
        "relationship": relationship or None,
        "requester_entity": requester_entity or None,
        "requestee_entity": requestee_entity or None,
        "previous_recommendation": previous_recommendation or None,
    }
    try:
        with _as_member(account) as client:
            urn = client.create_recommendation_request(**fields)
            logger.info("%s created recommendation request %s", account.person_urn, urn)
            try:
                record = client.get_recommendation_request(urn)
                stored = store_request(record, sent=(subject, message))
            except LinkedInError as exc:
                # Created, but not readable right now: keep what we sent; a refresh fills in.
                logger.info("created %s but could not read it back: %s", urn, exc)
                stored = _store_sent(urn, fields)
    except BaseException:
        redis.delete(claim)
        raise
    stored.created_by = user
    stored.creation_key = creation_key
    stored.save(update_fields=["created_by", "creation_key"])
    return Created(stored, duplicate=False)


def _wait_for_first(user: AbstractBaseUser, creation_key: str) -> RecommendationRequest:
    deadline = time.monotonic() + CREATE_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.2)
        existing = _created_with(user, creation_key)
        if existing is not None:
            return existing
    raise CreateInFlight("This request is still being sent. Check the Sent list in a moment.")


def _store_sent(urn: str, fields: dict[str, Any]) -> RecommendationRequest:
    requester, request_id = split_request_urn(urn)
    stored, _ = RecommendationRequest.objects.get_or_create(
        urn=urn,
        defaults={
            "linkedin_id": request_id,
            "requester": requester,
            "requestee": fields["requestee"],
            "status": RecommendationRequest.PENDING,
            "notification_subject": fields["subject"],
            "notification_message": fields["message"],
            "relationship": fields["relationship"] or "",
            "requester_entity": fields["requester_entity"] or "",
            "requestee_entity": fields["requestee_entity"] or "",
            "previous_recommendation": fields["previous_recommendation"] or "",
            "created": timezone.now(),
        },
    )
    return stored


def visible_request(account: LinkedInAccount | None, pk: int) -> RecommendationRequest | None:
    """A stored request the account's member may see, by our id; None for anyone else's."""
    return RecommendationRequest.objects.visible_to(account).filter(pk=pk).first()
