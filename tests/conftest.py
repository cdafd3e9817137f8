"""Shared fixtures: the named users of every permission test, a clean Redis per test, and a
LinkedIn sandbox on a free loopback port.

alice is a recruiting admin, bob a recruiter holding one seat (bob.seat), charlie is signed in
with no access at all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import django_rq
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from recruiter.permissions import RECRUITING_ADMINS
from tests.helpers import make_seat

PASSWORD = "correct horse battery staple"


def make_user(username: str, **overrides) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, **overrides
    )
    return user


@pytest.fixture
def alice(db) -> User:
    user = make_user("alice", first_name="Alice")
    user.groups.add(Group.objects.get_or_create(name=RECRUITING_ADMINS)[0])
    return user


@pytest.fixture
def bob(db) -> User:
    user = make_user("bob", first_name="Bob")
    user.seat = make_seat(users=[user], name="Bob's seat")
    return user


@pytest.fixture
def charlie(db) -> User:
    return make_user("charlie", first_name="Charlie")


@pytest.fixture
def staff(db) -> User:
    return make_user("sam", first_name="Sam", is_staff=True, is_superuser=True)


@pytest.fixture
def alice_client(alice, sandbox):
    """A browser-less client signed in as alice, connected to the sandbox member alice01."""
    from tests.test_linkedin_accounts import connect_linkedin

    client = Client()
    connect_linkedin(client, alice, "alice01")
    return client


@pytest.fixture
def bob_client(bob, sandbox):
    """The same for bob, as the sandbox member bob02."""
    from tests.test_linkedin_accounts import connect_linkedin

    client = Client()
    connect_linkedin(client, bob, "bob02")
    return client


@pytest.fixture(autouse=True)
def clean_redis():
    """Each test starts with an empty Redis database, so no test sees another's jobs."""
    connection = django_rq.get_connection("default")
    connection.flushdb()
    yield connection


@pytest.fixture
def make_sandbox(settings):
    """Start LinkedIn sandboxes on free ports, pointed at by the settings; stopped after the test.

    make_sandbox(notes=500, fault_rate=0.2, ...) takes SandboxConfig's fields.
    """
    from sandbox.server import Sandbox, SandboxConfig

    started = []

    def start(**config) -> Sandbox:
        defaults = {
            "seed": 7,
            "contracts": 1,
            "seats": 4,
            "prospects": 60,
            "notes": 300,
            "days": 20,
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
        }
        sandbox = Sandbox(SandboxConfig(**{**defaults, **config}))
        sandbox.start(host="127.0.0.1", port=0)
        started.append(sandbox)
        settings.LINKEDIN_API_BASE_URL = sandbox.api_base_url
        settings.LINKEDIN_OAUTH_BASE_URL = sandbox.oauth_base_url
        settings.LINKEDIN_CLIENT_ID = sandbox.config.client_id
        settings.LINKEDIN_CLIENT_SECRET = sandbox.config.client_secret
        settings.LINKEDIN_OIDC_DISCOVERY_URL = (
            sandbox.url + "/oauth/.well-known/openid-configuration"
        )
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox):
    """A small LinkedIn sandbox (one contract, 300 notes) the settings point at."""
    return make_sandbox()


# Browser tests -------------------------------------------------------------------------------
# Playwright drives Debian's Chromium (the test tooling's own browser download does not work
# here). Where Chromium is missing, the browser tests are left out with one clear line and the
# rest of the suite runs; CI installs Chromium so it always runs them.

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if browser_tests:
        items[:] = [item for item in items if not item.get_closest_marker("browser")]
        config.hook.pytest_deselected(items=browser_tests)
        config._chromium_missing = len(browser_tests)


def pytest_terminal_summary(terminalreporter, config):
    missing = getattr(config, "_chromium_missing", 0)
    if missing:
        terminalreporter.write_line(
            f"Chromium not found at {CHROMIUM}: {missing} browser tests not run "
            "(apt-get install chromium to run them).",
            yellow=True,
        )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's event loop runs in this thread while tests also touch the database here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test; CSP violations and page errors fail the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, problems


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under var/screenshots/ (ignored by git) to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
