"""Sandbox settings: data size and seed, credentials, faults, limits."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.faults import DEFAULT_KINDS


@dataclass
class SandboxConfig:
    seed: int = 1
    contracts: int = 1
    seats: int = 6
    prospects: int = 300
    notes: int = 3000
    days: int = 60
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"  # noqa: S105 - a published demo secret
    push_url: str | None = None
    repeat_ids: bool = False
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = DEFAULT_KINDS
    max_count: int = 100
    token_ttl: int = 1800  # client-credentials tokens (LinkedIn: 30 minutes)
    member_token_ttl: int = 5_184_000  # 3-legged tokens (LinkedIn: 60 days)
    refresh_token_ttl: int = 31_536_000  # refresh tokens (LinkedIn: 365 days)
    # Generated timestamps fall in the `days` before this; None means "now" at start.
    base_time_ms: int | None = None
    retry_after: int = 1  # seconds, for the "429-retry-after" fault
    slow_seconds: float = 0.5  # delay of the "slow" fault
    max_query_length: int = 4096  # longer GET query strings get 414
    # Allowed OAuth redirect URIs; empty means any http(s) URL (handy for local runs).
    redirect_uris: tuple[str, ...] = ()
    push_timeout: float = 5.0
    log_limit: int = 100_000  # request log entries kept (oldest dropped first)
    verbose: bool = False
