"""Test settings: the real settings module, given test defaults for what it requires.

pytest-django imports settings before any conftest runs, so the environment is prepared
here. Anything already in the environment (CI's DATABASE_URL, REDIS_URL) wins.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-padded-to-fifty-chars")
os.environ.setdefault("ENCRYPTION_KEYS", "kP3xKQ2m1m1n8V3p5mFJgq0Xh0fRrV6Zs1t4C5yA9bE=")
os.environ.setdefault("EMBEDDED_REDIS_NAME", "test")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
# A developer's .env is for `make run`, not for the tests.
os.environ.setdefault("ENV_FILE", os.devnull)

from config.settings import *  # noqa: E402,F403

STORAGES = {
    **STORAGES,  # noqa: F405
    # The manifest storage needs collectstatic; the tests serve files from the finders.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
