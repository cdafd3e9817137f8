from __future__ import annotations

from django.apps import AppConfig


class RecruiterConfig(AppConfig):
    name = "recruiter"

    def ready(self) -> None:
        from recruiter import auditing  # noqa: F401  (connects the audit receivers)
