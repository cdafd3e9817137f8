"""HTTP/1.1 framing for the handler: reading a request head and body, writing a response head.

http.server parses headers with the email package, which costs more than rendering a whole page
of notes; this reader keeps only what the sandbox needs and is several times faster.
"""

from __future__ import annotations

import time
from email.utils import formatdate
from http import HTTPStatus
from typing import BinaryIO

MAX_LINE = 65536
MAX_HEADERS = 100


class HttpError(Exception):
    """The request cannot be framed; answer `status` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Headers:
    """Request headers: case-insensitive lookup, original spelling kept for the request log."""

    __slots__ = ("_items", "_lower")

    def __init__(self) -> None:
        self._items: list[tuple[str, str]] = []
        self._lower: dict[str, str] = {}

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))
        key = name.lower()
        # Repeated headers combine into one comma-separated value (RFC 9110, 5.3).
        self._lower[key] = f"{self._lower[key]}, {value}" if key in self._lower else value

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._lower.get(name.lower(), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)


def read_head(rfile: BinaryIO) -> tuple[str, str, str, Headers] | None:
    """Method, target, version and headers of the next request; None when the client left."""
    line = rfile.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE:
        raise HttpError(414, "request line too long")
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
        raise HttpError(400, f"bad request line {line[:80]!r}")
    headers = Headers()
    for _ in range(MAX_HEADERS + 1):
        raw = rfile.readline(MAX_LINE + 1)
        if len(raw) > MAX_LINE:
            raise HttpError(431, "header line too long")
        if raw in (b"\r\n", b"\n", b""):
            return parts[0], parts[1], parts[2], headers
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, f"bad header line {raw[:80]!r}")
        headers.add(name, value.strip())
    raise HttpError(431, "too many headers")


def wants_close(version: str, headers: Headers) -> bool:
    connection = (headers.get("Connection") or "").lower()
    if version == "HTTP/1.0":
        return connection != "keep-alive"
    return connection == "close"


def read_body(rfile: BinaryIO, headers: Headers) -> bytes:
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return _read_chunked(rfile)
    length = headers.get("Content-Length")
    if not length:
        return b""
    if not length.isdigit():
        raise HttpError(400, "bad Content-Length")
    return rfile.read(int(length))


def _read_chunked(rfile: BinaryIO) -> bytes:
    chunks = []
    while True:
        size_line = rfile.readline(MAX_LINE + 1).split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError as exc:
            raise HttpError(400, "bad chunk size") from exc
        if size == 0:
            while rfile.readline(MAX_LINE + 1).strip():
                pass  # trailers are ignored
            return b"".join(chunks)
        chunks.append(rfile.read(size))
        rfile.readline()


_date_cache: tuple[int, str] = (0, "")


def http_date() -> str:
    """The Date header, formatted once a second instead of once a request."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def response_head(
    status: int,
    length: int,
    content_type: str | None,
    headers: dict[str, str],
    close: bool,
) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
        f"Date: {http_date()}",
        f"Content-Length: {length}",
        "X-RestLi-Protocol-Version: 2.0.0",
    ]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
