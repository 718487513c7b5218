"""Accounts, balances and ledger history."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import MediaType
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from ruby_wallet.routes._common import Key, actor, answers, call, scopes
from ruby_wallet.routes._fields import (
    AccountStatusValue,
    BucketKind,
    BucketType,
    Instant,
    Minor,
    ProviderType,
    RollingId,
    RollingKind,
    SignedMinor,
    TopologyVersion,
    WalletGroup,
)


class OpenAccount(msgspec.Struct, forbid_unknown_fields=True):
    player_id: Key
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class Account(msgspec.Struct, kw_only=True):
    """The account opened (201) or found with the same currency (200)."""

    player_id: str
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 code")]
    status: AccountStatusValue


class BucketLine(msgspec.Struct, kw_only=True):
    bucket_type: BucketType
    kind: BucketKind
    balance: Annotated[int, msgspec.Meta(description="minor units; 0 for a bucket never credited")]


class BalanceGroup(msgspec.Struct, kw_only=True):
    code: WalletGroup
    buckets: Annotated[list[BucketLine], msgspec.Meta(description="every bucket type of the group, in topology order")]


class CouponRestrictions(msgspec.Struct, kw_only=True):
    provider_types: list[ProviderType]
    min_odds: Annotated[
        float | None, msgspec.Meta(description="lowest odds a bet funded by the coupon may have (a decimal number)")
    ]
    max_stake: Annotated[int | None, msgspec.Meta(description="largest stake the coupon may fund, minor units")]
    stake_returned: Annotated[bool, msgspec.Meta(description="false: a free bet (a win pays the winnings only)")]
    winnings_bucket_type: Annotated[
        BucketType | None, msgspec.Meta(description="where winnings go; null: the policy's choice")
    ]
    rolling_multiplier: int


class CouponLine(msgspec.Struct, kw_only=True):
    coupon_id: str
    amount: Annotated[Minor, msgspec.Meta(description="the amount granted, minor units")]
    remaining: Annotated[Minor, msgspec.Meta(description="what bets can still use, minor units")]
    expires_at: Instant | None
    restrictions: CouponRestrictions


class RollingLine(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    wallet_group: WalletGroup
    kind: RollingKind
    base_amount: Annotated[Minor, msgspec.Meta(description="the money the obligation locks, minor units")]
    required: Annotated[Minor, msgspec.Meta(description="wagering required to release it, minor units")]
    progress: Annotated[Minor, msgspec.Meta(description="wagering counted so far, minor units")]
    status: Literal["ACTIVE"]


class OpenBets(msgspec.Struct, kw_only=True):
    count: int
    stake: Annotated[Minor, msgspec.Meta(description="the stakes held for the open bets, minor units")]


class PlayerBalances(msgspec.Struct, kw_only=True):
    """The split-balance snapshot under the active topology."""

    player_id: str
    currency: str
    status: AccountStatusValue
    topology_version: TopologyVersion
    groups: list[BalanceGroup]
    shared: Annotated[
        list[BucketLine], msgspec.Meta(description="the bucket types of no wallet group (POINTS, WITHDRAWABLE)")
    ]
    coupons: Annotated[list[CouponLine], msgspec.Meta(description="active, unexpired coupons")]
    rolling: Annotated[list[RollingLine], msgspec.Meta(description="active rolling obligations")]
    withdrawable: Annotated[Minor, msgspec.Meta(description="what a withdrawal may take now, minor units")]
    pending_withdrawals: Annotated[Minor, msgspec.Meta(description="held by pending withdrawals, minor units")]
    open_bets: OpenBets


class LedgerLine(msgspec.Struct, kw_only=True):
    """One ledger entry on a bucket or a coupon (exactly one of bucket_type, coupon_id is present)."""

    txn_id: int
    kind: Annotated[str, msgspec.Meta(description="the transaction's kind, e.g. DEPOSIT, BET_STAKE, TRANSFER")]
    bucket_type: Annotated[BucketType | UnsetType, msgspec.Meta(description="absent on a coupon's line")] = UNSET
    coupon_id: Annotated[str | UnsetType, msgspec.Meta(description="present on a coupon's line only")] = UNSET
    amount: SignedMinor
    balance_after: Annotated[
        int, msgspec.Meta(description="the bucket's or coupon's balance after the entry, minor units")
    ]
    created_at: Instant
    ref: Annotated[
        str, msgspec.Meta(description="what the transaction was for, e.g. bet:<bet_id>, deposit:<deposit_id>")
    ]


class LedgerPage(msgspec.Struct, kw_only=True):
    entries: Annotated[list[LedgerLine], msgspec.Meta(description="newest first")]
    next: Annotated[
        str | None, msgspec.Meta(description="the `before` cursor of the next page; null when this page is the last")
    ]


@post(
    "/v1/accounts",
    opt=scopes("payments", "admin"),
    tags=["accounts"],
    responses={
        **answers(201, Account, "The account, opened"),
        **answers(200, Account, "The account already existed with this currency"),
    },
    summary="Open a player's wallet (201), or confirm it exists with this currency (200)",
)
async def open_account(request: Request, data: JSONBody[OpenAccount]) -> Response[Account]:
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
    responses=answers(200, PlayerBalances, "The split-balance snapshot"),
    summary="Split-balance snapshot: buckets by wallet group, coupons, rolling, withdrawable, open bets",
)
async def balances(request: Request, player_id: FromPath[str]) -> Response:
    return await call(request, "player_balances", player_id=player_id)


@get(
    "/v1/players/{player_id:str}/ledger",
    opt=scopes("player", "admin"),
    tags=["accounts"],
    responses=answers(200, LedgerPage, "A page of ledger lines, newest first"),
    summary="The player's ledger lines on buckets and coupons, newest first",
)
async def ledger(
    request: Request,
    player_id: FromPath[str],
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    before: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Response:
    return await call(request, "ledger_history", player_id=player_id, limit=limit, before=before)
