"""Contracts, seats, prospects and the notes synced from LinkedIn Recruiter.

LinkedIn owns the notes: we keep a copy, keyed by LinkedIn's id within a contract. A deleted note
stays as a tombstone (active=False, deleted_at set) so that neither a late page nor a retried
push can bring it back, and so that an admin can still see what was removed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from config.crypto import EncryptedTextField

MAX_WINDOW_HOURS = 12  # LinkedIn's guidance: at most 12 hours of range per call


class Contract(models.Model):
    urn = models.CharField("contract URN", max_length=100, unique=True)
    name = models.CharField(max_length=200, blank=True)
    # Recruiter System Connect gives each customer its own (child application) credentials;
    # empty means the site's LINKEDIN_CLIENT_ID / LINKEDIN_CLIENT_SECRET.
    client_id = models.CharField("LinkedIn client id", max_length=200, blank=True)
    client_secret = EncryptedTextField("LinkedIn client secret", blank=True)
    active = models.BooleanField(default=True, help_text="Synced on schedule when active.")
    backfill_start = models.DateTimeField(
        null=True, blank=True, help_text="Where the first sync starts. Empty: 30 days back."
    )
    window_hours = models.PositiveSmallIntegerField(
        default=MAX_WINDOW_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW_HOURS)],
        help_text="Length of each API call's date range, overlap included (at most 12).",
    )
    overlap_minutes = models.PositiveIntegerField(
        default=15, help_text="How far each window reaches back into the previous one."
    )
    rescan_days = models.PositiveSmallIntegerField(
        default=30, help_text="Depth of the daily re-scan that catches late edits and deletions."
    )
    watermark = models.DateTimeField(
        null=True, blank=True, help_text="Notes last modified up to here are synced."
    )
    last_rescan_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "urn"]

    def __str__(self) -> str:
        return self.name or self.urn

    @property
    def lag(self) -> timedelta | None:
        """How far the synced data trails now (None before the first sync)."""
        return timezone.now() - self.watermark if self.watermark else None

    def credentials(self) -> tuple[str, str]:
        if self.client_id:
            return self.client_id, self.client_secret
        return settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET


class Seat(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="seats")
    urn = models.CharField("seat URN", max_length=100)
    name = models.CharField("display name", max_length=200, blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="seats",
        blank=True,
        help_text="Site users who hold this seat: they see its notes.",
    )

    class Meta:
        ordering = ["name", "urn"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "urn"], name="seat_unique_per_contract")
        ]

    def __str__(self) -> str:
        return self.name or self.urn


class Prospect(models.Model):
    urn = models.CharField("member URN", max_length=100, unique=True)
    name = models.CharField("display name", max_length=200, blank=True)

    class Meta:
        ordering = ["name", "urn"]

    def __str__(self) -> str:
        return self.name or self.urn


class ProspectNote(models.Model):
    class DeletedBy(models.TextChoices):
        SYNC = "sync", "LinkedIn marked it inactive"
        PUSH = "push", "LinkedIn push event"

    # No single-column indexes on the foreign keys: the composite indexes below start with each
    # of them. No database constraints either: the sync writes 100,000s of notes in bulk and the
    # deferred check of each key cost a third of the insert (0.7 s per 100,000 notes and key on
    # PostgreSQL). Django still enforces CASCADE and PROTECT when a row is deleted through it, and
    # the sync's merge creates seats and prospects before the notes that point to them.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="notes",
        db_index=False,
        db_constraint=False,
    )
    linkedin_id = models.BigIntegerField("LinkedIn id")
    # Null only on a tombstone recorded from a push event before the note was ever synced.
    owner = models.ForeignKey(
        Seat,
        on_delete=models.PROTECT,
        related_name="notes",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    prospect = models.ForeignKey(
        Prospect,
        on_delete=models.PROTECT,
        related_name="notes",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,
    )
    text = models.TextField(blank=True)
    created = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.CharField(max_length=10, choices=DeletedBy.choices, blank=True)
    first_synced_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "linkedin_id"], name="note_unique_per_contract"
            )
        ]
        # Each index is paid by every note the sync writes: only those the pages read (the
        # notes list, a recruiter's seats, a prospect's timeline).
        indexes = [
            models.Index(fields=["owner", "-created"], name="note_owner_created"),
            models.Index(fields=["prospect", "-created"], name="note_prospect_created"),
            models.Index(fields=["-created", "-id"], name="note_created"),
        ]

    def __str__(self) -> str:
        return f"note {self.linkedin_id}"

    @property
    def edited(self) -> bool:
        return bool(self.created and self.last_modified and self.last_modified > self.created)


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled"
        MANUAL = "manual"
        RESCAN = "rescan"
        COMMAND = "command"

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        SKIPPED = "skipped", "skipped (another run held the lock)"
        THROTTLED = "throttled", "stopped by LinkedIn's daily quota"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SCHEDULED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    cursor = models.DateTimeField(
        null=True, blank=True, help_text="End of the last finished window."
    )
    progress = models.FloatField(default=0.0, help_text="Percent of the time range done.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    notes_created = models.PositiveIntegerField(default=0)
    notes_updated = models.PositiveIntegerField(default=0)
    notes_deactivated = models.PositiveIntegerField(default=0)
    notes_unchanged = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["contract", "-started_at"], name="run_contract_started")]

    def __str__(self) -> str:
        return f"{self.contract} {self.kind} run {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class PushEvent(models.Model):
    received_at = models.DateTimeField(default=timezone.now)
    event_type = models.CharField(max_length=100, blank=True)
    raw_body = models.TextField()
    # sha256 of the raw body: LinkedIn retries deliveries, and a repeat is recorded once.
    body_sha256 = models.CharField(max_length=64, unique=True)
    signature_valid = models.BooleanField(default=False)
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="push_events"
    )
    prospect_note_id = models.BigIntegerField(null=True, blank=True)
    deliveries = models.PositiveIntegerField(default=1)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type or 'event'} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class ConnectionCheck(models.Model):
    """The last "Test connection" of a contract: the outcome in words and when, nothing else.

    One row per contract, replaced by each test; the test itself stores no notes or seats.
    """

    class Outcome(models.TextChoices):
        WORKS = "works", "works"
        REFUSED = "refused", "credentials refused"
        NO_ACCESS = "no_access", "no RSC access to the contract"
        FAILED = "failed", "LinkedIn did not answer"

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="connection_check"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(help_text="What the test found, in words.")
    request_id = models.CharField(
        "LinkedIn request id", max_length=100, blank=True, help_text="For LinkedIn's support."
    )
    notes_seen = models.PositiveIntegerField(null=True, blank=True)
    seats_seen = models.PositiveIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.contract}: {self.get_outcome_display()} at {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def works(self) -> bool:
        return self.outcome == self.Outcome.WORKS
