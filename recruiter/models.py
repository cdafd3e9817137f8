"""Contracts, seats, prospects and the notes synced from LinkedIn Recruiter.

LinkedIn owns the notes: we keep a copy, keyed by LinkedIn's id within a contract. A deleted note
stays as a tombstone (active=False, deleted_at set) so that neither a late page nor a retried
push can bring it back, and so that an admin can still see what was removed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from config.crypto import EncryptedTextField

MAX_WINDOW_HOURS = 12  # LinkedIn's guidance: at most 12 hours of range per call


def new_push_token() -> str:
    """The secret part of a contract's push URL: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


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
    seats_synced_at = models.DateTimeField(
        null=True, blank=True, help_text="When LinkedIn's seat holders were last read."
    )
    seats_error = models.TextField(blank=True, help_text="Why the last seat holders read failed.")
    ended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The customer's contract ended: its notes are purged by the daily retention job.",
    )
    # LinkedIn wants one callback URL per customer; the token in its path names the contract
    # (and so the secret) without trusting the body, and cannot be guessed.
    push_token = models.CharField(
        max_length=64, unique=True, default=new_push_token, editable=False
    )
    push_last_validated_at = models.DateTimeField(
        null=True, blank=True, help_text="When LinkedIn last validated this contract's push URL."
    )
    push_last_event_at = models.DateTimeField(
        null=True, blank=True, help_text="When LinkedIn last delivered a signed push event."
    )
    # From LinkedIn's INTEGRATION_STATUS_CHANGE events, as sent (e.g. ENABLED, DISABLED).
    integration_status = models.CharField(max_length=100, blank=True)
    integration_status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "urn"]

    def __str__(self) -> str:
        return self.name or self.urn

    @property
    def uses_site_credentials(self) -> bool:
        return not self.client_id

    @property
    def lag(self) -> timedelta | None:
        """How far the synced data trails now (None before the first sync)."""
        return timezone.now() - self.watermark if self.watermark else None

    def credentials(self) -> tuple[str, str]:
        if self.client_id:
            return self.client_id, self.client_secret
        return settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET


class Seat(models.Model):
    class State(models.TextChoices):
        # LinkedIn's seat states (seatsV2); an unknown one is stored as it came.
        ACTIVE = "ACTIVE", "active"
        INACTIVE = "INACTIVE", "inactive"
        INVITED = "INVITED", "invited"
        PARKED = "PARKED", "parked"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="seats")
    urn = models.CharField("seat URN", max_length=100)
    name = models.CharField(
        "display name", max_length=200, blank=True, help_text="Ours; empty: the holder's name."
    )
    # What LinkedIn's seat holders API says (recruiter.seats.sync_seats); empty until read.
    # Database defaults too: the sync creates seats in SQL, naming only contract and URN.
    holder_name = models.CharField(max_length=200, blank=True, db_default="")
    member = models.CharField(
        "holder's person URN", max_length=200, blank=True, db_index=True, db_default=""
    )
    state = models.CharField(max_length=20, blank=True, db_default="")
    roles = models.JSONField(default=list, blank=True, db_default=[])
    # False once LinkedIn stops listing the seat: kept with its notes, shown as gone.
    listed = models.BooleanField(default=True, db_default=True)
    listed_at = models.DateTimeField(
        null=True, blank=True, help_text="When LinkedIn last listed this seat."
    )
    # Kept exact by triggers on the notes table (migration *_note_counters): the Seats page
    # reads them instead of aggregating every note.
    note_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    last_activity = models.DateTimeField(null=True, blank=True, editable=False)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SeatUser",
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
        return self.label

    @property
    def label(self) -> str:
        """The name people know the seat by; its URN when nobody named it."""
        return self.name or self.holder_name or self.urn

    @property
    def has_name(self) -> bool:
        return bool(self.name or self.holder_name)

    @property
    def is_active(self) -> bool:
        """Listed by LinkedIn and ACTIVE (a seat never read from LinkedIn counts as active)."""
        return self.listed and self.state in ("", self.State.ACTIVE)

    @property
    def role_labels(self) -> list[str]:
        """LinkedIn's role names read as words: SOURCER_ADD_PROSPECT is "Sourcer add prospect"."""
        roles = self.roles if isinstance(self.roles, list) else []
        return [str(r).removesuffix("_SEAT").replace("_", " ").capitalize() for r in roles]

    @property
    def status_text(self) -> str:
        if not self.listed:
            return "no longer on the contract"
        if self.state and self.state != "ACTIVE":
            # Plain words, no enum lookup per row; an unknown state is shown as it came.
            return SEAT_STATE_WORDS.get(self.state, self.state)
        return ""


SEAT_STATE_WORDS = {"INACTIVE": "inactive", "INVITED": "invited", "PARKED": "parked"}


def seat_label_order() -> models.Func:
    """Order seats as people read them: by their label (name, else holder, else URN)."""
    blank = models.Value("")
    return Coalesce(
        NullIf(models.F("name"), blank), NullIf(models.F("holder_name"), blank), models.F("urn")
    )


class SeatUser(models.Model):
    """A site user mapped to a seat: by hand (an admin) or automatically (by person URN)."""

    class Source(models.TextChoices):
        MANUAL = "manual", "mapped by an admin"
        AUTO = "auto", "their LinkedIn identity holds the seat"

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # The default is what an admin's or a script's seat.users.add() means.
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "recruiter_seat_users"
        unique_together = [("seat", "user")]
        verbose_name = "seat mapping"

    def __str__(self) -> str:
        return f"{self.user} on {self.seat} ({self.source})"


class SeatUserBlock(models.Model):
    """An admin removed this user from this seat: the automatic mapping leaves them off."""

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="blocks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seat", "user"], name="seat_block_unique")]
        verbose_name = "seat mapping removed by hand"

    def __str__(self) -> str:
        return f"{self.user} kept off {self.seat}"


class Prospect(models.Model):
    urn = models.CharField("member URN", max_length=100, unique=True)
    # Ours (LinkedIn's notes carry only the URN): from a CSV import or an admin; the sync
    # never writes it.
    name = models.CharField("display name", max_length=200, blank=True)
    url = models.URLField(
        max_length=500,
        blank=True,
        db_default="",  # the sync creates prospects in SQL
        help_text="Where the team keeps this candidate (ATS, profile).",
    )

    class Meta:
        ordering = ["name", "urn"]

    def __str__(self) -> str:
        return self.name or self.urn


class ProspectNote(models.Model):
    class DeletedBy(models.TextChoices):
        SYNC = "sync", "LinkedIn marked it inactive"
        PUSH = "push", "LinkedIn push event"
        ERASED = "erased", "erased (member erased, or contract ended)"

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
    # Set when the text and the member were removed (an erasure, or retention after deletion):
    # the sync never writes a purged row again, whatever LinkedIn still serves.
    purged_at = models.DateTimeField(null=True, blank=True)

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
            # Deletions only (few; a note the sync inserts active costs it nothing): the home
            # page's "deleted since your last visit".
            models.Index(
                fields=["-deleted_at"], name="note_deleted", condition=models.Q(active=False)
            ),
        ]
        permissions = [("restore_prospectnote", "Can restore a deleted prospect note")]

    def __str__(self) -> str:
        return f"note {self.linkedin_id}"

    @property
    def edited(self) -> bool:
        return bool(self.created and self.last_modified and self.last_modified > self.created)


class NoteBucket(models.Model):
    """How many notes were created in each quarter hour (UTC), kept exact by the same triggers
    as the seats' counts: the Sync page's chart adds up a few thousand of these in any time
    zone (every zone's offset is a whole number of quarter hours) instead of a year of notes."""

    start = models.DateTimeField(unique=True)
    count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} notes from {self.start:%Y-%m-%d %H:%M}"


class NoteRestore(models.Model):
    """An admin lifted a note's tombstone: who, when, and what the deletion had been."""

    note = models.ForeignKey(ProspectNote, on_delete=models.CASCADE, related_name="restores")
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    restored_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-restored_at", "-id"]

    def __str__(self) -> str:
        return f"{self.note} restored at {self.restored_at:%Y-%m-%d %H:%M}"


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        SCHEDULED = "scheduled"
        MANUAL = "manual"
        RESCAN = "rescan"
        COMMAND = "command"
        BACKFILL = "backfill"

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        SKIPPED = "skipped", "skipped (another run held the lock)"
        THROTTLED = "throttled", "stopped by LinkedIn's daily quota"
        STOPPED = "stopped", "stopped at a window boundary (a backfill continues)"
        INTERRUPTED = "interrupted", "interrupted (its worker stopped)"
        BUDGET = "budget", "not started: the day's API-call budget is spent"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SCHEDULED)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
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


class Backfill(models.Model):
    """A contract's first backfill: from backfill_start to the moment it was started, walked
    in slices (recruiter.backfill) that stop at a window boundary and continue from ``cursor``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        PAUSED = "paused"
        DONE = "done"
        FAILED = "failed"

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="backfill")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    start = models.DateTimeField(help_text="The oldest notes it reads (backfill_start).")
    end = models.DateTimeField(help_text="When it was started: later notes are the syncs'.")
    cursor = models.DateTimeField(help_text="Notes modified up to here are read.")
    notes = models.PositiveIntegerField(default=0, help_text="Notes written so far.")
    api_calls = models.PositiveIntegerField(default=0)
    slices = models.PositiveIntegerField(default=0)
    active_seconds = models.FloatField(
        default=0.0, help_text="Time spent walking, pauses excluded: the rate of the estimate."
    )
    pause_requested = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"backfill of {self.contract} ({self.status})"

    @property
    def unfinished(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def fraction(self) -> float:
        """How much of the range is read, 0..1."""
        span = (self.end - self.start).total_seconds()
        if span <= 0 or self.status == self.Status.DONE:
            return 1.0
        return min(max((self.cursor - self.start).total_seconds() / span, 0.0), 1.0)

    @property
    def seconds_left(self) -> float | None:
        """At the rate so far (range read per second of walking); None before any progress."""
        done = self.fraction
        if self.status == self.Status.DONE:
            return 0.0
        if done <= 0 or self.active_seconds <= 0:
            return None
        return self.active_seconds * (1 - done) / done
