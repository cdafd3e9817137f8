"""One sync per contract at a time, across processes: a Redis lock kept by a heartbeat.

The lock expires on its own (LOCK_SECONDS) unless its heartbeat thread renews it, so a worker
killed mid-run frees the contract within a minute, and a run still RUNNING whose lock is free
is known to be dead (recruiter/orphans.py marks it interrupted). A Redis outage does not stop
the run: the database is where its work goes; the heartbeat keeps trying and the run's outcome
says the lock could not be renewed.
"""

from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from recruiter import queue

logger = logging.getLogger(__name__)

# With the heal job every 15 s (config/cron.py), a dead worker's run is interrupted within
# LOCK_SECONDS + 15 s: under a minute.
LOCK_SECONDS = 40
# Renew this often: three chances before the lock would expire.
BEAT_SECONDS = LOCK_SECONDS / 4


def lock_name(contract_id: int) -> str:
    return f"recruiter:sync:{contract_id}"


class ContractLock:
    """The sync lock of one contract. ``acquire()`` never waits: a held lock means skip."""

    def __init__(self, contract_id: int, *, timeout: int = LOCK_SECONDS) -> None:
        self.name = lock_name(contract_id)
        self.timeout = timeout
        # Not thread-local: the heartbeat thread renews the token the run's thread acquired.
        self._lock: Lock = queue.redis().lock(
            self.name, timeout=timeout, blocking=False, thread_local=False
        )
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self.lost = False
        # Seconds the heartbeat could not reach Redis (0 when it always could).
        self.unreachable_since: float | None = None
        self.unreachable_seconds = 0.0

    def acquire(self) -> bool:
        acquired = bool(self._lock.acquire(blocking=False))
        if acquired:
            self._beat = threading.Thread(target=self._heartbeat, name="sync-lock", daemon=True)
            self._beat.start()
        return acquired

    def keep(self) -> None:
        """Raise LockError if the lock was lost (expired and perhaps taken by another run).

        Only a flag: the heartbeat thread does the renewing, so a slow batch cannot let the
        lock expire under a live run.
        """
        if self.lost:
            raise LockError("the sync lock was lost")

    def _heartbeat(self) -> None:
        while not self._stop.wait(BEAT_SECONDS):
            try:
                self._lock.extend(self.timeout, replace_ttl=True)
            except LockError:
                self.lost = True
                logger.error("sync lock %s lost: another run may have taken over", self.name)
                return
            except RedisError as exc:
                if self.unreachable_since is None:
                    self.unreachable_since = time.monotonic()
                    logger.error("sync lock %s not renewed, Redis unreachable: %s", self.name, exc)
                continue
            if self.unreachable_since is not None:
                self.unreachable_seconds += time.monotonic() - self.unreachable_since
                self.unreachable_since = None
                logger.warning("sync lock %s renewed again: Redis is back", self.name)

    @property
    def redis_outage_seconds(self) -> float:
        ongoing = time.monotonic() - self.unreachable_since if self.unreachable_since else 0.0
        return self.unreachable_seconds + ongoing

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(5)
        try:
            self._lock.release()
        except LockError:
            # Expired (a stall longer than the timeout) or taken over: nothing left to release.
            logger.warning("sync lock %s was already gone at release", self.name)
        except RedisError as exc:
            # It expires on its own.
            logger.error("sync lock %s not released, Redis unreachable: %s", self.name, exc)

    @property
    def held(self) -> bool:
        return bool(self._lock.locked())


def held_locks(contract_ids: list[int]) -> set[int]:
    """The contracts among ``contract_ids`` whose sync lock is held now (one round trip).
    Raise queue.QueueUnavailable when Redis does not answer."""
    if not contract_ids:
        return set()
    try:
        with queue.redis().pipeline(transaction=False) as pipe:
            for contract_id in contract_ids:
                pipe.exists(lock_name(contract_id))
            found = pipe.execute()
    except RedisError as exc:
        raise queue.QueueUnavailable(
            f"The job queue is unreachable ({type(exc).__name__})."
        ) from exc
    return {cid for cid, exists in zip(contract_ids, found, strict=True) if exists}
