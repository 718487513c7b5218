"""What every route shares: scopes, the call of one wallet function, and field types."""

from __future__ import annotations

import json
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.enums import MediaType

from ruby_wallet.errors import WalletError

# Per-command ceiling on amounts (minor units): keeps every sum far below bigint overflow.
MAX_AMOUNT = 10**15

Amount = Annotated[int, msgspec.Meta(ge=1, le=MAX_AMOUNT, description="minor units, > 0")]
SignedAmount = Annotated[int, msgspec.Meta(ge=-MAX_AMOUNT, le=MAX_AMOUNT, description="minor units, signed, non-zero")]
NonNegativeAmount = Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT, description="minor units, >= 0")]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[!-~]+$",
                                  description="caller's idempotency key or id: 1-128 printable characters")]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="a code of the active topology")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


def scopes(*names: str) -> dict[str, Any]:
    """Handler opt: the API key scopes that may call the route (any one of them)."""
    return {"scopes": frozenset(names)}


def actor(request: Request) -> str:
    return request.state.principal.name


async def call(request: Request, query: str, status_code: int = 200, **params: Any) -> Response:
    """Run the named wallet statement and answer its JSON as it came from the database."""
    text = await request.app.state.db.call(query, **params)
    return Response(content=text.encode(), status_code=status_code, media_type=MediaType.JSON)


async def call_admin(request: Request, query: str, status_code: int = 200, **params: Any) -> Response:
    """Like `call`, for the audited admin functions, which return a refusal as
    {"refused": {"code", "message", …}} (so the audit row of the refused attempt commits):
    that becomes the problem response of its code."""
    text = await request.app.state.db.call(query, actor=actor(request), **params)
    if text.startswith('{"refused"'):
        refusal = json.loads(text)["refused"]
        code, message = refusal.pop("code"), refusal.pop("message")
        raise WalletError(code, message, refusal)
    return Response(content=text.encode(), status_code=status_code, media_type=MediaType.JSON)
