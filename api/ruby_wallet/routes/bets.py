"""Bets (scope game): authorize, settle, roll back.  The funding plan, settlement split and
rolling progress are all the database's (SPEC §4, §5a); these routes decode and pass through."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath, JSONBody

from ruby_wallet import responses as R
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


@post(
    "/v1/bets",
    opt=GAME,
    tags=["bets"],
    responses=answers(201, R.BetAuthorized, "The bet authorized, with its funding (a retry answers the same)"),
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
    responses=answers(200, R.BetSettled, "The bet settled: credits and rolling progress"),
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
    responses=answers(200, R.BetRolledBack, "The bet rolled back (or the first rollback's answer)"),
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
