"""Background jobs: refresh every connected member's recommendation requests.

refresh_all_accounts runs from config/cron.py and only enqueues one refresh_account per
account; each job takes an id, is idempotent, and skips if the same account is being
refreshed already.
"""

from __future__ import annotations

import contextlib
import logging

from redis.exceptions import LockNotOwnedError

from linkedin.errors import LinkedInError
from recommendations import queue
from recommendations.accounts import ReconnectNeeded
from recommendations.actions import sync_account
from recommendations.models import LinkedInAccount

logger = logging.getLogger(__name__)

JOB_TIMEOUT = queue.REFRESH_TIMEOUT
FAN_OUT_TIMEOUT = queue.FAN_OUT_TIMEOUT
LOCK_SECONDS = JOB_TIMEOUT + 60


def refresh_all_accounts() -> int:
    """Enqueue a refresh of each account LinkedIn still accepts, once an hour however many
    schedulers run; return how many were enqueued."""
    if not queue.claim_tick("refresh", 60 * 60):
        return 0
    ids = list(LinkedInAccount.objects.filter(needs_reconnect=False).values_list("pk", flat=True))
    return queue.fan_out_refreshes(ids)


def refresh_account(account_id: int) -> int | None:
    """Store the member's received and sent requests; None if skipped (gone, locked, refused)."""
    account = LinkedInAccount.objects.filter(pk=account_id, needs_reconnect=False).first()
    if account is None:
        return None
    lock = queue.redis().lock(f"recommendations:refresh:{account_id}", timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        logger.info("refresh of LinkedIn account %s already running; skipped", account_id)
        return None
    try:
        return sync_account(account)
    except ReconnectNeeded:
        return None
    except LinkedInError as exc:
        if exc.transient:
            # The next hourly run tries again; the account shows the error meanwhile.
            logger.warning("refresh of LinkedIn account %s failed: %s", account_id, exc)
            return None
        raise
    finally:
        # A run longer than the lock's timeout no longer owns it; nothing to release then.
        with contextlib.suppress(LockNotOwnedError):
            lock.release()
