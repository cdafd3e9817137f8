"""One sync per contract at a time, across processes: a Redis lock with a heartbeat.

The lock expires on its own (LOCK_SECONDS) so a worker killed mid-run does not block the
contract for ever; a long backfill keeps it by extending it as it goes.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import LockError
from redis.lock import Lock

from recruiter import queue

logger = logging.getLogger(__name__)

LOCK_SECONDS = 10 * 60
# Extend at most this often: a Redis round trip per page would be wasted.
EXTEND_EVERY = 30.0


class ContractLock:
    """The sync lock of one contract. ``acquire()`` never waits: a held lock means skip."""

    def __init__(self, contract_id: int, *, timeout: int = LOCK_SECONDS) -> None:
        self.name = f"recruiter:sync:{contract_id}"
        self.timeout = timeout
        self._lock: Lock = queue.redis().lock(self.name, timeout=timeout, blocking=False)
        self._extended_at = 0.0

    def acquire(self) -> bool:
        acquired = bool(self._lock.acquire(blocking=False))
        self._extended_at = time.monotonic()
        return acquired

    def keep(self) -> None:
        """Push the expiry back to a full timeout; raise LockError if the lock was lost."""
        now = time.monotonic()
        if now - self._extended_at < EXTEND_EVERY:
            return
        self._lock.extend(self.timeout, replace_ttl=True)
        self._extended_at = now

    def release(self) -> None:
        try:
            self._lock.release()
        except LockError:
            # Expired (a stall longer than the timeout) or taken over: nothing left to release.
            logger.warning("sync lock %s was already gone at release", self.name)

    @property
    def held(self) -> bool:
        return bool(self._lock.locked())
