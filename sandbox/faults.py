"""Fault injection: which failure, if any, a /v2 call gets.

The choice comes from a seeded RNG so a failing run can be replayed with the same seed (as long
as the requests arrive in the same order).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

from sandbox.errors import THROTTLED, UNAVAILABLE, ApiError

DEFAULT_KINDS: tuple[str, ...] = (
    "429",
    "429-retry-after",
    "500",
    "503",
    "slow",
    "drop",
    "truncate",
)
# "quota" is opt-in: a client must stop for the day on it, which would end most test runs.
ALL_KINDS = frozenset((*DEFAULT_KINDS, "quota"))

# LinkedIn's wording for the per-application daily limit (seen in public bug reports).
QUOTA_MESSAGE = (
    "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
)


def check_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(kinds)
    unknown = sorted(set(chosen) - ALL_KINDS)
    if unknown:
        raise ValueError(f"unknown fault kind(s) {unknown}; known: {sorted(ALL_KINDS)}")
    return chosen


class FaultPicker:
    def __init__(self, seed: int, rate: float, kinds: Iterable[str]) -> None:
        self._rng = random.Random(seed * 7919 + 17)
        self._lock = threading.Lock()
        self.rate = 0.0
        self.kinds: tuple[str, ...] = ()
        self.configure(rate, kinds)

    def configure(self, rate: float, kinds: Iterable[str]) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        chosen = check_kinds(kinds)
        with self._lock:
            self.rate, self.kinds = float(rate), chosen

    def pick(self) -> str | None:
        with self._lock:
            if self.rate <= 0 or not self.kinds or self._rng.random() >= self.rate:
                return None
            return self._rng.choice(self.kinds)


def error_for(kind: str, retry_after: int) -> tuple[ApiError, dict[str, str]] | None:
    """The error and extra headers a fault kind answers with; None for transport faults."""
    if kind == "429":
        return ApiError(429, "Too many requests", THROTTLED), {}
    if kind == "429-retry-after":
        return ApiError(429, "Too many requests", THROTTLED), {"Retry-After": str(retry_after)}
    if kind == "quota":
        return ApiError(429, QUOTA_MESSAGE, THROTTLED), {}
    if kind == "500":
        return ApiError(500, "Internal Server Error"), {}
    if kind == "503":
        return ApiError(503, "Service Unavailable", UNAVAILABLE), {}
    return None
