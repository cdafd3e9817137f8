"""Smaller audit points: a short SECRET_KEY refused at start, no shared or disk caching of
pages with notes, OAuth codes and states kept out of the logs."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from config.logfilters import RedactOAuthParameters, redact
from tests.helpers import make_note

ROOT = Path(__file__).resolve().parent.parent
KEYS = "kP3xKQ2m1m1n8V3p5mFJgq0Xh0fRrV6Zs1t4C5yA9bE="


def start_django(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    base.update(ENV_FILE=os.devnull, DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


# SECRET_KEY ---------------------------------------------------------------------------------


def test_a_secret_key_shorter_than_50_is_refused_without_debug():
    result = start_django(
        SECRET_KEY="s" * 20 + "-twenty-nine-more-characters", ENCRYPTION_KEYS=KEYS
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters when DEBUG is off (it has 48)" in (
        result.stderr
    )


def test_a_50_character_secret_key_starts():
    result = start_django(SECRET_KEY="k9" * 25, ENCRYPTION_KEYS=KEYS)

    assert result.returncode == 0, result.stderr


def test_debug_runs_with_a_short_key():
    assert start_django(SECRET_KEY="short", DEBUG="true").returncode == 0


# Cache-Control ------------------------------------------------------------------------------

NOTE_PAGES = ["recruiter:note_list", "recruiter:note_export", "recruiter:prospect_list"]


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("name", NOTE_PAGES)
@pytest.mark.parametrize("user", ["alice", "bob"])
def test_pages_and_exports_with_notes_are_private_and_not_stored(client, request, name, user):
    who = request.getfixturevalue(user)
    client.force_login(who)
    make_note(owner=getattr(who, "seat", None))

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_a_prospect_page_and_the_admin_notes_are_not_stored(client, alice, staff):
    note = make_note()
    client.force_login(alice)
    prospect = client.get(reverse("recruiter:prospect_detail", args=[note.prospect_id]))
    client.force_login(staff)
    admin = client.get(reverse("admin:recruiter_prospectnote_changelist"))

    for response in (prospect, admin):
        assert response.status_code == 200
        assert {"private", "no-store"} <= cache_directives(response)


# OAuth codes out of the logs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "GET /recommendations/linkedin/callback/?code=AQTx-1_y&state=s3cr3t HTTP/1.1",
            "GET /recommendations/linkedin/callback/?code=[redacted]&state=[redacted] HTTP/1.1",
        ),
        ("?state=abc#frag", "?state=[redacted]#frag"),
        ("error=access_denied&CODE=x", "error=access_denied&CODE=[redacted]"),
        ("zipcode=12345&barcode=9", "zipcode=12345&barcode=9"),
        ("no query here", "no query here"),
    ],
)
def test_redact_blanks_oauth_codes_and_states(line, expected):
    assert redact(line) == expected


def site_handler() -> logging.StreamHandler:
    """The console handler the settings configure (pytest adds its own beside it)."""
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactOAuthParameters) for f in h.filters)
    ]
    return handler


def test_every_log_line_we_write_is_redacted(db):
    """Through the configured handler: runserver's request log and our own loggers."""
    handler = site_handler()
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        logging.getLogger("django.server").info(
            '"%s" %s %s',
            "GET /recommendations/linkedin/callback/?code=AQT123&state=S456 HTTP/1.1",
            302,
            0,
        )
        logging.getLogger("recommendations").warning(
            "callback at %s", "/cb/?state=S456&code=AQT123"
        )
    finally:
        handler.setStream(old)

    written = stream.getvalue()
    assert "AQT123" not in written and "S456" not in written
    assert written.count("code=[redacted]") == 2


def test_the_callback_never_logs_its_code(client, charlie, caplog):
    client.force_login(charlie)
    handler = site_handler()
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        client.get(
            reverse("recommendations:oauth_callback"), {"code": "AQTsecret", "state": "wrong"}
        )
    finally:
        handler.setStream(old)

    assert "AQTsecret" not in stream.getvalue()


def test_gunicorns_access_log_leaves_out_query_strings_and_referrers():
    import runpy

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))

    log_format = conf["access_log_format"]
    assert "%(U)s" in log_format
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert leaky not in log_format
