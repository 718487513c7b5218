"""Transfers between a player's own buckets (scope player), along the active topology's edges."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, Response, post
from litestar.params import JSONBody

from ruby_wallet.routes._common import Amount, Code, Key, actor, answers, call, scopes
from ruby_wallet.routes._fields import BucketType, Minor, RollingId


class NewTransfer(msgspec.Struct, forbid_unknown_fields=True):
    transfer_id: Key
    player_id: Key
    from_: Code = msgspec.field(name="from")  # `from` is a Python keyword
    to: Code
    amount: Amount


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class RollingMoved(msgspec.Struct, kw_only=True):
    from_rolling_id: RollingId
    base_amount: Annotated[Minor, msgspec.Meta(description="locked money that moved with the transfer, minor units")]
    required: Annotated[Minor, msgspec.Meta(description="wagering requirement that moved, minor units")]


class TransferCompleted(msgspec.Struct, kw_only=True):
    transfer_id: str
    from_: BucketType = msgspec.field(name="from")
    to: BucketType
    debited: Annotated[Minor, msgspec.Meta(description="taken from `from`, minor units")]
    credited: Annotated[Minor, msgspec.Meta(description="put into `to` (after the edge's rate), minor units")]
    rolling_moved: Annotated[Minor, msgspec.Meta(description="total requirement inherited, minor units")]
    rolling: Annotated[list[RollingMoved], msgspec.Meta(description="each source obligation's share that moved")]
    inherited_rolling_id: Annotated[
        RollingId | None,
        msgspec.Meta(
            description="the obligation opened in the target group for what moved; null when nothing is inherited"
        ),
    ]
    arrival_rolling_id: Annotated[
        RollingId | None,
        msgspec.Meta(description="the obligation opened by the target group's arrival rolling; null when none"),
    ]


@post(
    "/v1/transfers",
    opt=scopes("player"),
    tags=["transfers"],
    responses=answers(
        201, TransferCompleted, "The transfer done, with the rolling that moved (or the stored answer of its id)"
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
