"""Whether LinkedIn still trusts a contract's push URL, from what the push view records.

LinkedIn validates each push URL when it is registered and again every 2 hours, and blocks it
after 3 failed validations (its webhook-validation page). A URL with no validation for more
than 4 hours has missed at least one; a third miss and LinkedIn stops delivering, so the Sync
page and the contract admin warn well before that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.timesince import timesince

from recruiter.models import Contract

VALIDATION_EVERY = dt.timedelta(hours=2)
WARN_AFTER = dt.timedelta(hours=4)


@dataclass(frozen=True)
class PushHealth:
    validated_at: dt.datetime | None
    event_at: dt.datetime | None
    warning: str = ""
    notice: str = ""

    @property
    def ok(self) -> bool:
        return not self.warning and not self.notice


def push_health(contract: Contract, now: dt.datetime | None = None) -> PushHealth:
    now = now or timezone.now()
    validated = contract.push_last_validated_at
    event = contract.push_last_event_at
    if validated is None:
        return PushHealth(
            validated,
            event,
            notice="LinkedIn has not validated this push URL yet: register it with LinkedIn "
            "for this customer (one URL per customer).",
        )
    silence = now - validated
    if silence > WARN_AFTER:
        return PushHealth(
            validated,
            event,
            warning=f"No validation from LinkedIn for {timesince(validated, now)}: it validates "
            f"every 2 hours and blocks the URL after 3 failed validations. Check that the URL "
            f"is registered for this customer and reachable from LinkedIn.",
        )
    return PushHealth(validated, event)
