"""Checking LinkedIn's push event signatures and answering its endpoint validation challenge.

LinkedIn signs each push event with HMAC-SHA256 keyed by the application's client secret and
sends the hex digest in ``X-LI-Signature``. The seed shows a bare digest; LinkedIn's webhook
page says the signed text is the body "prefixed by hmacsha256=", and public implementations
disagree on whether that prefix belongs to the header or to the signed bytes. We accept all
four combinations: the cost is four HMACs, and each is still a full-strength check.
"""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = ["challenge_response", "sign", "verify_signature"]

_PREFIX = "hmacsha256="
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def sign(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``body`` keyed with ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is a valid signature of the raw ``body``.

    Never raises: a missing, malformed or non-ASCII header is simply not valid. An empty
    secret verifies nothing, so a missing setting fails closed.
    """
    if not secret or not isinstance(header, str) or not isinstance(body, bytes | bytearray):
        return False
    candidate = header.strip()
    if candidate[: len(_PREFIX)].lower() == _PREFIX:
        candidate = candidate[len(_PREFIX) :]
    candidate = candidate.lower()
    # compare_digest refuses non-ASCII str; checking the shape first keeps the promise above.
    if not _HEX_DIGEST.fullmatch(candidate):
        return False
    over_body = sign(secret, bytes(body))
    over_prefixed = sign(secret, _PREFIX.encode() + bytes(body))
    # Evaluate both comparisons so the time taken does not say which form matched.
    matches = [
        hmac.compare_digest(candidate, over_body),
        hmac.compare_digest(candidate, over_prefixed),
    ]
    return any(matches)


def challenge_response(secret: str, challenge_code: str) -> str:
    """The ``challengeResponse`` LinkedIn expects when it validates our callback URL."""
    return sign(secret, challenge_code.encode())
