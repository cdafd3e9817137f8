from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class RecruiterConfig(AppConfig):
    name = "recruiter"

    def ready(self) -> None:
        from accounts.erasure import register_eraser
        from accounts.identity import identity_linked, identity_unlinked
        from recruiter import (
            auditing,  # noqa: F401  (connects the audit receivers)
            seatmap,
        )
        from recruiter.erasure import RecruiterEraser

        # A site user's LinkedIn identity maps them to the seat they hold (recruiter.seatmap).
        identity_linked.connect(seatmap.on_identity_linked, dispatch_uid="recruiter-seat-map")
        identity_unlinked.connect(seatmap.on_identity_unlinked, dispatch_uid="recruiter-seat-unmap")
        register_eraser(RecruiterEraser())
        # SQLite searches with the same rules as PostgreSQL, in Python (recruiter.search).
        connection_created.connect(_register_sqlite_search, dispatch_uid="recruiter-sqlite-search")


def _register_sqlite_search(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        from recruiter.search_text import matches

        connection.connection.create_function(
            "recruiter_search_match", 2, matches, deterministic=True
        )
