"""Site-wide housekeeping jobs, scheduled in config/cron.py."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone


def clear_expired_sessions() -> int:
    """Delete expired sessions (Django keeps them in the database until someone does)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
