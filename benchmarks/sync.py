"""The sync benchmark: a full backfill of the sandbox's notes into the configured database.

    python -m benchmarks sync [--notes 100000] [--days 60] [--page-size 100] [--repeat 3]

1. starts the sandbox with --notes notes in its own process and waits until it answers;
2. times a bare fetch of every page (one requests.Session, requests' JSON decoding, no
   database), as the peers in shared/benchmarks.md measure it: the reference for the ratio,
   measured in the same run. It is not quite a ceiling: linkedin/transport.py sends prepared
   requests straight to the adapter and decodes with orjson, and spends less per page;
3. creates a dedicated database (Django's test-database creation, suffix `_bench`, so the
   database DATABASE_URL names is never touched; SQLite: var/bench.sqlite3), and runs
   recruiter.sync.sync_contract in a child process, which reports its time, counters and its
   own peak RSS (so neither the sandbox nor the migrations count), and the CPU seconds of
   each party: the sync's process (both its threads), the sandbox, and the PostgreSQL server
   process the sync writes through (local servers only; Linux /proc). Beside the wall times
   they say which of the two cores' tenants bounds the ratio;
4. checks the database holds exactly the sandbox's notes and drops the database; with
   --repeat N (3 by default) does 2-4 N times (the machine is shared: a median says more than
   one run), and ends with one line of medians (S the sync's, R2 the raw fetch's, X that of
   each run's own ratio):
   sync: N notes in S s = R notes/s; raw fetch R2 notes/s; ratio X; api calls C (minimum M);
   peak RSS P MB
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "bench-client-id"
CLIENT_SECRET = "bench-client-secret"  # noqa: S105 - the sandbox's own, for this run only
STARTUP_SECONDS = 300.0  # a million notes take a while to generate


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks sync")
    p.add_argument("--notes", type=int, default=100_000)
    p.add_argument("--days", type=int, default=60, help="history the notes spread over")
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3, help="runs; medians are reported")
    args, _ = p.parse_known_args(argv)  # `all` hands every benchmark the same options
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    _prepare_environment()
    owned_redis = _start_embedded_redis()
    try:
        with sandbox_process(args) as (base_url, sandbox_pid):
            contract, total = _sandbox_contract(base_url)
            runs = []
            for number in range(1, args.repeat + 1):
                sandbox_cpu = cpu_seconds(sandbox_pid)
                client_cpu = time.process_time()
                raw_seconds, raw_notes, raw_calls = raw_fetch(base_url, contract, args.page_size)
                raw_cpu = (time.process_time() - client_cpu, cpu_seconds(sandbox_pid) - sandbox_cpu)
                requests.delete(f"{base_url}/_sandbox/log", timeout=30)
                with bench_database() as (database_url, label):
                    sandbox_cpu = cpu_seconds(sandbox_pid)
                    result = run_child(args, base_url, contract, database_url)
                    result["sandbox_cpu"] = cpu_seconds(sandbox_pid) - sandbox_cpu
                minimum = windowed_minimum(base_url, contract, args.page_size)
                ratio = result["seconds"] / raw_seconds
                result.update(
                    raw_seconds=raw_seconds, raw_notes=raw_notes, minimum=minimum, ratio=ratio
                )
                print(
                    f"run {number}: {label}; raw fetch {raw_notes} notes, {raw_calls} calls in "
                    f"{raw_seconds:.2f} s; sync {result['status']} in {result['seconds']:.2f} s "
                    f"(ratio {ratio:.2f}): "
                    f"{result['created']} created, {result['updated']} updated, "
                    f"{result['unchanged']} unchanged, {result['pages']} pages, "
                    f"{result['retries']} retries, {result['stored']} stored",
                    flush=True,
                )
                database_cpu = result["database_cpu"]
                print(
                    f"run {number} cpu seconds: raw fetch {raw_cpu[0]:.2f} + sandbox "
                    f"{raw_cpu[1]:.2f}; sync {result['cpu']:.2f} + sandbox "
                    f"{result['sandbox_cpu']:.2f}"
                    + ("" if database_cpu is None else f" + PostgreSQL session {database_cpu:.2f}"),
                    flush=True,
                )
                if result["status"] != "succeeded" or result["stored"] != total:
                    print(f"sync: FAILED ({result['status']}: {result['error']})", flush=True)
                    return 1
                runs.append(result)
    finally:
        if owned_redis:
            from config import embedded_redis

            embedded_redis.stop(ROOT / "var", "bench")
    # Medians: of the sync times, of the raw fetch rates, and of each run's own ratio (its sync
    # against the raw fetch just before it, the two measured a few seconds apart).
    median = sorted(runs, key=lambda r: r["ratio"])[len(runs) // 2]
    seconds = statistics.median(r["seconds"] for r in runs)
    raw_rate = statistics.median(r["raw_notes"] / r["raw_seconds"] for r in runs)
    print(
        f"api calls: the windows of at most 12 hours need {median['minimum']} calls at least "
        f"({math.ceil(total / args.page_size)} without windows); the sync made "
        f"{median['api_calls']} with {median['retries']} retries",
        flush=True,
    )
    print(
        f"sync: {total} notes in {seconds:.2f} s = {total / seconds:,.0f} notes/s; "
        f"raw fetch {raw_rate:,.0f} notes/s; "
        f"ratio {median['ratio']:.2f}; "
        f"api calls {median['api_calls']} (minimum {median['minimum']}); "
        f"peak RSS {max(r['max_rss_mb'] for r in runs):.0f} MB",
        flush=True,
    )
    return 0


# --- the pieces ---------------------------------------------------------------------------------


def _prepare_environment() -> None:
    """Settings for a bench run: DEBUG off (the debug query log would grow with the notes),
    throwaway keys, and a Redis of its own when REDIS_URL is not given."""
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    if not os.environ.get("ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ.setdefault("EMBEDDED_REDIS_NAME", "bench")
    sys.path.insert(0, str(ROOT))


def _start_embedded_redis() -> bool:
    if os.environ.get("REDIS_URL"):
        return False
    from config import embedded_redis

    name = os.environ["EMBEDDED_REDIS_NAME"]
    return not embedded_redis.is_running(embedded_redis.socket_path(ROOT / "var", name))


@contextmanager
def sandbox_process(args: argparse.Namespace) -> Iterator[tuple[str, int]]:
    """The sandbox's base URL and process id, while it runs."""
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "--host=127.0.0.1",
        "--port=0",
        f"--seed={args.seed}",
        f"--notes={args.notes}",
        f"--days={args.days}",
        f"--max-count={max(args.page_size, 100)}",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        line = process.stdout.readline() if process.stdout else ""
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if not found:
            raise SystemExit(f"the sandbox did not start: {line!r}")
        base_url = found.group(1)
        _wait_until_answering(base_url, started + STARTUP_SECONDS)
        print(f"sandbox: {line.strip()}", flush=True)
        yield base_url, process.pid
    finally:
        process.terminate()
        process.wait(30)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a local process has used so far; NaN where /proc cannot say."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_answering(base_url: str, deadline: float) -> None:
    while True:
        try:
            requests.get(f"{base_url}/_sandbox/state", timeout=5).raise_for_status()
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _sandbox_contract(base_url: str) -> tuple[str, int]:
    state = requests.get(f"{base_url}/_sandbox/state", timeout=30).json()
    contract, counts = next(iter(state["contracts"].items()))
    return contract, counts["notes"]


def _api_session(base_url: str) -> requests.Session:
    session = requests.Session()
    token = session.post(
        f"{base_url}/oauth/v2/accessToken",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=30,
    ).json()["access_token"]
    session.headers.update(
        {"Authorization": f"Bearer {token}", "X-Restli-Protocol-Version": "2.0.0"}
    )
    return session


def _notes_url(base_url: str, contract: str) -> str:
    return f"{base_url}/v2/prospectNotes?q=criteria&contract={contract.replace(':', '%3A')}"


def raw_fetch(base_url: str, contract: str, page_size: int) -> tuple[float, int, int]:
    """Every page of the contract's notes, as fast as one client can take them: the ceiling."""
    with _api_session(base_url) as session:
        url = _notes_url(base_url, contract)
        notes = calls = start = 0
        began = time.perf_counter()
        while True:
            response = session.get(f"{url}&start={start}&count={page_size}", timeout=30)
            response.raise_for_status()
            elements = response.json()["elements"]
            calls += 1
            notes += len(elements)
            start += len(elements)
            if len(elements) < page_size:
                break
        return time.perf_counter() - began, notes, calls


def windowed_minimum(base_url: str, contract: str, page_size: int) -> int:
    """The fewest calls that fetch the windows the sync asked for (read from the sandbox's
    request log): LinkedIn's 12-hour limit splits the range, and each window ends on a short
    page, so the floor is the sum over windows of ceil(notes in it / page size), at least one."""
    log = requests.get(f"{base_url}/_sandbox/log", timeout=60).json()
    entries = log["entries"] if isinstance(log, dict) else log
    windows = set()
    for entry in entries:
        if entry["path"].endswith("/prospectNotes") and entry["fault"] is None:
            query = parse_qs(entry["query"])
            windows.add((query["cutoffDate"][0], query["beforeDate"][0]))
    minimum = 0
    with _api_session(base_url) as session:
        url = _notes_url(base_url, contract)
        for cutoff, before in windows:
            paging = session.get(
                f"{url}&cutoffDate={cutoff}&beforeDate={before}&start=0&count=1", timeout=30
            ).json()["paging"]
            minimum += max(1, math.ceil(paging["total"] / page_size))
    return minimum


@contextmanager
def bench_database() -> Iterator[tuple[str, str]]:
    """A fresh database beside the configured one (name + `_bench`); dropped afterwards."""
    import django
    from django.db import connection

    django.setup()
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        db["TEST"]["NAME"] = str(ROOT / "var" / "bench.sqlite3")
    else:
        db["TEST"]["NAME"] = f"{db['NAME']}_bench"
    original = db["NAME"]
    name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    _checkpoint(connection)
    try:
        yield _database_url(name), f"{connection.vendor} {name}"
    finally:
        connection.creation.destroy_test_db(original, verbosity=0, keepdb=False)


def _checkpoint(connection: Any) -> None:
    """Flush the WAL of what came before (the last run, the migrations), so that no run pays for
    a checkpoint its predecessors set off: on a repeated bench the later runs were otherwise
    slower by a tenth. Needs a superuser or pg_checkpoint; skipped without."""
    if connection.vendor != "postgresql":
        return
    from django.db import DatabaseError

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError as exc:
        print(f"bench: no CHECKPOINT before the run ({exc})", flush=True)


def _database_url(name: str) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if not configured or configured.startswith("sqlite"):
        return f"sqlite:///{name}"
    parts = urlsplit(configured)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_child(
    args: argparse.Namespace, base_url: str, contract: str, database_url: str
) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LINKEDIN_API_BASE_URL": f"{base_url}/v2",
        "LINKEDIN_OAUTH_BASE_URL": f"{base_url}/oauth/v2",
        "LINKEDIN_CLIENT_ID": CLIENT_ID,
        "LINKEDIN_CLIENT_SECRET": CLIENT_SECRET,
        "LINKEDIN_PAGE_SIZE": str(args.page_size),
    }
    command = [sys.executable, "-m", "benchmarks.sync", contract, str(args.days)]
    done = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(contract_urn: str, days: int) -> dict[str, Any]:
    """In the child process: one timed sync_contract; its figures as a dict."""
    import django

    django.setup()
    from django.utils import timezone

    from recruiter.models import Contract, ProspectNote
    from recruiter.sync import sync_contract

    contract = Contract.objects.create(
        urn=contract_urn,
        name="Benchmark",
        backfill_start=timezone.now() - timedelta(days=days + 1),
    )
    database_pid = _local_backend_pid()
    database_cpu = cpu_seconds(database_pid) if database_pid else None  # None: not measured
    cpu = time.process_time()
    began = time.perf_counter()
    run = sync_contract(contract.pk)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu
    if database_cpu is not None:
        database_cpu = cpu_seconds(database_pid) - database_cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "database_cpu": database_cpu,
        "status": run.status,
        "error": run.error,
        "created": run.notes_created,
        "updated": run.notes_updated,
        "unchanged": run.notes_unchanged,
        "pages": run.pages,
        "api_calls": run.api_calls,
        "retries": run.retries,
        "stored": ProspectNote.objects.filter(contract=contract).count(),
        # Linux reports kilobytes.
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _local_backend_pid() -> int:
    """The PostgreSQL server process of this connection (the sync writes through it), when the
    server runs on this machine; 0 otherwise, and for SQLite, which runs inside the sync."""
    from django.db import connection

    local = ("", "localhost", "127.0.0.1", "::1")
    if connection.vendor != "postgresql" or connection.settings_dict["HOST"] not in local:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], int(sys.argv[2]))), flush=True)
