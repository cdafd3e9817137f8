"""Background jobs: refresh every connected member's recommendation requests.

refresh_all_accounts runs from config/cron.py and only enqueues one refresh_account per
account; each job takes an id, is idempotent, and skips if the same account is being
refreshed already.
"""

from __future__ import annotations

import contextlib
import logging

import django_rq
from redis.exceptions import LockNotOwnedError

from linkedin.errors import LinkedInError
from recommendations.accounts import ReconnectNeeded
from recommendations.actions import sync_account
from recommendations.models import LinkedInAccount

logger = logging.getLogger(__name__)

JOB_TIMEOUT = 300
LOCK_SECONDS = JOB_TIMEOUT + 60


def refresh_all_accounts() -> int:
    """Enqueue a refresh of each account LinkedIn still accepts; return how many."""
    queue = django_rq.get_queue("default")
    ids = list(LinkedInAccount.objects.filter(needs_reconnect=False).values_list("pk", flat=True))
    for account_id in ids:
        queue.enqueue(refresh_account, account_id, job_timeout=JOB_TIMEOUT)
    return len(ids)


def refresh_account(account_id: int) -> int | None:
    """Store the member's received and sent requests; None if skipped (gone, locked, refused)."""
    account = LinkedInAccount.objects.filter(pk=account_id, needs_reconnect=False).first()
    if account is None:
        return None
    lock = django_rq.get_connection("default").lock(
        f"recommendations:refresh:{account_id}", timeout=LOCK_SECONDS
    )
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
