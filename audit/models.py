"""The audit log: who did what, append-only.

It sits below the recruiter and recommendations apps (they import it, it imports neither) so
that every app records into one log. An entry is never changed or deleted through the ORM or the
admin; the only rewrite is pseudonymisation (audit.actions), when a person's data is erased and
the log must keep the fact without the person.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    """An audit entry was about to be changed or deleted."""


class Action(models.TextChoices):
    # No choices= on the field: a new action is a line here, not a migration.
    SIGN_IN = "sign_in", "signed in"
    SIGN_IN_FAILED = "sign_in_failed", "sign-in failed"
    SIGN_OUT = "sign_out", "signed out"
    ROLE_CHANGED = "role_changed", "role changed"
    CREDENTIALS_CHANGED = "credentials_changed", "contract credentials changed"
    EXPORT = "export", "notes exported"
    MEMBER_ERASED = "member_erased", "member erased"
    USER_ERASED = "user_erased", "site user erased"
    NOTE_RESTORED = "note_restored", "note restored"
    SEAT_MAPPING = "seat_mapping", "seat mapping changed"
    RETENTION_PURGE = "retention_purge", "retention purge"
    CONTRACT_PURGE = "contract_purge", "ended contract purged"


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only.")

    def _rewrite(self, **kwargs: Any) -> int:
        """The one way to change entries: pseudonymisation (audit.actions) only."""
        return super().update(**kwargs)


class Entry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, db_index=True)
    # SET_NULL rather than CASCADE: deleting a user keeps their entries (pseudonymised first,
    # by the pre_delete receiver in audit.signals).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(
        max_length=150, blank=True, help_text="The actor's username when it happened."
    )
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    target_id = models.CharField(max_length=100, blank=True)
    # Facts only (counts, field names, filters); never a note's text or a secret.
    details = models.JSONField(default=dict, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or 'system'} {self.action_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only.")

    @property
    def action_label(self) -> str:
        try:
            return Action(self.action).label
        except ValueError:
            return self.action
