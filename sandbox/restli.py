"""Rest.li protocol 2.0 parsing, written for the server side of the wire.

This module deliberately shares nothing with the project's client (`linkedin/`): if both sides
used one encoder, a bug in it would be invisible in every test. It is strict where Rest.li 2.0
is strict, so a client that forgets to percent-encode a URN gets the same 400 it would get from
LinkedIn rather than a silent success.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

# Characters that carry structure in Rest.li 2.0 values; inside a value they must be escaped.
RESERVED = frozenset("(),:'")

_RESERVED_RE = re.compile(r"[(),:']")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

RestliValue = str | list[Any] | dict[str, Any]


class RestliSyntaxError(ValueError):
    """The query string or a path key is not valid Rest.li 2.0."""


def decode_literal(raw: str) -> str:
    """Percent-decode one leaf value, refusing broken escapes and invalid UTF-8."""
    if "%" not in raw:
        return raw
    if _BAD_PERCENT.search(raw):
        raise RestliSyntaxError(f"invalid percent-encoding in {raw!r}")
    try:
        return unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise RestliSyntaxError(f"invalid UTF-8 in {raw!r}") from exc


def parse_query(query: str) -> dict[str, RestliValue]:
    """Parse a whole 2.0 query string into names and structured values.

    A repeated name is refused: protocol 1.0 spelled arrays as `a=1&a=2`, protocol 2.0 spells
    them `a=List(1,2)`, and accepting both would hide a client that mixes the two.
    """
    params: dict[str, RestliValue] = {}
    if not query:
        return params
    for part in query.split("&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition("=")
        name = decode_literal(raw_name)
        if not name:
            raise RestliSyntaxError(f"empty parameter name in {part!r}")
        if name in params:
            raise RestliSyntaxError(f"parameter {name!r} is repeated; use List(...) in 2.0")
        params[name] = parse_value(raw_value)
    return params


def parse_value(raw: str) -> RestliValue:
    """Parse one (still percent-encoded) 2.0 value: a literal, List(...) or a record (...)."""
    value, end = _parse_at(raw, 0)
    if end != len(raw):
        raise RestliSyntaxError(f"unexpected {raw[end]!r} at position {end} in {raw!r}")
    return value


def _parse_at(raw: str, pos: int) -> tuple[RestliValue, int]:
    if raw.startswith("List(", pos):
        return _parse_list(raw, pos + 5)
    if raw.startswith("(", pos):
        return _parse_record(raw, pos + 1)
    if raw.startswith("''", pos):
        # The only legal use of a quote: the empty string.
        return "", pos + 2
    return _parse_literal(raw, pos)


def _parse_item(raw: str, pos: int) -> tuple[RestliValue, int]:
    """An item inside List(...) or a record: an empty one must be spelled ''."""
    value, end = _parse_at(raw, pos)
    if end == pos:
        raise RestliSyntaxError(f"empty item at position {pos} in {raw!r}; write ''")
    return value, end


def _parse_literal(raw: str, pos: int) -> tuple[str, int]:
    match = _RESERVED_RE.search(raw, pos)
    end = match.start() if match else len(raw)
    return decode_literal(raw[pos:end]), end


def _parse_list(raw: str, pos: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    if raw.startswith(")", pos):
        return items, pos + 1
    while True:
        item, pos = _parse_item(raw, pos)
        items.append(item)
        pos = _expect_separator(raw, pos, "List")
        if raw[pos - 1] == ")":
            return items, pos


def _parse_record(raw: str, pos: int) -> tuple[dict[str, Any], int]:
    record: dict[str, Any] = {}
    if raw.startswith(")", pos):
        return record, pos + 1
    while True:
        key, pos = _parse_literal(raw, pos)
        if not raw.startswith(":", pos) or not key:
            raise RestliSyntaxError(f"expected 'key:value' in record at position {pos}")
        record[key], pos = _parse_item(raw, pos + 1)
        pos = _expect_separator(raw, pos, "record")
        if raw[pos - 1] == ")":
            return record, pos


def _expect_separator(raw: str, pos: int, what: str) -> int:
    """Step over the ',' or ')' that must follow an item; return the position after it."""
    if pos >= len(raw):
        raise RestliSyntaxError(f"unterminated {what} in {raw!r}")
    if raw[pos] not in ",)":
        raise RestliSyntaxError(f"unexpected {raw[pos]!r} at position {pos} in {raw!r}")
    return pos + 1


def decode_path_key(raw: str) -> str:
    """Decode a path key: in 2.0 the *whole* key is percent-encoded, reserved characters too.

    A literal ':' or '(' in the path means the client sent the 1.0 or "pretty" form, which
    LinkedIn refuses under the 2.0 header.
    """
    literal = next((c for c in raw if c in RESERVED), None)
    if literal is not None:
        raise RestliSyntaxError(
            f"path key {raw!r} contains a literal {literal!r}; percent-encode the whole key"
        )
    return decode_literal(raw)


def as_list(value: RestliValue, name: str) -> list[str]:
    """A list parameter of strings. A single bare value counts as a one-item list.

    LinkedIn's own sample next link writes a single owner without List(...), so accept it.
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise RestliSyntaxError(f"parameter {name!r} must be List(...) of strings")


def as_string(value: RestliValue, name: str) -> str:
    if not isinstance(value, str):
        raise RestliSyntaxError(f"parameter {name!r} must be a single value, not a structure")
    return value


def as_int(value: RestliValue, name: str, minimum: int | None = None) -> int:
    text = as_string(value, name)
    if not re.fullmatch(r"-?\d{1,19}", text):
        raise RestliSyntaxError(f"parameter {name!r} must be an integer, got {text!r}")
    number = int(text)
    if minimum is not None and number < minimum:
        raise RestliSyntaxError(f"parameter {name!r} must be >= {minimum}, got {number}")
    return number
