"""Request bodies: decoded strictly, and when they are wrong, every problem listed at once.

msgspec (Litestar's decoder) stops at the first problem; the contract wants 422 with all of
them.  `check_body` decodes the body against the handler's Struct: the fast path is one strict
msgspec decode; only a body that fails is walked field by field to collect every fault.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

import msgspec

from ruby_wallet.errors import invalid

_AT = re.compile(r" - at `\$(.*)`$")


def _problem(path: str, exc: msgspec.ValidationError | msgspec.DecodeError) -> dict[str, str]:
    message = str(exc)
    m = _AT.search(message)
    if m:
        message = message[: m.start()]
        path = path + m.group(1).replace("$", "")
    return {"path": path, "message": message}


def collect_problems(struct_type: type[msgspec.Struct], obj: Any) -> list[dict[str, str]]:
    """Every problem of `obj` (decoded JSON) against `struct_type`, with paths."""
    if not isinstance(obj, dict):
        return [{"path": "", "message": "the body must be a JSON object"}]
    problems = []
    known = set()
    for field in msgspec.structs.fields(struct_type):
        known.add(field.encode_name)
        if field.encode_name not in obj:
            if field.required:
                problems.append({"path": field.encode_name, "message": "is required"})
            continue
        try:
            msgspec.convert(obj[field.encode_name], field.type, strict=True)
        except msgspec.ValidationError as exc:
            problems.append(_problem(field.encode_name, exc))
    problems.extend({"path": key, "message": "is not a field of this request"} for key in obj if key not in known)
    if not problems:
        try:
            msgspec.convert(obj, struct_type, strict=True)
        except msgspec.ValidationError as exc:  # a rule across fields (__post_init__)
            problems.append(_problem("", exc))
    return problems


def _struct_of(body_type: Any) -> type[msgspec.Struct] | None:
    """The Struct of a body typed `S` or `S | None` (a body that may be left out), else None."""
    if typing.get_origin(body_type) in (typing.Union, types.UnionType):
        members = [t for t in typing.get_args(body_type) if t is not type(None)]
        body_type = members[0] if len(members) == 1 else None
    return body_type if isinstance(body_type, type) and issubclass(body_type, msgspec.Struct) else None


def check_body(body_type: Any, raw: bytes) -> Any:
    raw = raw.strip() or b"{}"  # an empty body is an empty object: every required field is reported
    try:
        return msgspec.json.decode(raw, type=body_type, strict=True)
    except (msgspec.ValidationError, msgspec.DecodeError) as typed_error:
        first_problem = typed_error
    try:
        obj = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise invalid([{"path": "", "message": "the body is not valid JSON"}]) from None
    struct_type = _struct_of(body_type)
    if struct_type is None:
        raise invalid([_problem("", first_problem)])
    raise invalid(collect_problems(struct_type, obj))
