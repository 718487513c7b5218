"""Deposits and withdrawals (scope payments).  Repeats of a decision follow SPEC §5: the same
decision again answers the stored one, the opposite one is 409 INVALID_STATE."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from ruby_wallet.routes._common import Amount, Code, Key, Reason, actor, answers, call, scopes
from ruby_wallet.routes._fields import BucketAmount, BucketType, Minor, RollingId

PAYMENTS = scopes("payments")


class NewDeposit(msgspec.Struct, forbid_unknown_fields=True):
    deposit_id: Key
    player_id: Key
    amount: Amount
    bucket_type: Code
    auto_approve: bool = False


class NewWithdrawal(msgspec.Struct, forbid_unknown_fields=True):
    withdrawal_id: Key
    player_id: Key
    amount: Amount


class NoFields(msgspec.Struct, forbid_unknown_fields=True):
    """The body of approve and complete: `{}` or none.  Declared so that a body with fields is
    refused (422) instead of silently ignored."""


class Rejection(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class DepositRecorded(msgspec.Struct, kw_only=True):
    """PENDING, or APPROVED at once with auto_approve (then with balance_after and rolling_id)."""

    deposit_id: str
    status: Literal["PENDING", "APPROVED"]
    amount: Minor
    bucket_type: BucketType
    balance_after: Annotated[
        int | UnsetType, msgspec.Meta(description="APPROVED only: the bucket's balance after the credit, minor units")
    ] = UNSET
    rolling_id: Annotated[
        RollingId | None | UnsetType,
        msgspec.Meta(
            description="APPROVED only: the deposit's rolling obligation (null for a bucket of no wallet group)"
        ),
    ] = UNSET


class DepositApproved(msgspec.Struct, kw_only=True):
    deposit_id: str
    status: Literal["APPROVED"]
    amount: Minor
    bucket_type: BucketType
    balance_after: Annotated[int, msgspec.Meta(description="the bucket's balance after the credit, minor units")]
    rolling_id: Annotated[
        RollingId | None,
        msgspec.Meta(description="the deposit's rolling obligation (null for a bucket of no wallet group)"),
    ]


class DepositRejected(msgspec.Struct, kw_only=True):
    deposit_id: str
    status: Literal["REJECTED"]
    reason: str


class WithdrawalCreated(msgspec.Struct, kw_only=True):
    withdrawal_id: str
    status: Literal["PENDING"]
    amount: Minor
    sources: Annotated[
        list[BucketAmount], msgspec.Meta(description="the withdrawable buckets the amount was taken from, held")
    ]


class WithdrawalPaid(msgspec.Struct, kw_only=True):
    withdrawal_id: str
    status: Literal["PAID"]
    amount: Minor


class WithdrawalRejected(msgspec.Struct, kw_only=True):
    withdrawal_id: str
    status: Literal["REJECTED"]
    amount: Minor
    refunded: Annotated[list[BucketAmount], msgspec.Meta(description="each source's money given back")]
    reason: str


@post(
    "/v1/deposits",
    opt=PAYMENTS,
    tags=["payments"],
    responses=answers(201, DepositRecorded, "The deposit recorded (or the stored answer of its id)"),
    summary="Record a deposit (PENDING), or approve it at once with auto_approve",
)
async def deposit_create(request: Request, data: JSONBody[NewDeposit]) -> Response:
    return await call(
        request,
        "deposit_create",
        201,
        deposit_id=data.deposit_id,
        player_id=data.player_id,
        amount=data.amount,
        bucket_type=data.bucket_type,
        auto_approve=data.auto_approve,
        actor=actor(request),
    )


@post(
    "/v1/deposits/{deposit_id:str}/approve",
    opt=PAYMENTS,
    tags=["payments"],
    status_code=200,
    responses=answers(200, DepositApproved, "The deposit approved (again: the stored decision)"),
    summary="Approve a pending deposit: credits its bucket and opens the deposit rolling obligation",
)
async def deposit_approve(
    request: Request, deposit_id: FromPath[str], data: JSONBody[NoFields | None] = None
) -> Response:
    return await call(request, "deposit_approve", deposit_id=deposit_id, actor=actor(request))


@post(
    "/v1/deposits/{deposit_id:str}/reject",
    opt=PAYMENTS,
    tags=["payments"],
    status_code=200,
    responses=answers(200, DepositRejected, "The deposit rejected (again: the stored decision)"),
    summary="Reject a pending deposit (no money moves)",
)
async def deposit_reject(request: Request, deposit_id: FromPath[str], data: JSONBody[Rejection]) -> Response:
    return await call(request, "deposit_reject", deposit_id=deposit_id, reason=data.reason, actor=actor(request))


@post(
    "/v1/withdrawals",
    opt=PAYMENTS,
    tags=["payments"],
    responses=answers(201, WithdrawalCreated, "The withdrawal pending, its money held"),
    summary="Take withdrawable money into a pending withdrawal (409 INSUFFICIENT_FUNDS carries what is withdrawable)",
)
async def withdrawal_create(request: Request, data: JSONBody[NewWithdrawal]) -> Response:
    return await call(
        request,
        "withdrawal_create",
        201,
        withdrawal_id=data.withdrawal_id,
        player_id=data.player_id,
        amount=data.amount,
        actor=actor(request),
    )


@post(
    "/v1/withdrawals/{withdrawal_id:str}/complete",
    opt=PAYMENTS,
    tags=["payments"],
    status_code=200,
    responses=answers(200, WithdrawalPaid, "The withdrawal paid (again: the stored decision)"),
    summary="Mark a pending withdrawal paid out",
)
async def withdrawal_complete(
    request: Request, withdrawal_id: FromPath[str], data: JSONBody[NoFields | None] = None
) -> Response:
    return await call(request, "withdrawal_complete", withdrawal_id=withdrawal_id, actor=actor(request))


@post(
    "/v1/withdrawals/{withdrawal_id:str}/reject",
    opt=PAYMENTS,
    tags=["payments"],
    status_code=200,
    responses=answers(200, WithdrawalRejected, "The withdrawal rejected and refunded (again: the stored decision)"),
    summary="Reject a pending withdrawal: each source gets its money back exactly",
)
async def withdrawal_reject(request: Request, withdrawal_id: FromPath[str], data: JSONBody[Rejection]) -> Response:
    return await call(
        request, "withdrawal_reject", withdrawal_id=withdrawal_id, reason=data.reason, actor=actor(request)
    )


ROUTES = [deposit_create, deposit_approve, deposit_reject, withdrawal_create, withdrawal_complete, withdrawal_reject]
