"""LinkedIn API client: Rest.li encoding, OAuth, errors, retries and typed records.

Plain Python on requests; nothing here imports Django or the project's apps.
"""

from __future__ import annotations

from .client import DEFAULT_API_BASE_URL, LinkedInClient
from .errors import AuthError, ConflictError, LinkedInError
from .oauth import (
    ClientCredentials,
    authorization_url,
    clear_token_cache,
    exchange_code,
    introspect_token,
    refresh_token,
    revoke_token,
)
from .records import (
    KNOWN_STATUSES,
    RECIPIENT_STATUSES,
    RELATIONSHIPS,
    REQUESTER_STATUSES,
    SEAT_STATES,
    SEEN_IN_QUERY_STATUSES,
    BatchResult,
    Page,
    Paging,
    ProspectNote,
    PushEvent,
    RecommendationRequest,
    SeatHolder,
    TokenSet,
)
from .restli import request_urn, split_request_urn
from .retry import RetryPolicy
from .signatures import challenge_response, sign, verify_signature
from .transport import ClientStats

__all__ = [
    "DEFAULT_API_BASE_URL",
    "KNOWN_STATUSES",
    "RECIPIENT_STATUSES",
    "RELATIONSHIPS",
    "REQUESTER_STATUSES",
    "SEEN_IN_QUERY_STATUSES",
    "AuthError",
    "BatchResult",
    "ClientCredentials",
    "ClientStats",
    "ConflictError",
    "LinkedInClient",
    "LinkedInError",
    "Page",
    "Paging",
    "ProspectNote",
    "PushEvent",
    "RecommendationRequest",
    "RetryPolicy",
    "SEAT_STATES",
    "SeatHolder",
    "TokenSet",
    "authorization_url",
    "challenge_response",
    "clear_token_cache",
    "exchange_code",
    "introspect_token",
    "revoke_token",
    "refresh_token",
    "request_urn",
    "sign",
    "split_request_urn",
    "verify_signature",
]
