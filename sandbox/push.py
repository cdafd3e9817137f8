"""Push events: the signed POST LinkedIn sends when a prospect note is deleted."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def sign(secret: str, body: bytes) -> str:
    """X-LI-Signature: hex HMAC-SHA256 of the raw body keyed with the client secret (seed 000)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delete_event_body(note: dict[str, Any]) -> bytes:
    # The seed's key order and spelling, id as a string, serialised once and signed as sent.
    event = {
        "prospectNoteId": str(note["id"]),
        "type": "DELETE_PROSPECT_NOTE",
        "integrationContext": note["contract"],
    }
    return json.dumps(event).encode()


@dataclass
class PushDelivery:
    """One delivery attempt and what came of it (status None: connection failed)."""

    url: str
    body: bytes
    signature: str
    status: int | None = None
    error: str | None = None
    at: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Pusher:
    """Sends events from background threads and keeps a log of every delivery."""

    def __init__(self, url: str | None, secret: str, timeout: float = 5.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.log: list[PushDelivery] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def note_deleted(self, note: dict[str, Any]) -> None:
        if not self.url:
            return
        body = delete_event_body(note)
        delivery = PushDelivery(self.url, body, sign(self.secret, body))
        thread = threading.Thread(target=self._deliver, args=(delivery,), daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _deliver(self, delivery: PushDelivery) -> None:
        # http.client rather than urllib: urllib rewrites header names ("X-li-signature"),
        # and the receiver should see the spelling LinkedIn uses.
        headers = {"Content-Type": "application/json", "X-LI-Signature": delivery.signature}
        try:
            delivery.status, _ = _request(
                "POST", delivery.url, self.timeout, delivery.body, headers
            )
        except (OSError, ValueError, http.client.HTTPException) as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.log.append(delivery)

    def validate(self) -> bool:
        """LinkedIn's endpoint check: GET ?challengeCode=..., expect its HMAC back within 3 s."""
        if not self.url:
            return False
        code = str(uuid.uuid4())
        separator = "&" if "?" in self.url else "?"
        try:
            status, body = _request("GET", f"{self.url}{separator}challengeCode={code}", 3.0)
            answer = json.loads(body)
        except (OSError, ValueError, http.client.HTTPException):
            return False
        expected = sign(self.secret, code.encode())
        return (
            status == 200
            and isinstance(answer, dict)
            and answer.get("challengeCode") == code
            and hmac.compare_digest(str(answer.get("challengeResponse", "")), expected)
        )

    def wait(self, timeout: float = 10.0) -> None:
        """Block until every delivery started so far has finished (for tests)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]


def _request(
    method: str,
    url: str,
    timeout: float,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"push URL must be http(s): {url!r}")
    factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = factory(parts.hostname, parts.port, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
