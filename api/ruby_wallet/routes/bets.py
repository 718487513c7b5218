"""Bets (scope game): authorize, settle, roll back.  The funding plan, settlement split and
rolling progress are all the database's (SPEC §4, §5a); these routes decode and pass through."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from ruby_wallet.routes._common import (
    Amount,
    Code,
    Key,
    NonNegativeAmount,
    Odds,
    Reason,
    actor,
    answers,
    call,
    numeric,
    scopes,
)
from ruby_wallet.routes._fields import BucketAmount, Minor, RollingId, TopologyVersion

GAME = scopes("game")

# A bucket type code or "coupon:<coupon_id>".
Source = Annotated[
    str, msgspec.Meta(min_length=1, max_length=7 + 128, description='a bucket type code or "coupon:<coupon_id>"')
]


class NewBet(msgspec.Struct, forbid_unknown_fields=True):
    bet_id: Key
    player_id: Key
    provider_type: Code
    provider_id: Key
    stake: Amount
    odds: Odds | None = None
    selected_source: Source | None = None


class Settlement(msgspec.Struct, forbid_unknown_fields=True):
    settlement_id: Key
    player_id: Key
    result: Literal["WIN", "LOSS", "VOID", "CASHOUT"]
    payout: NonNegativeAmount | None = None


class Rollback(msgspec.Struct, forbid_unknown_fields=True):
    rollback_id: Key
    player_id: Key
    reason: Reason | None = None


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class FundingLine(msgspec.Struct, kw_only=True):
    source: Annotated[str, msgspec.Meta(description='a bucket type code or "coupon:<coupon_id>"')]
    amount: Minor


class BetAuthorized(msgspec.Struct, kw_only=True):
    bet_id: str
    status: Literal["AUTHORIZED"]
    stake: Minor
    funding: Annotated[list[FundingLine], msgspec.Meta(description="where the stake was taken from, in policy order")]
    topology_version: TopologyVersion
    policy_version: Annotated[int, msgspec.Meta(description="the provider type's betting policy version used")]


class RollingProgress(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    progress: Annotated[Minor, msgspec.Meta(description="the obligation's progress now, minor units")]
    status: Annotated[Literal["ACTIVE", "COMPLETED"], msgspec.Meta(description="COMPLETED: met by this bet, released")]


class BetSettled(msgspec.Struct, kw_only=True):
    bet_id: str
    status: Literal["SETTLED"]
    result: Literal["WIN", "LOSS", "VOID", "CASHOUT"]
    payout: Annotated[Minor, msgspec.Meta(description="gross payout (stake included), minor units; 0 on LOSS and VOID")]
    credits: Annotated[
        list[BucketAmount],
        msgspec.Meta(description="what each bucket received (VOID: the stake restored to its buckets)"),
    ]
    rolling: Annotated[list[RollingProgress], msgspec.Meta(description="the rolling obligations the bet progressed")]


class RollingUnprogress(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    progress_removed: Minor


class BetRolledBack(msgspec.Struct, kw_only=True):
    bet_id: str
    status: Literal["ROLLED_BACK"]
    restored: Annotated[
        list[FundingLine],
        msgspec.Meta(description="the stake's sources given back; empty for a bet never seen (tombstoned)"),
    ]
    payout_reversed: Annotated[
        list[BucketAmount] | UnsetType,
        msgspec.Meta(
            description="the payout taken back from each bucket (empty unless the bet was settled with a payout); "
            "absent for a bet never seen"
        ),
    ] = UNSET
    rolling: Annotated[
        list[RollingUnprogress] | UnsetType,
        msgspec.Meta(description="rolling progress taken back; absent for a bet never seen"),
    ] = UNSET


@post(
    "/v1/bets",
    opt=GAME,
    tags=["bets"],
    responses=answers(201, BetAuthorized, "The bet authorized, with its funding (a retry answers the same)"),
    summary="Authorize a bet: the stake is taken from the sources the provider type's policy chooses and held",
)
async def bet_authorize(request: Request, data: JSONBody[NewBet]) -> Response:
    return await call(
        request,
        "bet_authorize",
        201,
        bet_id=data.bet_id,
        player_id=data.player_id,
        provider_type=data.provider_type,
        provider_id=data.provider_id,
        stake=data.stake,
        odds=numeric(data.odds),
        selected_source=data.selected_source,
        actor=actor(request),
    )


@post(
    "/v1/bets/{bet_id:str}/settle",
    opt=GAME,
    tags=["bets"],
    status_code=200,
    responses=answers(200, BetSettled, "The bet settled: credits and rolling progress"),
    summary="Settle a bet (payout is gross, stake included); pays the shares and progresses rolling",
)
async def bet_settle(request: Request, bet_id: FromPath[str], data: JSONBody[Settlement]) -> Response:
    return await call(
        request,
        "bet_settle",
        bet_id=bet_id,
        player_id=data.player_id,
        settlement_id=data.settlement_id,
        result=data.result,
        payout=data.payout,
        actor=actor(request),
    )


@post(
    "/v1/bets/{bet_id:str}/rollback",
    opt=GAME,
    tags=["bets"],
    status_code=200,
    responses=answers(200, BetRolledBack, "The bet rolled back (or the first rollback's answer)"),
    summary="Roll a bet back, restoring its sources exactly; an unseen bet id is tombstoned",
)
async def bet_rollback(request: Request, bet_id: FromPath[str], data: JSONBody[Rollback]) -> Response:
    return await call(
        request,
        "bet_rollback",
        bet_id=bet_id,
        player_id=data.player_id,
        rollback_id=data.rollback_id,
        reason=data.reason,
        actor=actor(request),
    )


ROUTES = [bet_authorize, bet_settle, bet_rollback]
