"""Restoring a note that a push event or a sync deleted (by mistake, or by a forged push).

A deletion is a tombstone that every later sync respects (recruiter.upsert: deleted_at set
keeps active=False). Restoring lifts it: deleted_at and deleted_by are cleared and the note
shows again (a bare tombstone, never synced, waits for its first sync). Its last_modified is
cleared too, so that the next sync or re-scan whose window holds the note rewrites it from
LinkedIn whatever its date (the upsert rewrites a row whose last_modified is NULL). If
LinkedIn itself has deleted the note, that re-read deletes it again, as "sync".
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from recruiter.models import NoteRestore, ProspectNote

__all__ = ["note_restored", "restore_note"]

logger = logging.getLogger(__name__)

# Sent on commit with restore= (a NoteRestore), for the audit log and anyone else listening.
note_restored = Signal()


def restore_note(note: ProspectNote, user: AbstractBaseUser | None) -> NoteRestore | None:
    """Lift ``note``'s tombstone and record who did it; None if it was not deleted, or was
    purged (recruiter.erasure)."""
    with transaction.atomic():
        locked = ProspectNote.objects.select_for_update().filter(pk=note.pk).first()
        # A purged tombstone (erasure, retention) has nothing left to show and must stay gone.
        if locked is None or locked.deleted_at is None or locked.purged_at is not None:
            return None
        restore = NoteRestore.objects.create(
            note=locked,
            restored_by=user,
            restored_at=timezone.now(),
            deleted_at=locked.deleted_at,
            deleted_by=locked.deleted_by,
        )
        # A tombstone from a push for a note never synced has nothing to show: it stays
        # hidden (active=False, no deleted_at) until its first sync fills it in.
        ProspectNote.objects.filter(pk=locked.pk).update(
            active=locked.owner_id is not None,
            deleted_at=None,
            deleted_by="",
            last_modified=None,
        )
        transaction.on_commit(lambda: note_restored.send(sender=NoteRestore, restore=restore))
    logger.info(
        "note %s of contract %s restored by user %s (deleted by %s at %s)",
        locked.linkedin_id,
        locked.contract_id,
        getattr(user, "pk", None),
        restore.deleted_by,
        restore.deleted_at,
    )
    note.refresh_from_db()
    return restore
