"""What every route shares: scopes, the call of one wallet function, and field types."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.openapi import ResponseSpec

from ruby_wallet.errors import WalletError

# Per-command ceiling on amounts (minor units): keeps every sum far below bigint overflow.
MAX_AMOUNT = 10**15

Amount = Annotated[int, msgspec.Meta(ge=1, le=MAX_AMOUNT, description="minor units, > 0")]
SignedAmount = Annotated[int, msgspec.Meta(ge=-MAX_AMOUNT, le=MAX_AMOUNT, description="minor units, signed, non-zero")]
NonNegativeAmount = Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT, description="minor units, >= 0")]
# A caller id or key (SPEC §2): 1-128 printable ASCII characters other than `/`, and not `.`
# or `..`, so it comes back through a URL path segment unchanged.  The same rule as
# wallet._key_ok in the database (procedures/core/rules.sql), which spells it without the
# lookahead (slow in PostgreSQL's regex engine) from the same characters and limit;
# tests/sql/test_key_rule.py proves both accept exactly the same ids.
KEY_CHARS = "[!-.0-~]"
KEY_MAX_LENGTH = 128
KEY_PATTERN = rf"^(?!\.\.?$){KEY_CHARS}{{1,{KEY_MAX_LENGTH}}}$"
Key = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=KEY_MAX_LENGTH,
        pattern=KEY_PATTERN,
        description="caller's id or idempotency key: 1-128 printable ASCII characters other than /, not . or ..",
    ),
]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="a code of the active topology")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
Multiplier = Annotated[
    int, msgspec.Meta(ge=0, le=1000, description="rolling multiplier: required = amount x multiplier")
]

# Odds travel as a string ("1.85", exact) or a JSON number; strings like "NaN", "Infinity" or
# "1e3" and numbers out of range are refused here.  That odds are at least 1 is the database's rule.
_DecimalText = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]{1,9}(\.[0-9]{1,6})?$", description='decimal number as a string, e.g. "1.85"')
]
Odds = _DecimalText | Annotated[int, msgspec.Meta(ge=0, le=10**9)] | Annotated[float, msgspec.Meta(ge=0, le=10**9)]


def numeric(value: str | int | float | None) -> Decimal | None:
    """Odds as SQL numeric.  repr() of a float is the shortest text that reads back as it, so
    1.85 becomes Decimal("1.85") like "1.85" does (the idempotency hash sees the same value)."""
    if value is None:
        return None
    return Decimal(repr(value) if isinstance(value, float) else value)


def answers(status: int, body: type, description: str) -> dict[int, ResponseSpec]:
    """Handler `responses`: the success body the route's wallet function returns (documentation
    only: the route still answers the database's JSON untouched; see ruby_wallet.routes._fields)."""
    return {status: ResponseSpec(data_container=body, description=description, generate_examples=False)}


def scopes(*names: str) -> dict[str, Any]:
    """Handler opt: the API key scopes that may call the route (any one of them)."""
    return {"scopes": frozenset(names)}


class _JSONBody:
    """The ASGI answer of a JSON text sent as it is: a start with its two headers, then the body."""

    __slots__ = ("body", "status")

    def __init__(self, body: bytes, status: int):
        self.body = body
        self.status = status

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(self.body))],
            }
        )
        await send({"type": "http.response.body", "body": self.body})


class JSONAnswer(Response[bytes]):
    """JSON text the database wrote, answered as it came: the content is the body already, so
    nothing is rendered, and with no header, cookie or background task of the route's to add,
    the answer is sent by _JSONBody instead of Litestar's ASGIResponse, whose header objects
    were about 5% of a command's instructions in the API (docs/benchmarks.md, "Twelfth
    session").  The same two headers Litestar sends (content-type, content-length)."""

    def __init__(self, content: bytes, status_code: int = 200) -> None:
        super().__init__(content, status_code=status_code, media_type=MediaType.JSON)

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> Any:
        if any(kwargs.get(k) for k in ("background", "cookies", "encoded_headers", "headers", "is_head_response")) or (
            self.headers or self.cookies or self.background
        ):
            return super().to_asgi_response(app, request, **kwargs)
        return _JSONBody(self.content, self.status_code or 200)


def actor(request: Request) -> str:
    return request.state.principal.name


async def call(request: Request, query: str, status_code: int = 200, **params: Any) -> Response:
    """Run the named wallet statement and answer its JSON as it came from the database."""
    text = await request.app.state.db.call(query, **params)
    return JSONAnswer(text.encode(), status_code)


async def call_admin(request: Request, query: str, status_code: int = 200, **params: Any) -> Response:
    """Like `call`, for the audited admin functions, which return a refusal as
    {"refused": {"code", "message", …}} (so the audit row of the refused attempt commits):
    that becomes the problem response of its code."""
    text = await request.app.state.db.call(query, actor=actor(request), **params)
    if text.startswith('{"refused"'):
        refusal = json.loads(text)["refused"]
        code, message = refusal.pop("code"), refusal.pop("message")
        raise WalletError(code, message, refusal)
    return JSONAnswer(text.encode(), status_code)
