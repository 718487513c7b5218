"""Admin routes: adjustments and account status (topology and policy live in their own module)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath, JSONBody

from ruby_wallet.routes._common import Code, Key, Reason, SignedAmount, actor, answers, call, scopes
from ruby_wallet.routes._fields import AccountStatusValue, BucketType, SignedMinor


class Adjustment(msgspec.Struct, forbid_unknown_fields=True):
    adjustment_id: Key
    player_id: Key
    bucket_type: Code
    amount: SignedAmount
    reason: Reason


class AccountStatus(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["active", "frozen", "closed"]
    reason: Reason


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class AccountStatusChanged(msgspec.Struct, kw_only=True):
    player_id: str
    status: Annotated[AccountStatusValue, msgspec.Meta(description="the account's status now")]


class AdjustmentApplied(msgspec.Struct, kw_only=True):
    adjustment_id: str
    player_id: str
    bucket_type: BucketType
    amount: SignedMinor
    balance_after: Annotated[int, msgspec.Meta(description="the bucket's balance after the adjustment, minor units")]
    txn_id: Annotated[int, msgspec.Meta(description="the ledger transaction (per account)")]


@post(
    "/v1/admin/adjustments",
    opt=scopes("admin"),
    tags=["admin"],
    responses=answers(201, AdjustmentApplied, "The adjustment applied (or the stored answer of its id)"),
    summary="Credit (amount > 0) or debit (amount < 0) one bucket, audited; never below zero",
)
async def adjust(request: Request, data: JSONBody[Adjustment]) -> Response:
    return await call(
        request,
        "admin_adjust",
        201,
        adjustment_id=data.adjustment_id,
        player_id=data.player_id,
        bucket_type=data.bucket_type,
        amount=data.amount,
        reason=data.reason,
        actor=actor(request),
    )


@post(
    "/v1/admin/accounts/{player_id:str}/status",
    opt=scopes("admin"),
    tags=["admin"],
    status_code=200,
    responses=answers(200, AccountStatusChanged, "The account's status now"),
    summary="Freeze, unfreeze or close an account, audited",
)
async def set_status(request: Request, player_id: FromPath[str], data: JSONBody[AccountStatus]) -> Response:
    return await call(
        request, "account_set_status", player_id=player_id, status=data.status, reason=data.reason, actor=actor(request)
    )
