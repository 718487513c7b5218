"""Strict request bodies (API.md, Conventions): a body two parsers could read differently is
refused before any decoding that could disagree with a proxy or a logger in front of the wallet.

- Declared content type: `application/json` (parameters such as `charset=utf-8` allowed) or
  none at all; anything else is 415 UNSUPPORTED_MEDIA_TYPE.
- Size: at most MAX_BODY_BYTES (1 MiB); Litestar's `request_max_body_size` refuses a larger
  announced Content-Length before reading and stops reading a streamed body as soon as it
  passes the limit (413 PAYLOAD_TOO_LARGE), so no unbounded body is ever held in memory.
- Shape: JSON nested deeper than MAX_DEPTH (32) levels, or an object with the same key twice
  (after unescaping: `"a"` and `"\\u0061"` are the same key), is 422 VALIDATION_FAILED.

`check_json_shape` is pure and cheap: a body with at most MAX_DEPTH brackets cannot be too deep
and is not scanned; duplicate keys are found by the standard library's C parser with a pairs
hook, which only runs once the depth is known to be safe (deep nesting would otherwise exhaust
the interpreter's recursion limit).
"""

from __future__ import annotations

import itertools
import json
import re

from ruby_wallet.errors import WalletError, invalid

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 32

# A JSON string with its escapes: taken out before the brackets are counted, so a bracket inside
# a string never counts.  Every byte but the four brackets (what bytes.translate deletes), and
# what each bracket does to the depth.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def check_content_type(header: str | None) -> None:
    """415 unless the declared content type is application/json, or none is declared."""
    if header is None or not header.strip():
        return
    media_type = header.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise WalletError(
            "UNSUPPORTED_MEDIA_TYPE",
            f"bodies are application/json (or sent without a content type), not {media_type[:100]!r}",
        )


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in `raw` (0 for a scalar).  Not a validator:
    brackets are only counted outside strings, and the parser reports malformed text later.
    Each step is one pass in C (a loop over the tokens in Python was about 15% of the server's
    CPU for a 100-item batch, py-spy 2026-12-03)."""
    openers = raw.count(b"[") + raw.count(b"{")
    if openers <= MAX_DEPTH:
        return openers  # a bound, not the depth: never deeper than the number of openers
    brackets = _outside_strings(raw).translate(None, _NOT_BRACKETS)
    return max(0, max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0))


def _outside_strings(raw: bytes) -> bytes:
    """`raw` without its JSON strings.  Without a backslash no string holds a quote, so the
    strings are what lies between a quote and the next one (a quote that opens none is passed,
    and what follows it is kept, as the pattern keeps it)."""
    if b"\\" in raw:
        return _STRING.sub(b"", raw)
    parts = raw.split(b'"')
    outside = parts[0::2]
    if len(parts) % 2 == 0:
        outside.append(parts[-1])
    return b"".join(outside)


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _pairs_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def _flat_object_keys_unique(raw: bytes) -> bool:
    """True when `raw` holds one object only (one `{`, no backslash) whose keys are all different:
    what most command bodies are, told without parsing.  Without a backslash the strings are the
    text between one quote and the next, and a string is a key exactly when what follows it
    starts with `:`.  False means "look closer", never "duplicate": the parser then decides."""
    if raw.count(b"{") != 1 or b"\\" in raw:
        return False
    parts = raw.split(b'"')
    keys = [parts[i] for i in range(1, len(parts) - 1, 2) if parts[i + 1].lstrip().startswith(b":")]
    return len(keys) == len(set(keys))


def check_json_shape(raw: bytes) -> None:
    """422 VALIDATION_FAILED for a body nested deeper than MAX_DEPTH or with a duplicate key.
    Text that is not JSON at all passes: the typed decoder that follows reports it."""
    depth = json_depth(raw)
    if depth > MAX_DEPTH:
        raise invalid([{"path": "", "message": f"the body is nested deeper than {MAX_DEPTH} levels"}])
    if b"{" not in raw:
        return  # no object, so no key at all
    if _flat_object_keys_unique(raw):
        return
    try:
        # surrogateescape: bytes that are not UTF-8 stay distinct (the strict decoder refuses them
        # later), so two keys differing only there are not taken for one.
        json.loads(raw.decode("utf-8", "surrogateescape"), object_pairs_hook=_pairs_without_duplicates)
    except _DuplicateKey as dup:
        raise invalid(
            [{"path": "", "message": f"the key {dup.key[:100]!r} appears twice in one object of the body"}]
        ) from None
    except (ValueError, RecursionError):
        return  # not JSON (or not JSON this parser reads): the strict decoder answers it
