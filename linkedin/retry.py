"""When and how long to wait before retrying a transient LinkedIn failure."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with full-jitter exponential backoff.

    ``max_attempts`` counts every try, the first included. ``max_total_seconds`` bounds the
    time from the first try to the start of the last one, waits included. ``jitter`` draws the
    wait from ``[0, ceiling]``; tests can make it deterministic.
    """

    max_attempts: int = 5
    max_total_seconds: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 20.0
    jitter: Callable[[float, float], float] = field(
        default=random.uniform, repr=False, compare=False
    )

    def backoff(self, retry_number: int) -> float:
        """Full-jitter wait before retry ``retry_number`` (0 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * 2**retry_number)
        return self.jitter(0.0, ceiling)

    def next_delay(
        self, attempts_made: int, elapsed: float, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up.

        A server's Retry-After is honoured as given. When it asks for more time than the
        budget has left we give up at once rather than come back early and be throttled
        again; the caller's error still carries the Retry-After for its own scheduling.
        """
        if attempts_made >= self.max_attempts:
            return None
        remaining = self.max_total_seconds - elapsed
        if remaining <= 0:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= remaining else None
        return min(self.backoff(attempts_made - 1), remaining)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Read a Retry-After header: delay seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
