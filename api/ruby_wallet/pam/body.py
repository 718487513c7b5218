"""Reading addTransaction bodies: strict JSON, exact numbers, every rule of the schema.

The body is parsed by the standard library with floats as Decimal (a JSON number keeps every
digit it was sent with), NaN/Infinity refused and a key repeated in one object refused (a body
two parsers could read differently is not money the wallet takes), then converted to the
contract's Struct by msgspec in strict mode (types, lengths, patterns, enums, required fields).
Anything wrong is a BadBody, which the adapter answers HTTP 400 PAM_ERR_UNDEFINED.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from ruby_wallet.pam.model import dec_hook

MAX_BODY_BYTES = 1 << 20
MAX_DEPTH = 32

T = TypeVar("T", bound=msgspec.Struct)


class BadBody(ValueError):
    """The body breaks the contract; the message says where."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise BadBody(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found


def _refuse_constant(name: str) -> Any:
    raise BadBody(f"{name} is not a JSON number")


def _depth(node: Any, level: int = 1) -> int:
    """How deep the value nests; strings holding a NUL (which PostgreSQL text cannot hold) are refused."""
    if level > MAX_DEPTH:
        return level
    if isinstance(node, str):
        if "\x00" in node:
            raise BadBody("a string holds a NUL character")
        return level
    if isinstance(node, dict):
        for key in node:
            _depth(key, level)
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return max((_depth(child, level + 1) for child in children), default=level)


def parse_json(raw: bytes) -> Any:
    """The JSON value of `raw`, numbers exact (int or Decimal).  Raises BadBody."""
    if len(raw) > MAX_BODY_BYTES:
        raise BadBody(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("the body is not UTF-8") from None
    if not text.strip():
        raise BadBody("the body is empty")
    try:
        value = json.loads(
            text, object_pairs_hook=_no_repeated_keys, parse_float=Decimal, parse_constant=_refuse_constant
        )
    except BadBody:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, an integer past Python's digit limit
        raise BadBody(f"the body is not valid JSON: {exc}") from None
    if _depth(value) > MAX_DEPTH:
        raise BadBody(f"the body is nested deeper than {MAX_DEPTH} levels")
    return value


def decode(raw: bytes, type_: type[T]) -> T:
    """`raw` as the contract's `type_`, every field checked.  Raises BadBody."""
    value = parse_json(raw)
    if not isinstance(value, dict):
        raise BadBody("the body must be a JSON object")
    try:
        return msgspec.convert(value, type_, strict=True, dec_hook=dec_hook)
    except msgspec.ValidationError as exc:
        raise BadBody(str(exc)) from None
