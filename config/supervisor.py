"""A small process supervisor for `make run` and the cluster test: start named commands, prefix
their output, restart one that dies (with a growing pause), stop them all on Ctrl-C/SIGTERM.

honcho stops the whole group when one process exits; a worker killed by a Redis outage would
then take the site down with it, or (worse) leave the group running without a worker. A
one-shot process (``restart=False``) may exit without anyone restarting it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO

# After a crash, wait this long before the restart, doubling up to MAX_BACKOFF; a process
# that ran for STABLE_SECONDS counts as healthy again.
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
STABLE_SECONDS = 30.0
STOP_SECONDS = 10.0


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    cwd: str | None = None
    restart: bool = True
    popen: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    restarts: int = 0
    done: bool = False
    _reader: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    def __init__(self, out: IO[str] | None = None) -> None:
        self.processes: list[Process] = []
        self.out = out or sys.stdout
        self._stop = threading.Event()
        self._print_lock = threading.Lock()
        self.width = 8

    def add(self, name: str, argv: list[str], **options) -> Process:
        process = Process(name, argv, **options)
        self.processes.append(process)
        self.width = max(self.width, len(name))
        return process

    def say(self, name: str, line: str) -> None:
        with self._print_lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {line}\n")
            self.out.flush()

    def start(self, process: Process) -> None:
        # Own process group: Ctrl-C reaches us once, and we stop each child in turn.
        process.popen = subprocess.Popen(  # noqa: S603
            process.argv,
            env=process.env,
            cwd=process.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        process.started_at = time.monotonic()
        process._reader = threading.Thread(target=self._relay, args=(process,), daemon=True)
        process._reader.start()
        self.say(process.name, f"started (pid {process.popen.pid})")

    def _relay(self, process: Process) -> None:
        assert process.popen is not None and process.popen.stdout is not None
        for line in process.popen.stdout:
            self.say(process.name, line.rstrip("\n"))

    def stop(self, *_: object) -> None:
        self._stop.set()

    def run(self) -> int:
        """Run until stopped; return 0, or the exit code of a one-shot process that failed."""
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        for process in self.processes:
            self.start(process)
        failed = 0
        while not self._stop.wait(0.2):
            for process in self.processes:
                failed = self._check(process) or failed
        self._stop_all()
        return failed

    def _check(self, process: Process) -> int:
        if process.done or process.popen is None:
            return 0
        code = process.popen.poll()
        if code is None:
            return 0
        if not process.restart:
            process.done = True
            self.say(process.name, f"finished (exit {code})")
            return code if code else 0
        ran = time.monotonic() - process.started_at
        if ran >= STABLE_SECONDS:
            process.backoff = FIRST_BACKOFF
        self.say(process.name, f"exited with {code}; restarting in {process.backoff:.0f} s")
        if self._stop.wait(process.backoff):
            return 0
        process.backoff = min(process.backoff * 2, MAX_BACKOFF)
        process.restarts += 1
        self.start(process)
        return 0

    def _stop_all(self) -> None:
        alive = [p for p in self.processes if p.popen is not None and p.popen.poll() is None]
        for process in alive:
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in alive:
            try:
                process.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal(process, signal.SIGKILL)
                process.popen.wait()
            self.say(process.name, "stopped")


def _signal(process: Process, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.popen.pid, signum)
