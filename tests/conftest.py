"""Shared fixtures: the named users of every permission test, a clean Redis per test, and a
LinkedIn sandbox on a free loopback port.

alice is a recruiting admin, bob a recruiter holding one seat (bob.seat), charlie is signed in
with no access at all.
"""

from __future__ import annotations

import django_rq
import pytest
from django.contrib.auth.models import Group, User

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
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox):
    """A small LinkedIn sandbox (one contract, 300 notes) the settings point at."""
    return make_sandbox()
