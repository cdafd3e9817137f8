"""The sandbox server: a LinkedIn API emulator on http.server, fast enough to benchmark against.

Speed matters here because the project's sync is measured against this server: every response
goes out in one send with TCP_NODELAY (a header/body split stalls keep-alive clients ~40 ms on
delayed ACKs), and note pages are joined from pre-rendered bytes.
"""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sandbox import control, oauth, oidc, v2
from sandbox.config import SandboxConfig
from sandbox.errors import NOT_FOUND, ApiError, OAuthError
from sandbox.faults import FaultPicker
from sandbox.httpio import Headers, HttpError, read_body, read_head, response_head, wants_close
from sandbox.push import PushDelivery, Pusher
from sandbox.store import Store
from sandbox.wire import Request, Response, api_error_response, oauth_error_response

__all__ = ["LoggedRequest", "Sandbox", "SandboxConfig"]


@dataclass
class LoggedRequest:
    """One request as received and how it was answered. `query` is the raw URL query."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    status: int
    fault: str | None
    at: float
    seq: int = field(default=0)


class Sandbox:
    """A running (or ready to run) LinkedIn emulator; see SandboxConfig for its settings."""

    def __init__(self, config: SandboxConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or SandboxConfig(), **overrides)
        cfg = self.config
        base_ms = cfg.base_time_ms if cfg.base_time_ms is not None else int(time.time() * 1000)
        self.config.base_time_ms = base_ms
        self.store = Store(
            seed=cfg.seed,
            contracts=cfg.contracts,
            seats=cfg.seats,
            prospects=cfg.prospects,
            notes=cfg.notes,
            days=cfg.days,
            base_time_ms=base_ms,
            client_id=cfg.client_id,
            client_secret=cfg.client_secret,
        )
        self.signer = oidc.Signer()
        self.faults = FaultPicker(cfg.seed, cfg.fault_rate, cfg.fault_kinds)
        self.pusher = Pusher(cfg.push_url, cfg.client_secret, cfg.push_timeout)
        self.store.on_delete = self.pusher.note_deleted
        self._log: deque[LoggedRequest] = deque(maxlen=cfg.log_limit)
        self._log_lock = threading.Lock()
        self._seq = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        """Serve in a daemon thread; port 0 picks a free port (read it back from .url)."""
        self._server = _Server((host, port), _Handler)
        self._server.sandbox = self
        # A short poll interval only so that stop() returns quickly (tests start many).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def validate_push_url(self, contract: str | None = None) -> bool:
        """Run LinkedIn's challenge check against the contract's registered push URL (or
        push_url); True if it answered correctly."""
        return self.pusher.validate(contract)

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._server = None

    def __enter__(self) -> Sandbox:
        return self if self._server else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_base_url(self) -> str:
        return self.url + "/v2"

    @property
    def oauth_base_url(self) -> str:
        return self.url + "/oauth/v2"

    # --- helpers for tests and the control endpoints -------------------------------------------

    def set_faults(self, rate: float, kinds: Iterable[str] | None = None) -> None:
        self.faults.configure(rate, self.faults.kinds if kinds is None else kinds)

    def set_push_url(self, url: str | None) -> None:
        self.config.push_url = url
        self.pusher.url = url

    def issue_token(self, member: str | None = None, ttl: float | None = None) -> str:
        """A valid access token: the application's, or a member's when `member` (a sub) is given."""
        if member is None:
            return self.store.auth.issue(self.config.token_ttl if ttl is None else ttl).value
        found = self.store.member(member)
        if found is None:
            raise KeyError(f"no demo member {member!r}")
        lifetime = self.config.member_token_ttl if ttl is None else ttl
        return self.store.auth.issue(lifetime, found, "r_liteprofile").value

    @property
    def push_log(self) -> list[PushDelivery]:
        return list(self.pusher.log)

    def wait_for_pushes(self, timeout: float = 10.0) -> list[PushDelivery]:
        self.pusher.wait(timeout)
        return self.push_log

    @property
    def request_log(self) -> list[LoggedRequest]:
        with self._log_lock:
            return list(self._log)

    @property
    def log_next_seq(self) -> int:
        return self._seq

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def record(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            entry.seq = self._seq
            self._seq += 1
            self._log.append(entry)

    # --- dispatch ----------------------------------------------------------------------------

    def dispatch(self, req: Request) -> Response:
        try:
            if req.path.startswith("/v2/"):
                return v2.handle(self, req)
            if req.path.startswith("/oauth/"):
                return _oauth(self, req)
            if req.path.startswith("/_sandbox/"):
                return control.handle(self, req)
            return api_error_response(ApiError(404, f"No resource at {req.path}", NOT_FOUND))
        except Exception:  # a sandbox bug: answer like LinkedIn's 500, but show it loudly
            traceback.print_exc()
            return api_error_response(ApiError(500, "Internal sandbox error"))


def _oauth(sb: Sandbox, req: Request) -> Response:
    try:
        if req.path.startswith("/oauth/v2/"):
            return oauth.handle(sb, req)
        return oidc.handle(sb, req)
    except OAuthError as exc:
        return oauth_error_response(exc)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    sandbox: Sandbox

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads parked on idle keep-alive connections so stop() is prompt."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-response is normal (and provoked by the faults): stay quiet.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


def _request_id() -> str:
    return base64.b64encode(os.urandom(16)).decode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # see the module docstring and benchmarks.md
    timeout = 300  # idle keep-alive connections are closed after this many seconds
    server: _Server

    def handle_one_request(self) -> None:
        """Read one request with the fast reader in httpio and answer it, whatever the method.

        This replaces http.server's own parsing and its do_<METHOD> dispatch.
        """
        self.command = ""  # until the request line is read (an error answer may come first)
        try:
            head = read_head(self.rfile)
            if head is None:
                self.close_connection = True
                return
            self.command, self.path, self.request_version, headers = head
            self.close_connection = wants_close(self.request_version, headers)
            if (headers.get("Expect") or "").lower() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = read_body(self.rfile, headers)
        except TimeoutError:
            self.close_connection = True
            return
        except HttpError as exc:
            self.close_connection = True
            self._send(Response(exc.status, str(exc).encode(), "text/plain"))
            return
        self._serve(headers, body)

    def _serve(self, headers: Headers, body: bytes) -> None:
        sb = self.server.sandbox
        path, _, query = self.path.partition("?")
        response = sb.dispatch(Request(self.command, path, query, headers, body))
        # LinkedIn gives every answer an id (X-LI-UUID, 16 bytes in base64), the one its
        # support asks for. A new dict: some answers share a module-level headers dict.
        response.headers = {**response.headers, "X-LI-UUID": _request_id()}
        if not path.startswith("/_sandbox/"):
            # Logged before sending, so a client that reads the log right after its response
            # (or after a dropped connection) always finds its own request there.
            sb.record(self._log_entry(path, query, headers, body, response))
        self._send(response)
        if sb.config.verbose:
            fault = f" fault={response.fault}" if response.fault else ""
            sys.stderr.write(f"{self.command} {self.path} -> {response.status}{fault}\n")

    def _log_entry(
        self, path: str, query: str, headers: Headers, body: bytes, response: Response
    ) -> LoggedRequest:
        return LoggedRequest(
            method=self.command,
            path=path,
            query=query,
            headers=dict(headers.items()),
            body=body,
            status=response.status,
            fault=response.fault,
            at=time.time(),
        )

    def _send(self, response: Response) -> None:
        if response.fault == "drop":
            self._hang_up()
            return
        body = response.body
        head = response_head(
            response.status,
            len(body),
            response.content_type,
            response.headers,
            self.close_connection,
        )
        if self.command == "HEAD":
            body = b""  # same headers as GET, no body
        if response.fault == "truncate":
            # Promise the whole body, deliver half, hang up: a client must notice the gap.
            self.wfile.write(head + body[: len(body) // 2])
            self._hang_up()
            return
        self.wfile.write(head + body)  # one send: headers and body together

    def _hang_up(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base class signature
        if self.server.sandbox.config.verbose:
            super().log_message(format, *args)
