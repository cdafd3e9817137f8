"""Rest.li protocol 2.0 encoding for URLs, query strings and headers.

Rest.li 2.0 writes structured values into URLs with a small grammar: a list is ``List(a,b)``,
a record is ``(k1:v1,k2:v2)``, the empty string is ``''``. The structure stays literal while the
values inside are escaped, so the characters ``( ) , : '`` can appear in values without
breaking the structure. Three escapings exist:

- path keys: the whole key is percent-encoded, structure characters included
  (``encode_path_key``);
- query values: structure literal, every value fully percent-encoded (``encode_query_value``,
  ``build_query``);
- "reduced" form for headers such as ``X-RestLi-Id`` and for map keys in responses: structure
  literal, only ``% , ( ) ' :`` escaped inside values (``encode_reduced``).

The decoders accept any of the escapings, since each one is a valid percent-encoding of the
same text. Decoded scalars are always ``str``: the wire carries no types, so the caller converts
numbers itself.

This module is our side of the wire only; the sandbox has its own implementation on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote

__all__ = [
    "REQUEST_URN_PREFIX",
    "build_query",
    "decode_path_key",
    "decode_query",
    "decode_query_value",
    "decode_reduced",
    "encode_list",
    "encode_path_key",
    "encode_query_value",
    "encode_record",
    "encode_reduced",
    "request_urn",
    "split_request_urn",
]

REQUEST_URN_PREFIX = "urn:li:recommendationRequest:"

# The reduced form escapes only what would be mistaken for structure, plus "%" so the
# escaping stays reversible.
_REDUCED_TABLE = str.maketrans({c: f"%{ord(c):02X}" for c in "%,()':"})

_EMPTY = "''"


def _escape_query(text: str) -> str:
    return quote(text, safe="")


def _escape_reduced(text: str) -> str:
    return text.translate(_REDUCED_TABLE)


def _encode(value: Any, escape: Any) -> str:
    # bool before int: True is an int in Python, but Rest.li spells it "true".
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return escape(value) if value else _EMPTY
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return escape(repr(value))
    if isinstance(value, Mapping):
        items = ",".join(
            f"{_encode(str(k), escape)}:{_encode(v, escape)}" for k, v in value.items()
        )
        return f"({items})"
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return "List(" + ",".join(_encode(v, escape) for v in value) + ")"
    raise TypeError(f"cannot Rest.li-encode a value of type {type(value).__name__}")


def encode_path_key(value: str) -> str:
    """Percent-encode a whole resource key for the URL path, ``: ( ) ,`` included."""
    return quote(value, safe="")


def decode_path_key(value: str) -> str:
    """Inverse of ``encode_path_key``."""
    return unquote(value)


def encode_query_value(value: Any) -> str:
    """Encode one query parameter value: a scalar, a list or a record (dict)."""
    return _encode(value, _escape_query)


def encode_list(values: Sequence[Any]) -> str:
    """Encode a list for a query string: ``List(a,b)`` with each item percent-encoded."""
    return "List(" + ",".join(encode_query_value(v) for v in values) + ")"


def encode_record(record: Mapping[str, Any]) -> str:
    """Encode a record for a query string: ``(k1:v1,k2:v2)``."""
    return encode_query_value(dict(record))


def build_query(params: Mapping[str, Any]) -> str:
    """Build a Rest.li 2.0 query string from ``params`` in their given order.

    Values may be str, int, bool, lists/tuples (sent as ``List(...)``) or dicts (records).
    A None value leaves the parameter out.
    """
    return "&".join(
        f"{quote(name, safe='')}={encode_query_value(value)}"
        for name, value in params.items()
        if value is not None
    )


def encode_reduced(value: Any) -> str:
    """Encode a value in the reduced form used in headers and response map keys."""
    return _encode(value, _escape_reduced)


class _Parser:
    """Recursive-descent parser for the Rest.li 2.0 value grammar."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, why: str) -> ValueError:
        return ValueError(f"malformed Rest.li value {self.text!r} at {self.pos}: {why}")

    def value(self, stops: str) -> Any:
        text, pos = self.text, self.pos
        if text.startswith("List(", pos):
            self.pos += 5
            return self.list_items()
        if text.startswith("(", pos):
            self.pos += 1
            return self.record_items()
        return self.scalar(stops)

    def scalar(self, stops: str) -> str:
        text, start = self.text, self.pos
        end = start
        while end < len(text) and text[end] not in stops:
            end += 1
        raw = text[start:end]
        self.pos = end
        if raw == _EMPTY:
            return ""
        if not raw:
            raise self.fail("empty value (the empty string is written '')")
        bad = next((c for c in raw if c in "(),:'"), None)
        if bad is not None:
            raise self.fail(f"unescaped {bad!r} inside a value")
        return unquote(raw)

    def list_items(self) -> list[Any]:
        items: list[Any] = []
        if self.peek() == ")":
            self.pos += 1
            return items
        while True:
            items.append(self.value(",)"))
            sep = self.take()
            if sep == ")":
                return items
            if sep != ",":
                raise self.fail("expected ',' or ')' in a list")

    def record_items(self) -> dict[str, Any]:
        record: dict[str, Any] = {}
        if self.peek() == ")":
            self.pos += 1
            return record
        while True:
            key = self.scalar(":,)")
            if self.take() != ":":
                raise self.fail("expected ':' after a record key")
            record[key] = self.value(",)")
            sep = self.take()
            if sep == ")":
                return record
            if sep != ",":
                raise self.fail("expected ',' or ')' in a record")

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def take(self) -> str:
        char = self.peek()
        self.pos += 1
        return char


def decode_query_value(text: str) -> Any:
    """Parse one Rest.li 2.0 value: ``List(...)`` to a list, ``(k:v)`` to a dict, else a str.

    A bare scalar is simply percent-decoded, so a value written unescaped by a lenient client
    (``urn:li:contract:1``) still reads back as itself. Inside lists and records the grammar is
    strict and a malformed value raises ValueError.
    """
    if text == _EMPTY:
        return ""
    if text.startswith("List(") or text.startswith("("):
        parser = _Parser(text)
        value = parser.value("")
        if parser.pos != len(text):
            raise parser.fail("trailing characters")
        return value
    return unquote(text)


def decode_reduced(text: str) -> Any:
    """Decode a header value or response map key in the reduced form.

    LinkedIn sends ``X-RestLi-Id`` both literally
    (``urn:li:recommendationRequest:(urn:li:person:123ABC,123456)``, as in the docs) and escaped;
    both decode to the same URN. Percent-decoding is a no-op on the literal form, which is why
    a bare scalar is read leniently.
    """
    return decode_query_value(text)


def decode_query(query: str) -> dict[str, Any]:
    """Parse a whole Rest.li 2.0 query string into ``{name: decoded value}``."""
    params: dict[str, Any] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, _, raw = part.partition("=")
        params[unquote(name)] = decode_query_value(raw)
    return params


_ID_RE = re.compile(r"[0-9]+")


def request_urn(requester_urn: str, request_id: int | str) -> str:
    """Build ``urn:li:recommendationRequest:(<requester person URN>,<request id>)``."""
    if not requester_urn:
        raise ValueError("requester URN is empty")
    if isinstance(request_id, bool) or not _ID_RE.fullmatch(str(request_id)):
        raise ValueError(
            f"recommendation request id must be a non-negative integer: {request_id!r}"
        )
    return f"{REQUEST_URN_PREFIX}({requester_urn},{int(request_id)})"


def split_request_urn(urn: str) -> tuple[str, int]:
    """Split a recommendation request URN into (requester URN, request id).

    The id is the part after the last comma, so a requester URN that itself holds commas
    still splits correctly. Raise ValueError on anything else.
    """
    if (
        not isinstance(urn, str)
        or not urn.startswith(REQUEST_URN_PREFIX + "(")
        or not urn.endswith(")")
    ):
        raise ValueError(f"not a recommendation request URN: {urn!r}")
    inner = urn[len(REQUEST_URN_PREFIX) + 1 : -1]
    requester, sep, raw_id = inner.rpartition(",")
    if not sep or not requester or not _ID_RE.fullmatch(raw_id):
        raise ValueError(f"not a recommendation request URN: {urn!r}")
    return requester, int(raw_id)
