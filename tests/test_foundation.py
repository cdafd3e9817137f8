from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent

# Pages anyone may open: the login page, the health check and LinkedIn's push endpoint.
PUBLIC = {"login", "healthz", "linkedin_webhook", "admin:login", "jsi18n"}
# Monitoring: the sync health check, and the metrics (their own bearer token or loopback).
PUBLIC |= {"healthz_sync", "metrics"}
# Sign In with LinkedIn: the way to sign in, and LinkedIn's way back to us.
PUBLIC |= {"accounts:linkedin_login", "accounts:linkedin_callback"}


# What the test settings and the browser fixture set for themselves, never for production.
DEV_OVERRIDES = {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ENCRYPTION_KEYS"}
    }
    base.update(ENV_FILE=os.devnull, DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def test_settings_refuse_to_load_without_secret_key_when_debug_is_off():
    result = _run_django("import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_settings_refuse_to_load_without_encryption_keys_when_debug_is_off():
    result = _run_django("import django; django.setup()", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ENCRYPTION_KEYS is required" in result.stderr


def test_debug_defaults_to_off():
    result = _run_django(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY="x" * 50,
        ENCRYPTION_KEYS="kP3xKQ2m1m1n8V3p5mFJgq0Xh0fRrV6Zs1t4C5yA9bE=",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in DEV_OVERRIDES},
            "ENV_FILE": os.devnull,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "k" * 30 + "-production-like-secret-key-with-entropy-9f8e7d6c",
            "ENCRYPTION_KEYS": "kP3xKQ2m1m1n8V3p5mFJgq0Xh0fRrV6Zs1t4C5yA9bE=",
            "ALLOWED_HOSTS": "dashboard.example.com",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def _named_patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern


def _example_path(route: str) -> str:
    """Turn a route into a concrete path: every converter gets a plausible value."""
    import re

    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|slug|path):\w+>", "x", path)
    path = re.sub(r"<\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)  # admin's regex routes
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


def _all_pages():
    for route, name, _ in _named_patterns(get_resolver()):
        if (
            name.split(":")[-1]
            in {"login", "healthz", "linkedin_webhook", "contract_webhook", "jsi18n"}
            or name in PUBLIC
        ):
            continue
        yield pytest.param(_example_path(route), id=name or route)


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(_all_pages()))
def test_every_page_requires_sign_in(client, path):
    response = client.get(path)
    assert response.status_code in (302, 301), f"{path} answered {response.status_code}"
    location = response.headers["Location"]
    assert "/login/" in location, f"{path} redirected to {location}, not to a login page"


@pytest.mark.django_db
def test_login_page_is_public_and_has_csrf(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_sign_in_and_out(client, bob):
    response = client.post(
        "/login/", {"username": "bob", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, bob):
    response = client.post("/login/", {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert b"didn't match" in response.content
    assert client.get("/").status_code == 302


def test_pages_send_a_strict_csp_without_inline_scripts(client, bob):
    client.force_login(bob)
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert b"<script>" not in response.content


@pytest.mark.django_db
def test_healthz_reports_database_and_redis_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["redis"]) == ("ok", "up", "up")


@pytest.mark.django_db
def test_healthz_answers_503_when_redis_is_down(client, monkeypatch):
    import redis

    def refuse(*args, **kwargs):
        raise redis.ConnectionError("refused")

    monkeypatch.setattr(redis.Redis, "ping", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"
    assert response.json()["database"] == "up"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def fail(*args, **kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(CursorWrapper, "execute", fail)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
