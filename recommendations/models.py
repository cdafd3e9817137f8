"""A member's LinkedIn connection (3-legged tokens) and the recommendation requests we have seen.

LinkedIn owns the requests: we keep the last copy it gave us, keyed by the composite URN
``urn:li:recommendationRequest:(<requester>,<id>)``. One stored request is shared by both of
its members; a site user sees it only while their connected member is its requester or
requestee.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.crypto import EncryptedTextField
from linkedin.records import RELATIONSHIPS

# A stored copy older than this is re-read (BATCH_GET) when a list shows it.
STALE_AFTER = timedelta(minutes=10)


_STATUS_TONES = {
    "PENDING": "warn",
    "ACCEPTED": "ok",
    "FULFILLED": "ok",
    "VISIBLE": "ok",
    "DECLINED": "bad",
    "WITHDRAWN": "bad",
    "POSITION_DELETED": "bad",
}


# Statuses in words. One not listed is shown as LinkedIn sent it.
STATUS_LABELS = {
    "PENDING": "Pending",
    "ACCEPTED": "Accepted",
    "DECLINED": "Declined",
    "FULFILLED": "Fulfilled",
    "WITHDRAWN": "Withdrawn",
    "POSITION_DELETED": "Position deleted",
    "VISIBLE": "Visible",
    "HIDDEN": "Hidden",
    "REPLACED": "Replaced",
    "CLOSED": "Closed",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


class LinkedInAccount(models.Model):
    """The LinkedIn member a site user connected, with their tokens (encrypted at rest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="linkedin_account"
    )
    # One member belongs to at most one site user: otherwise two users could act as one member.
    person_urn = models.CharField("person URN", max_length=200, unique=True)
    name = models.CharField(max_length=200, blank=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField("access token expires at")
    refresh_expires_at = models.DateTimeField("refresh token expires at", null=True, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    needs_reconnect = models.BooleanField(
        default=False, help_text="LinkedIn refused the tokens: the user must connect again."
    )
    connected_at = models.DateTimeField(default=timezone.now)
    last_refreshed_at = models.DateTimeField("token last refreshed", null=True, blank=True)
    last_synced_at = models.DateTimeField("requests last synced", null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "LinkedIn account"

    def __str__(self) -> str:
        return f"{self.name or self.person_urn} ({self.user})"

    def __repr__(self) -> str:
        # Never the tokens.
        return f"<LinkedInAccount {self.pk} {self.person_urn} user={self.user_id}>"


class RecommendationRequestQuerySet(models.QuerySet):
    def visible_to(self, account: LinkedInAccount | None) -> RecommendationRequestQuerySet:
        """The requests whose requester or requestee is the account's member."""
        if account is None:
            return self.none()
        return self.filter(Q(requester=account.person_urn) | Q(requestee=account.person_urn))

    def received_by(self, account: LinkedInAccount) -> RecommendationRequestQuerySet:
        return self.filter(requestee=account.person_urn)

    def sent_by(self, account: LinkedInAccount) -> RecommendationRequestQuerySet:
        return self.filter(requester=account.person_urn)

    def pending_first(self) -> RecommendationRequestQuerySet:
        pending = models.Case(
            models.When(status=RecommendationRequest.PENDING, then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return self.order_by(pending, models.F("created").desc(nulls_last=True), "-linkedin_id")


class RecommendationRequest(models.Model):
    PENDING = "PENDING"

    urn = models.CharField("URN", max_length=255, unique=True)
    linkedin_id = models.BigIntegerField("LinkedIn id")
    requester = models.CharField(max_length=200, db_index=True)
    requestee = models.CharField(max_length=200, db_index=True)
    requester_entity = models.CharField(max_length=255, blank=True)
    requestee_entity = models.CharField(max_length=255, blank=True)
    relationship = models.CharField(max_length=100, blank=True)
    # Text, not choices: LinkedIn's lists disagree with its own samples, and a value we do not
    # know is shown as it came rather than rejected.
    status = models.CharField(max_length=100, db_index=True)
    notification_subject = models.TextField(blank=True)
    notification_message = models.TextField(blank=True)
    previous_recommendation = models.CharField(max_length=255, blank=True)
    num_requests = models.PositiveIntegerField(null=True, blank=True)
    created = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(
        default=dict, blank=True, help_text="Fields of LinkedIn's answer we do not model."
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(
        null=True, blank=True, help_text="When LinkedIn last answered 404 for it."
    )
    # A create's one-time form token, so that a double submit finds the first request.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    creation_key = models.CharField(max_length=64, blank=True)

    objects = RecommendationRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "creation_key"],
                condition=~Q(creation_key=""),
                name="recs_one_request_per_creation_key",
            )
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def is_pending(self) -> bool:
        return self.status == self.PENDING and self.gone_at is None

    @property
    def requester_short(self) -> str:
        return short_person(self.requester)

    @property
    def requestee_short(self) -> str:
        return short_person(self.requestee)

    @property
    def status_tone(self) -> str:
        """A CSS badge class for the status; unknown statuses get the plain badge."""
        if self.gone_at is not None:
            return "bad"
        return _STATUS_TONES.get(self.status, "")

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def relationship_label(self) -> str:
        return RELATIONSHIPS.get(self.relationship, self.relationship)

    @property
    def age(self) -> timedelta | None:
        """How old the stored copy is (None if LinkedIn never answered for it)."""
        return None if self.last_synced_at is None else timezone.now() - self.last_synced_at

    @property
    def is_stale(self) -> bool:
        return self.last_synced_at is None or timezone.now() - self.last_synced_at > STALE_AFTER

    def role_of(self, account: LinkedInAccount | None) -> str | None:
        """'requester', 'requestee' or None: what the account's member is to this request."""
        if account is None:
            return None
        if account.person_urn == self.requester:
            return "requester"
        if account.person_urn == self.requestee:
            return "requestee"
        return None


def short_person(urn: str) -> str:
    """``urn:li:person:bob02`` as ``bob02``, for narrow table cells; other URNs unchanged."""
    return urn.removeprefix("urn:li:person:") or urn


def from_epoch_ms(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)
