"""Push events: the signed POSTs LinkedIn sends to each customer's own callback URL.

LinkedIn registers one callback URL per customer (contract) and signs its events with the
client secret of the application serving that customer. `register` gives a contract its URL
(and, for a child application, its secret and application id); `url` is the fallback for
contracts without one.
"""

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
from urllib.parse import quote, urlsplit


def sign(secret: str, body: bytes) -> str:
    """X-LI-Signature: hex HMAC-SHA256 of the raw body keyed with the client secret (seed 000)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PushTarget:
    """Where one customer's events go and the secret (and application id) that signs them."""

    url: str
    secret: str
    application_id: str | None = None


def delete_event_body(note: dict[str, Any]) -> bytes:
    # The seed's key order and spelling, id as a string, serialised once and signed as sent.
    event = {
        "prospectNoteId": str(note["id"]),
        "type": "DELETE_PROSPECT_NOTE",
        "integrationContext": note["contract"],
    }
    return json.dumps(event).encode()


def status_event_body(contract: str, status: str) -> bytes:
    # The seed does not document this event's body; its name and the contract are what the
    # receive-push-events page promises. `status` is this sandbox's spelling of the new state.
    event = {"type": "INTEGRATION_STATUS_CHANGE", "integrationContext": contract, "status": status}
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
        self.targets: dict[str, PushTarget] = {}
        self.log: list[PushDelivery] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def register(
        self,
        contract: str,
        url: str,
        secret: str | None = None,
        application_id: str | None = None,
    ) -> None:
        """Give one contract its own callback URL (and its child application's secret)."""
        self.targets[contract] = PushTarget(url, secret or self.secret, application_id)

    def target(self, contract: str | None = None) -> PushTarget | None:
        if contract in self.targets:
            return self.targets[contract]
        return PushTarget(self.url, self.secret) if self.url else None

    def note_deleted(self, note: dict[str, Any]) -> None:
        self.send(note["contract"], delete_event_body(note))

    def integration_status_changed(self, contract: str, status: str) -> None:
        self.send(contract, status_event_body(contract, status))

    def send(self, contract: str, body: bytes) -> None:
        """Sign ``body`` with the contract's secret and POST it to its URL, in the background."""
        target = self.target(contract)
        if target is None:
            return
        delivery = PushDelivery(target.url, body, sign(target.secret, body))
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

    def validate(self, contract: str | None = None) -> bool:
        """LinkedIn's endpoint check: GET ?challengeCode=<uuid4>[&applicationId=...], expect
        its HMAC back within 3 s. `contract` picks the registered URL (else the fallback)."""
        target = self.target(contract)
        if target is None:
            return False
        code = str(uuid.uuid4())
        query = f"challengeCode={code}"
        if target.application_id:
            query += f"&applicationId={quote(target.application_id, safe='')}"
        separator = "&" if "?" in target.url else "?"
        try:
            status, body = _request("GET", f"{target.url}{separator}{query}", 3.0)
            answer = json.loads(body)
        except (OSError, ValueError, http.client.HTTPException):
            return False
        expected = sign(target.secret, code.encode())
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
