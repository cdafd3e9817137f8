"""The LinkedIn client a contract syncs with: its own credentials or the site's, from settings."""

from __future__ import annotations

from django.conf import settings

from linkedin import ClientCredentials, LinkedInClient, LinkedInError, RetryPolicy
from recruiter.models import Contract

USER_AGENT = "linkedin-recruiter-dashboard/0.1 (prospect-note sync)"


def retry_policy() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.LINKEDIN_MAX_ATTEMPTS,
        max_total_seconds=settings.LINKEDIN_MAX_RETRY_SECONDS,
    )


def client_for(contract: Contract) -> LinkedInClient:
    """A new client for one contract's Recruiter System Connect calls (one per run and thread).

    Raise LinkedInError (permanent) when neither the contract nor the site has credentials, so
    the run fails with a message an admin can act on instead of a 401 from LinkedIn.
    """
    client_id, client_secret = contract.credentials()
    if not client_id or not client_secret:
        raise LinkedInError(
            "no LinkedIn credentials: set the contract's client id and secret, or the site's "
            "LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET",
            transient=False,
        )
    # Client-credentials tokens are cached per (OAuth URL, client id) in the process, so
    # building a client per run costs no extra token call.
    credentials = ClientCredentials(
        settings.LINKEDIN_OAUTH_BASE_URL,
        client_id,
        client_secret,
        timeout=settings.LINKEDIN_TIMEOUT,
    )
    return LinkedInClient(
        settings.LINKEDIN_API_BASE_URL,
        credentials,
        timeout=settings.LINKEDIN_TIMEOUT,
        retry=retry_policy(),
        user_agent=USER_AGENT,
    )
