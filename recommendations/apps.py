from __future__ import annotations

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"

    def ready(self) -> None:
        from accounts.signin import linkedin_signed_in
        from recommendations.accounts import store_signin_tokens

        # A member who signs in with LinkedIn is connected for recommendations at once.
        linkedin_signed_in.connect(store_signin_tokens, dispatch_uid="recommendations.signin")

        from accounts.erasure import register_eraser
        from recommendations.erasure import RecommendationsEraser

        register_eraser(RecommendationsEraser())
