"""Checking LinkedIn's push event signatures and answering its endpoint validation challenge.

The challenge answer and the push signature are the same HMAC with the same secret, so an
endpoint that answered any challenge code would sign any body for whoever asks. LinkedIn's
challenge codes are type-4 UUIDs (api-guide/webhook-validation): only a code of that shape is
ever answered, and no UUID is a JSON object, nor starts with "hmacsha256=", so no answer can
be the signature of a push body in any of the forms accepted below.

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

__all__ = ["challenge_response", "is_challenge_code", "sign", "verify_signature"]

_PREFIX = "hmacsha256="
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


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


def is_challenge_code(value: object) -> bool:
    """Whether ``value`` has the shape of LinkedIn's challenge codes (a UUID, 36 characters)."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def challenge_response(secret: str, challenge_code: str) -> str:
    """The ``challengeResponse`` LinkedIn expects when it validates our callback URL.

    Raises ValueError for anything but a UUID: answering other text would sign it.
    """
    if not is_challenge_code(challenge_code):
        raise ValueError("a challenge code is a UUID")
    return sign(secret, challenge_code.encode())
