"""What the recruiter app records in the audit log on its own: contract credential changes
(whoever saves the contract: admin, shell, a command; the value of a secret is never stored,
only that it changed), seat mappings (recruiter.seatmap's signal) and restores of deleted notes
(recruiter.restore's signal)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

import audit
from audit.models import Action
from recruiter.models import Contract, NoteRestore, Seat
from recruiter.restore import note_restored
from recruiter.seatmap import seat_mapping_changed


@receiver(pre_save, sender=Contract)
def _remember_credentials(sender: Any, instance: Contract, update_fields=None, **kwargs) -> None:
    instance._audit_credentials = None
    if instance.pk is None:
        return
    if update_fields is not None and not {"client_id", "client_secret"} & set(update_fields):
        return  # the sync saves its watermark and health fields this way: no query
    old = Contract.objects.filter(pk=instance.pk).only("client_id", "client_secret").first()
    if old is not None:
        instance._audit_credentials = (old.client_id, old.client_secret)


@receiver(post_save, sender=Contract)
def _credentials_changed(sender: Any, instance: Contract, created: bool, **kwargs) -> None:
    old = ("", "") if created else getattr(instance, "_audit_credentials", None)
    instance._audit_credentials = None
    if old is None:
        return
    details: dict[str, Any] = {}
    if old[0] != instance.client_id:
        details["client_id"] = [old[0], instance.client_id]  # an identifier, not a secret
    if old[1] != instance.client_secret:
        details["client_secret_change"] = _secret_change(old[1], instance.client_secret)
    if details:
        audit.record(Action.CREDENTIALS_CHANGED, target=instance, **details)


def _secret_change(old: str, new: str) -> str:
    if not old:
        return "set"
    return "cleared" if not new else "replaced"


@receiver(seat_mapping_changed)
def _seat_mapping_changed(
    sender: Any, seat: Seat, user: Any, mapped: bool, source: str, by: Any = None, **kwargs
) -> None:
    # Sent after commit; `by` is the admin who did it, None for the automatic rule.
    audit.record(
        Action.SEAT_MAPPING,
        actor=by,
        target=seat,
        user=user.pk,
        change="mapped" if mapped else "unmapped",
        source=source,
    )


@receiver(note_restored)
def _note_restored(sender: Any, restore: NoteRestore, **kwargs) -> None:
    # Sent after commit; what the deletion had been, never the text.
    audit.record(
        Action.NOTE_RESTORED,
        actor=restore.restored_by,
        target=restore.note,
        linkedin_id=restore.note.linkedin_id,
        contract=restore.note.contract_id,
        deleted_by=restore.deleted_by,
    )
