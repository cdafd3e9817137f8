"""`make run`: the whole site in the foreground, as one group that Ctrl-C stops.

Starts the embedded Redis (unless REDIS_URL is set), migrates, creates an admin account on the
first run, then runs the web server, one RQ worker, the RQ cron scheduler and, when no LinkedIn
credentials are configured, the LinkedIn sandbox with demo data, with the settings pointed at it.
A process that dies is restarted (config/supervisor.py); the demo's first sync is enqueued
once the sandbox listens (``python -m config.run demo``), so no job has to wait for it.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import environ

from config import embedded_redis
from config.supervisor import Supervisor

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 (the sandbox's own demo secret)
WAIT_FOR_SANDBOX = 60.0


def _environment(port: int, sandbox_port: int) -> tuple[dict[str, str], bool]:
    env = dict(os.environ)
    # A local quick start: DEBUG on (plain HTTP, readable errors) unless the caller says otherwise.
    env.setdefault("DEBUG", "true")
    use_sandbox = not env.get("LINKEDIN_CLIENT_ID")
    if use_sandbox:
        sandbox = f"http://127.0.0.1:{sandbox_port}"
        env.update(
            LINKEDIN_API_BASE_URL=f"{sandbox}/v2",
            LINKEDIN_OAUTH_BASE_URL=f"{sandbox}/oauth/v2",
            LINKEDIN_CLIENT_ID=SANDBOX_CLIENT_ID,
            LINKEDIN_CLIENT_SECRET=SANDBOX_CLIENT_SECRET,
            LINKEDIN_OIDC_DISCOVERY_URL=f"{sandbox}/oauth/.well-known/openid-configuration",
            SANDBOX_URL=sandbox,
        )
        # The sandbox's demo members (alice@example.com, bob@example.com...) may sign up.
        env.setdefault("LINKEDIN_SIGNUP_DOMAINS", "example.com")
    return env, use_sandbox


def _read_env_file() -> None:
    """Load .env into this process's environment as the settings do (the environment wins),
    so that real credentials there mean no sandbox, as they do in the environment."""
    path = os.environ.get("ENV_FILE", str(ROOT / ".env"))
    if Path(path).is_file():
        environ.Env.read_env(path, overwrite=False)


def _linkedin_banner(env: dict[str, str], use_sandbox: bool) -> str:
    """Say which LinkedIn this run talks to: the sandbox, or the real one (never the secret)."""
    if use_sandbox:
        return (
            f"\n  LinkedIn: the sandbox at {env['SANDBOX_URL']} with demo data "
            "(set LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET to use the real one)\n"
        )
    api = env.get("LINKEDIN_API_BASE_URL", "https://api.linkedin.com/v2")
    lines = [
        f"\n  LinkedIn: no sandbox; calls go to {api} as client {env['LINKEDIN_CLIENT_ID']}.",
        "  Add each contract in the admin and use Test connection (see deploy/going-live.md).",
    ]
    if not env.get("LINKEDIN_CLIENT_SECRET"):
        lines.append("  LINKEDIN_CLIENT_SECRET is not set: contracts need their own secret.")
    return "\n".join(lines) + "\n"


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _ensure_admin(env: dict[str, str]) -> None:
    """Create the first admin account; print its password once (or take both from the env)."""
    username = env.get("DJANGO_ADMIN_USERNAME", "admin")
    password = env.get("DJANGO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    code = (
        "import django, sys; django.setup()\n"
        "from django.contrib.auth.models import User\n"
        "u, p = sys.argv[1], sys.argv[2]\n"
        "if User.objects.filter(is_superuser=True).exists(): sys.exit(3)\n"
        "User.objects.create_superuser(u, f'{u}@localhost', p)\n"
    )
    child_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([PYTHON, "-c", code, username, password], cwd=ROOT, env=child_env)  # noqa: S603
    if result.returncode == 0:
        shown = password if "DJANGO_ADMIN_PASSWORD" not in env else "(from DJANGO_ADMIN_PASSWORD)"
        print(
            f"\n  Created the admin account: username {username!r}, password {shown}\n", flush=True
        )
    elif result.returncode != 3:
        raise SystemExit("could not create the admin account")


def main() -> int:
    _read_env_file()
    port = int(os.environ.get("PORT", "8000"))
    sandbox_port = int(os.environ.get("SANDBOX_PORT", "8765"))
    env, use_sandbox = _environment(port, sandbox_port)

    # The embedded Redis outlives the processes that use it; stop it with the group if we start it.
    redis_name = env.get("EMBEDDED_REDIS_NAME", "main")
    var_dir = ROOT / "var"
    owns_redis = not env.get("REDIS_URL") and not embedded_redis.is_running(
        embedded_redis.socket_path(var_dir, redis_name)
    )
    try:
        return _serve(env, port, sandbox_port, use_sandbox)
    finally:
        if owns_redis:
            embedded_redis.stop(var_dir, redis_name)


def _serve(env: dict[str, str], port: int, sandbox_port: int, use_sandbox: bool) -> int:
    _manage(env, "migrate", "--noinput")
    if not _debug(env):
        # Without DEBUG the pages ask the manifest for their static files: collect them first.
        _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _ensure_admin(env)

    supervisor = Supervisor()
    here = {"env": env, "cwd": str(ROOT)}
    if use_sandbox:
        supervisor.add(
            "sandbox",
            [PYTHON, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(sandbox_port)]
            + ["--seed", "1", "--client-id", SANDBOX_CLIENT_ID]
            + ["--client-secret", SANDBOX_CLIENT_SECRET]
            + ["--push-url", f"http://127.0.0.1:{port}/webhooks/linkedin/"],
            **here,
        )
    supervisor.add("web", [PYTHON, *_web_command(env, port)], **here)
    # One worker for both queues, default first: between two slices of a backfill it takes
    # every scheduled sync waiting (recruiter/backfill.py).
    supervisor.add("worker", [PYTHON, "manage.py", "rqworker", "default", "backfill"], **here)
    supervisor.add("cron", [PYTHON, "manage.py", "rqcron", "config.cron"], **here)
    if use_sandbox:
        # The demo contract and its first sync, so a newcomer sees notes within a minute,
        # enqueued once the sandbox listens.
        supervisor.add("demo", [PYTHON, "-m", "config.run", "demo"], restart=False, **here)
    print(_linkedin_banner(env, use_sandbox), flush=True)
    print(f"\n  Open http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n", flush=True)
    return supervisor.run()


def _web_command(env: dict[str, str], port: int) -> list[str]:
    if _debug(env):
        return ["manage.py", "runserver", f"127.0.0.1:{port}"]
    # Production-like: gunicorn with the deploy config; static files collected beforehand.
    return ["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]


def _debug(env: dict[str, str]) -> bool:
    return env.get("DEBUG", "").lower() in ("1", "true", "yes", "on")


def wait_for_api(url: str, seconds: float, *, poll: float = 0.25) -> bool:
    """Wait until the host of ``url`` accepts a TCP connection, at most ``seconds``; return
    whether it did."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=poll):
                return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)


def demo() -> int:
    """`python -m config.run demo`: wait for the sandbox, then the demo contract's first sync."""
    url = os.environ.get("LINKEDIN_API_BASE_URL", "")
    if not wait_for_api(url, WAIT_FOR_SANDBOX):
        print(f"the LinkedIn sandbox at {url} did not start; no demo sync", flush=True)
        return 1
    _manage(dict(os.environ), "start_demo")
    return 0


if __name__ == "__main__":
    sys.exit(demo() if sys.argv[1:] == ["demo"] else main())
