"""Bets (scope game): authorize, settle, roll back, and many settlements in one call.  The
funding plan, settlement split and rolling progress are all the database's (SPEC §4, §5a); these
routes decode and pass through."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

import msgspec
import psycopg
from litestar import Request, Response, post
from litestar.openapi.spec import OpenAPI, Reference, Schema
from litestar.params import FromPath, JSONBody
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition
from msgspec import UNSET, UnsetType
from psycopg.types.string import StrDumper

from ruby_wallet.db import translate
from ruby_wallet.errors import WalletError, invalid
from ruby_wallet.routes._common import (
    Amount,
    Code,
    JSONAnswer,
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
from ruby_wallet.validation import collect_problems

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


class BatchSettlement(msgspec.Struct, forbid_unknown_fields=True):
    """One item of POST /v1/bets/settlements: the body of POST /v1/bets/{bet_id}/settle and the bet it settles."""

    bet_id: Key
    settlement_id: Key
    player_id: Key
    result: Literal["WIN", "LOSS", "VOID", "CASHOUT"]
    payout: NonNegativeAmount | None = None


class _BatchItem(msgspec.Struct, forbid_unknown_fields=True):
    """How an item is decoded: the single route's body (Settlement) with the bet id, which that
    route takes from its path unchecked (the database checks it), so here any string."""

    bet_id: str
    settlement_id: Key
    player_id: Key
    result: Literal["WIN", "LOSS", "VOID", "CASHOUT"]
    payout: NonNegativeAmount | None = None


class _AnyItem:
    """Marks the items of a batch: decoded as any JSON value (a wrong item is that item's 422,
    not the whole call's), documented as BatchSettlement (BatchItemSchema)."""


class SettlementBatch(msgspec.Struct, forbid_unknown_fields=True):
    settlements: Annotated[
        list[Annotated[Any, _AnyItem]],
        msgspec.Meta(
            min_length=1,
            max_length=1000,
            description="1 to 1,000 settlements, each applied or refused on its own as POST /v1/bets/{bet_id}/settle "
            "would answer it",
        ),
    ]


class BatchItemSchema(OpenAPISchemaPlugin):
    """The OpenAPI schema of a batch item: BatchSettlement (decoding stays lenient, see _AnyItem)."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return any(m is _AnyItem for m in field_definition.metadata)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        return schema_creator.for_field_definition(FieldDefinition.from_annotation(BatchSettlement))


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


class SettlementResult(msgspec.Struct, kw_only=True):
    index: Annotated[int, msgspec.Meta(ge=0, description="the item's position in `settlements`, from 0")]
    status: Annotated[
        int, msgspec.Meta(description="the HTTP status POST /v1/bets/{bet_id}/settle answers this item with")
    ]
    # Documented as oneOf [BetSettled, Problem] (document_openapi): the problem's fields are open.
    body: Annotated[
        dict[str, Any],
        msgspec.Meta(description="the answer POST /v1/bets/{bet_id}/settle gives this item: BetSettled, or a problem"),
    ]


class SettlementResults(msgspec.Struct, kw_only=True):
    results: Annotated[list[SettlementResult], msgspec.Meta(description="one per item, in the order sent")]


def document_openapi(openapi: OpenAPI) -> None:
    """A batch item's body is the settlement's answer or the problem the single route answers."""
    result = (openapi.components.schemas or {}).get("SettlementResult")
    if isinstance(result, Schema) and result.properties and "body" in result.properties:
        body = result.properties["body"]
        result.properties["body"] = Schema(
            one_of=[Reference(ref="#/components/schemas/BetSettled"), Reference(ref="#/components/schemas/Problem")],
            description=body.description if isinstance(body, Schema) else None,
        )


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


# Items per database call (one transaction each): a player's other commands wait at most one
# call (docs/adr/0006-batch-settlement.md has the measurements behind the size).
BATCH_CHUNK = 50


def batch_slots(pool_max: int) -> asyncio.Semaphore:
    """How many batch chunks one server process runs at once: half its pool per role (at least
    one), so single commands on the same server still find a connection while batches run.
    Without it, 8 batch requests held all 8 of a worker's game connections and single bets
    queued for the pool (docs/adr/0006-batch-settlement.md, "The pool")."""
    return asyncio.Semaphore(max(1, pool_max // 2))


# How psycopg sends a text parameter (it refuses a NUL character): one dumper for every item.
_TEXT = StrDumper(str)


def _item_refusal(item: Any) -> WalletError | None:
    """Why POST /v1/bets/{bet_id}/settle would refuse this item before the database sees it: its
    body's problems (every one, as that route lists them), or a bet id psycopg cannot send."""
    try:
        decoded = msgspec.convert(item, type=_BatchItem, strict=True)
    except msgspec.ValidationError:
        return invalid(collect_problems(_BatchItem, item))
    try:
        _TEXT.dump(decoded.bet_id)
    except psycopg.DataError as exc:
        return translate(exc)
    return None


async def _distributed(request: Request) -> bool:
    """Whether the wallet runs on Citus (api.wallet_distributed), asked once per process."""
    state = request.app.state
    if state.get("distributed") is None:
        rows = await state.db.fetch("wallet_distributed")
        state.distributed = bool(rows[0][0])
    return bool(state.distributed)


def _settle_path(root: str, bet_id: str) -> str:
    """The single settle route of a bet: a batch item's problem names it as its `instance`."""
    return f"{root}/v1/bets/{bet_id}/settle"


def _problem_text(body: dict[str, Any], instance: str) -> bytes:
    """A problem the database answered for an item, with the single route's `instance`, its
    fields in the order the API writes a problem."""
    ordered: dict[str, Any] = {k: body[k] for k in ("type", "title", "status", "detail", "code") if k in body}
    ordered["instance"] = instance
    ordered.update((k, v) for k, v in body.items() if k not in ordered)
    return msgspec.json.encode(ordered)


@post(
    "/v1/bets/settlements",
    opt=GAME,
    tags=["bets"],
    status_code=200,
    responses=answers(200, SettlementResults, "Every item's answer, in the order sent"),
    summary="Settle many bets in one call: each item is answered as POST /v1/bets/{bet_id}/settle would answer it",
)
async def bet_settle_batch(request: Request, data: JSONBody[SettlementBatch]) -> Response:
    """Items in account order (player id, then list order), BATCH_CHUNK per database call, each
    call its own transaction (on Citus: each item its own game.bet_settle): a killed server leaves
    each call applied or not, and the same batch again answers every item as the first time (each
    item is idempotent on its settlement_id)."""
    root = request.scope.get("root_path", "")
    answers_: list[tuple[int, bytes] | None] = [None] * len(data.settlements)
    valid: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(data.settlements):
        refusal = _item_refusal(item)
        if refusal is None:
            valid.append((index, item))
            continue
        bet_id = item.get("bet_id") if isinstance(item, dict) else None
        instance = _settle_path(root, bet_id) if isinstance(bet_id, str) else request.url.path
        answers_[index] = (refusal.status, msgspec.json.encode(refusal.problem(instance=instance)))
    valid.sort(key=lambda v: (v[1]["player_id"], v[0]))
    db, who = request.app.state.db, actor(request)
    if await _distributed(request):
        # On Citus each item is a single-account command, forwarded whole to its player's worker:
        # no call spans nodes (SPEC §5c, docs/scaling.md, Batches).
        for index, item in valid:
            instance = _settle_path(root, item["bet_id"])
            try:
                text = await db.call(
                    "bet_settle",
                    bet_id=item["bet_id"],
                    player_id=item["player_id"],
                    settlement_id=item["settlement_id"],
                    result=item["result"],
                    payout=item.get("payout"),
                    actor=who,
                )
                answers_[index] = (200, text.encode())
            except WalletError as refusal:
                answers_[index] = (refusal.status, msgspec.json.encode(refusal.problem(instance=instance)))
        valid = []
    for start in range(0, len(valid), BATCH_CHUNK):
        chunk = valid[start : start + BATCH_CHUNK]
        async with request.app.state.batch_slots:
            rows = await db.fetch(
                "bet_settle_batch",
                {"settlements": msgspec.json.encode([item for _, item in chunk]).decode(), "actor": who},
            )
        for (index, item), (_, status, body) in zip(chunk, rows, strict=True):
            if status == 200:
                answers_[index] = (status, body.encode())
            else:
                answers_[index] = (
                    status,
                    _problem_text(msgspec.json.decode(body), _settle_path(root, item["bet_id"])),
                )
    parts = []
    for index, answer in enumerate(answers_):
        assert answer is not None, "every item is answered"
        parts.append(b'{"index":%d,"status":%d,"body":%s}' % (index, *answer))
    content = b",".join(parts)
    return JSONAnswer(b'{"results":[' + content + b"]}")


ROUTES = [bet_authorize, bet_settle, bet_settle_batch, bet_rollback]
