"""Promotion credits and coupons (scope promotion), and their saga compensations: a reversal
never fails half-way and never takes a bucket below zero (SPEC §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath, JSONBody

from ruby_wallet.routes._common import (
    Amount,
    Code,
    Key,
    Multiplier,
    Odds,
    Reason,
    actor,
    answers,
    call,
    numeric,
    scopes,
)
from ruby_wallet.routes._fields import BucketType, Minor, RollingId

PROMOTION = scopes("promotion")

# A naive time would be read in the server's zone: require the offset.
Instant = Annotated[datetime, msgspec.Meta(tz=True, description="RFC 3339 date-time with offset")]


class NewCredit(msgspec.Struct, forbid_unknown_fields=True):
    credit_id: Key
    player_id: Key
    kind: Literal["REBATE", "CASHBACK", "LOSSBACK", "EVENT"]
    amount: Amount
    bucket_type: Code = "POINTS"
    rolling_multiplier: Multiplier = 0


class CreditReversal(msgspec.Struct, forbid_unknown_fields=True):
    reversal_id: Key
    reason: Reason | None = None


class NewCoupon(msgspec.Struct, forbid_unknown_fields=True):
    coupon_id: Key
    player_id: Key
    amount: Amount
    provider_types: Annotated[list[Code], msgspec.Meta(min_length=1, max_length=32)]
    min_odds: Odds | None = None
    max_stake: Amount | None = None
    expires_at: Instant | None = None
    stake_returned: bool = False
    winnings_bucket_type: Code | None = None
    rolling_multiplier: Multiplier = 0


class CouponReversal(msgspec.Struct, forbid_unknown_fields=True):
    reversal_id: Key
    reason: Reason


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class PromotionCredited(msgspec.Struct, kw_only=True):
    credit_id: str
    kind: Literal["REBATE", "CASHBACK", "LOSSBACK", "EVENT"]
    amount: Minor
    bucket_type: BucketType
    balance_after: Annotated[int, msgspec.Meta(description="the bucket's balance after the credit, minor units")]
    rolling_id: Annotated[RollingId | None, msgspec.Meta(description="null without a rolling multiplier")]


class PromotionReversed(msgspec.Struct, kw_only=True):
    credit_id: str
    reversed: Annotated[Minor, msgspec.Meta(description="taken back from the bucket, minor units")]
    unrecovered: Annotated[
        Minor, msgspec.Meta(description="the rest of the credit, already spent or moved, minor units")
    ]
    bucket_type: BucketType
    status: Literal["REVERSED"]


class CouponGranted(msgspec.Struct, kw_only=True):
    coupon_id: str
    remaining: Minor
    status: Literal["ACTIVE"]
    rolling_id: Annotated[RollingId | None, msgspec.Meta(description="null without a rolling multiplier")]


class CouponReversed(msgspec.Struct, kw_only=True):
    coupon_id: str
    reversed: Annotated[Minor, msgspec.Meta(description="what remained of the coupon, taken back, minor units")]
    consumed: Annotated[Minor, msgspec.Meta(description="what bets had already used, minor units")]
    status: Literal["REVERSED"]


@post(
    "/v1/promotions/credits",
    opt=PROMOTION,
    tags=["promotions"],
    responses=answers(201, PromotionCredited, "The credit applied (or the stored answer of its id)"),
    summary="Credit a rebate, cashback, lossback or event reward (POINTS by default), optionally with rolling",
)
async def promotion_credit(request: Request, data: JSONBody[NewCredit]) -> Response:
    return await call(
        request,
        "promotion_credit",
        201,
        credit_id=data.credit_id,
        player_id=data.player_id,
        kind=data.kind,
        amount=data.amount,
        bucket_type=data.bucket_type,
        rolling_multiplier=data.rolling_multiplier,
        actor=actor(request),
    )


@post(
    "/v1/promotions/credits/{credit_id:str}/reverse",
    opt=PROMOTION,
    tags=["promotions"],
    status_code=200,
    responses=answers(200, PromotionReversed, "The credit reversed (or the first reversal's answer)"),
    summary="Take a credit back, as far as its bucket still holds it; the rest is reported unrecovered",
)
async def promotion_reverse(request: Request, credit_id: FromPath[str], data: JSONBody[CreditReversal]) -> Response:
    return await call(
        request,
        "promotion_reverse",
        credit_id=credit_id,
        reversal_id=data.reversal_id,
        reason=data.reason,
        actor=actor(request),
    )


@post(
    "/v1/coupons",
    opt=PROMOTION,
    tags=["promotions"],
    responses=answers(201, CouponGranted, "The coupon granted (or the stored answer of its id)"),
    summary="Grant a coupon: a scoped amount bets can use (stake_returned false makes it a free bet)",
)
async def coupon_grant(request: Request, data: JSONBody[NewCoupon]) -> Response:
    return await call(
        request,
        "coupon_grant",
        201,
        coupon_id=data.coupon_id,
        player_id=data.player_id,
        amount=data.amount,
        provider_types=data.provider_types,
        min_odds=numeric(data.min_odds),
        max_stake=data.max_stake,
        expires_at=data.expires_at,
        stake_returned=data.stake_returned,
        winnings_bucket_type=data.winnings_bucket_type,
        rolling_multiplier=data.rolling_multiplier,
        actor=actor(request),
    )


@post(
    "/v1/coupons/{coupon_id:str}/reverse",
    opt=PROMOTION,
    tags=["promotions"],
    status_code=200,
    responses=answers(200, CouponReversed, "The coupon reversed (or the first reversal's answer)"),
    summary="Reverse a coupon grant: what remains goes back; reports what was consumed",
)
async def coupon_reverse(request: Request, coupon_id: FromPath[str], data: JSONBody[CouponReversal]) -> Response:
    return await call(
        request,
        "coupon_reverse",
        coupon_id=coupon_id,
        reversal_id=data.reversal_id,
        reason=data.reason,
        actor=actor(request),
    )


ROUTES = [promotion_credit, promotion_reverse, coupon_grant, coupon_reverse]
