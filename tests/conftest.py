"""Shared fixtures: the named users of every permission test, and a clean Redis per test.

alice is a recruiting admin, bob a recruiter (his seat is mapped by the recruiter fixtures),
charlie is signed in with no access at all.
"""

from __future__ import annotations

import django_rq
import pytest
from django.contrib.auth.models import Group, User

RECRUITING_ADMINS = "Recruiting admins"
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
    return make_user("bob", first_name="Bob")


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
