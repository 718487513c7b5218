"""Accounts, balances and ledger history."""

from __future__ import annotations

import json
from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import MediaType
from litestar.params import FromPath, JSONBody, QueryParameter

from ruby_wallet import responses as R
from ruby_wallet.routes._common import Key, actor, answers, call, scopes


class OpenAccount(msgspec.Struct, forbid_unknown_fields=True):
    player_id: Key
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


@post(
    "/v1/accounts",
    opt=scopes("payments", "admin"),
    tags=["accounts"],
    responses={
        **answers(201, R.Account, "The account, opened"),
        **answers(200, R.Account, "The account already existed with this currency"),
    },
    summary="Open a player's wallet (201), or confirm it exists with this currency (200)",
)
async def open_account(request: Request, data: JSONBody[OpenAccount]) -> Response[R.Account]:
    text = await request.app.state.db.call(
        "open_account", player_id=data.player_id, currency=data.currency, actor=actor(request)
    )
    result = json.loads(text)
    created = result.pop("created")
    return Response(content=result, status_code=201 if created else 200, media_type=MediaType.JSON)


@get(
    "/v1/players/{player_id:str}/balances",
    opt=scopes("player", "admin"),
    tags=["accounts"],
    responses=answers(200, R.PlayerBalances, "The split-balance snapshot"),
    summary="Split-balance snapshot: buckets by wallet group, coupons, rolling, withdrawable, open bets",
)
async def balances(request: Request, player_id: FromPath[str]) -> Response:
    return await call(request, "player_balances", player_id=player_id)


@get(
    "/v1/players/{player_id:str}/ledger",
    opt=scopes("player", "admin"),
    tags=["accounts"],
    responses=answers(200, R.LedgerPage, "A page of ledger lines, newest first"),
    summary="The player's ledger lines on buckets and coupons, newest first",
)
async def ledger(
    request: Request,
    player_id: FromPath[str],
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    before: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Response:
    return await call(request, "ledger_history", player_id=player_id, limit=limit, before=before)
