from __future__ import annotations

from django.apps import AppConfig


class RecruiterConfig(AppConfig):
    name = "recruiter"

    def ready(self) -> None:
        from accounts.identity import identity_linked, identity_unlinked
        from recruiter import (
            auditing,  # noqa: F401  (connects the audit receivers)
            seatmap,
        )

        # A site user's LinkedIn identity maps them to the seat they hold (recruiter.seatmap).
        identity_linked.connect(seatmap.on_identity_linked, dispatch_uid="recruiter-seat-map")
        identity_unlinked.connect(seatmap.on_identity_unlinked, dispatch_uid="recruiter-seat-unmap")
