from __future__ import annotations

from django.apps import AppConfig


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
