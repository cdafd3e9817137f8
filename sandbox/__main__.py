"""Run the sandbox: python -m sandbox --port 8765 --notes 3000 ..."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Sequence

from sandbox.config import SandboxConfig
from sandbox.faults import DEFAULT_KINDS, check_kinds
from sandbox.server import Sandbox

DEFAULTS = SandboxConfig()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m sandbox", description="LinkedIn API sandbox")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed)
    p.add_argument("--contracts", type=int, default=DEFAULTS.contracts)
    p.add_argument("--seats", type=int, default=DEFAULTS.seats, help="seats per contract")
    p.add_argument("--prospects", type=int, default=DEFAULTS.prospects)
    p.add_argument("--notes", type=int, default=DEFAULTS.notes, help="notes in all contracts")
    p.add_argument("--days", type=int, default=DEFAULTS.days, help="history spread, in days")
    p.add_argument("--base-time-ms", type=int, default=None, help="'now' for the data")
    p.add_argument("--client-id", default=DEFAULTS.client_id)
    p.add_argument("--client-secret", default=DEFAULTS.client_secret)
    p.add_argument("--push-url", default=None, help="where delete events are POSTed")
    p.add_argument("--fault-rate", type=float, default=DEFAULTS.fault_rate)
    p.add_argument(
        "--fault-kinds",
        default=",".join(DEFAULT_KINDS),
        help="comma-separated: 429,429-retry-after,500,503,slow,drop,truncate,quota",
    )
    p.add_argument("--retry-after", type=int, default=DEFAULTS.retry_after)
    p.add_argument("--slow-seconds", type=float, default=DEFAULTS.slow_seconds)
    p.add_argument("--max-count", type=int, default=DEFAULTS.max_count)
    p.add_argument("--token-ttl", type=int, default=DEFAULTS.token_ttl)
    p.add_argument("--repeat-ids", action="store_true", help="repeat some ids with older text")
    p.add_argument("--verbose", action="store_true", help="one stderr line per request")
    return p.parse_args(argv)


def config_from(args: argparse.Namespace) -> SandboxConfig:
    kinds = check_kinds(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    return SandboxConfig(
        seed=args.seed,
        contracts=args.contracts,
        seats=args.seats,
        prospects=args.prospects,
        notes=args.notes,
        days=args.days,
        base_time_ms=args.base_time_ms,
        client_id=args.client_id,
        client_secret=args.client_secret,
        push_url=args.push_url,
        fault_rate=args.fault_rate,
        fault_kinds=kinds,
        retry_after=args.retry_after,
        slow_seconds=args.slow_seconds,
        max_count=args.max_count,
        token_ttl=args.token_ttl,
        repeat_ids=args.repeat_ids,
        verbose=args.verbose,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = config_from(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    sandbox = Sandbox(config)
    elapsed = time.perf_counter() - started
    sandbox.start(args.host, args.port)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(
        f"LinkedIn sandbox on {sandbox.url} ({config.notes} notes, "
        f"{config.contracts} contract(s), generated in {elapsed:.1f}s)",
        flush=True,
    )
    stop.wait()
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
