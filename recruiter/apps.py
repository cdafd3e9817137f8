from __future__ import annotations

from django.apps import AppConfig


class RecruiterConfig(AppConfig):
    name = "recruiter"
