"""Transfers between a player's own buckets (scope player), along the active topology's edges."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, post
from litestar.params import JSONBody

from ruby_wallet import responses as R
from ruby_wallet.routes._common import Amount, Code, Key, actor, answers, call, scopes


class NewTransfer(msgspec.Struct, forbid_unknown_fields=True):
    transfer_id: Key
    player_id: Key
    from_: Code = msgspec.field(name="from")  # `from` is a Python keyword
    to: Code
    amount: Amount


@post(
    "/v1/transfers",
    opt=scopes("player"),
    tags=["transfers"],
    responses=answers(
        201, R.TransferCompleted, "The transfer done, with the rolling that moved (or the stored answer of its id)"
    ),
    summary="Move money along a transfer edge; rolling moves with it "
    "(409 TRANSFER_NOT_ALLOWED off the edges or their limits)",
)
async def transfer_create(request: Request, data: JSONBody[NewTransfer]) -> Response:
    return await call(
        request,
        "transfer_create",
        201,
        transfer_id=data.transfer_id,
        player_id=data.player_id,
        from_=data.from_,
        to=data.to,
        amount=data.amount,
        actor=actor(request),
    )


ROUTES = [transfer_create]
