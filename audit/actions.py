"""Writing the audit log, and the one rewrite it allows: pseudonymisation on erasure."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.functions import Cast
from django.utils.crypto import salted_hmac

from audit.context import current_actor
from audit.models import Action, Entry

CURRENT = object()  # record()'s default actor: the signed-in user of the current request

# Keys a caller might be tempted to fill with a note's text or a secret.
_FORBIDDEN_KEYS = frozenset({"text", "note", "note_text", "body", "secret", "client_secret"})


def record(
    action: str,
    *,
    actor: Any = CURRENT,
    target: models.Model | None = None,
    **details: Any,
) -> Entry:
    """Append one entry. `actor` is a user, None for the system (a job, a command), or by
    default the current request's user; `target` the object acted on (stored as type and id);
    `details` JSON-serialisable facts: counts, field names, filters. Never a note's text."""
    Action(action)  # ValueError on an unknown action: a typo must not make a new kind of entry
    forbidden = _FORBIDDEN_KEYS & details.keys()
    if forbidden:
        raise ValueError(f"Audit details must not hold {', '.join(sorted(forbidden))}.")
    if actor is CURRENT:
        actor = current_actor()
    if actor is not None and not actor.is_authenticated:
        actor = None
    entry = Entry(
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        details=details,
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk)
    entry.save()
    return entry


def pseudonym(value: str) -> str:
    """A stable stand-in for a person in the log: the same person always gets the same one, so
    entries still group, but the value cannot be read back (keyed by SECRET_KEY)."""
    digest = salted_hmac("audit.pseudonym", value, algorithm="sha256").hexdigest()
    return f"erased:{digest[:16]}"


def pseudonymise_user(user: Any) -> int:
    """Keep the user's entries, without their username: as actor, and in failed sign-ins
    naming it. Return how many entries were rewritten."""
    label = pseudonym(f"user:{user.pk}")
    count = Entry.objects.filter(actor_id=user.pk)._rewrite(actor_name=label, actor=None)
    return count + redact([user.get_username()], label, whole=True)


def redact(values: Iterable[str], replacement: str, *, whole: bool = False) -> int:
    """Replace each value wherever it appears in entries' details (an export filter naming an
    erased member, say) with `replacement`; with whole=True only strings that are the value
    entire (a username). Return how many entries changed."""
    values = [value.lower() for value in values if value]
    if not values:
        return 0
    as_text = Cast("details", models.TextField())
    condition = models.Q()
    for value in values:
        # Some backends store non-ASCII escaped in JSON: look for both spellings.
        for spelling in {value, json.dumps(value)[1:-1]}:
            condition |= models.Q(details_text__icontains=spelling)
    changed = 0
    for entry in Entry.objects.annotate(details_text=as_text).filter(condition):
        details = _replace(entry.details, values, replacement, whole)
        if details != entry.details:
            changed += Entry.objects.filter(pk=entry.pk)._rewrite(details=details)
    return changed


def _replace(value: Any, values: list[str], replacement: str, whole: bool) -> Any:
    if isinstance(value, dict):
        return {k: _replace(v, values, replacement, whole) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, values, replacement, whole) for v in value]
    if not isinstance(value, str):
        return value
    if whole:
        return replacement if value.lower() in values else value
    for needle in values:
        value = re.sub(re.escape(needle), replacement, value, flags=re.IGNORECASE)
    return value
