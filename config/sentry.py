"""Error reporting to Sentry, loaded by the settings only when SENTRY_DSN is set: with it
unset, sentry_sdk is never imported."""

from __future__ import annotations


def init_sentry(dsn: str, *, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), RqIntegration()],
        # No personal data: no user ids, emails, IP addresses, cookies or request bodies.
        send_default_pii=False,
        traces_sample_rate=0.0,
    )
