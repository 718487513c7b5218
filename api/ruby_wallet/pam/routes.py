"""The Valkyrie PAM API under /pam/valkyrie (SPEC §10): every operation of pam_api.yml 0.7.0.

Each route checks what the contract makes a hard error — the API key (scope `casino`, else HTTP
401 PAM_ERR_API_TOKEN), the `provider` query parameter (HTTP 400 PAM_ERR_MISSING_PROVIDER), the
X-Correlation-ID header and the body (HTTP 400 PAM_ERR_UNDEFINED), the shape of X-Player-Token
(HTTP 401 PAM_ERR_SESSION_NOT_FOUND) — converts amounts to minor units, calls one casino function,
and writes its answer as the contract's envelope with exact decimal amounts.  The session, the
round and every money rule are the database's (procedures/casino/).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request, Response, Router, get, post, put
from litestar.connection import ASGIConnection
from litestar.enums import MediaType
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath
from msgspec import UNSET

from ruby_wallet.errors import WalletError
from ruby_wallet.pam import amounts, answers, body, codes, model, schema
from ruby_wallet.pam.answers import Refusal

log = logging.getLogger("ruby_wallet.pam")

SCOPE = "casino"
MAX_HEADER = 256


# --- the caller --------------------------------------------------------------------------------


async def require_casino_key(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: a valid API key with scope casino, else HTTP 401 PAM_ERR_API_TOKEN (the contract's
    answer, where the wallet's own routes say 401/403 with a problem)."""
    scheme, _, key = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Refusal(401, codes.API_TOKEN, "send the API key as `Authorization: Bearer <key>`")
    state = connection.app.state
    principal = await state.key_cache.principal(state.db, key.strip())
    if principal is None:
        raise Refusal(401, codes.API_TOKEN, "unknown or revoked API key")
    if SCOPE not in principal.scopes:
        raise Refusal(401, codes.API_TOKEN, "this API key has no casino scope")
    connection.state.principal = principal


@dataclass(frozen=True)
class Call:
    """What every PAM request carries besides its body."""

    provider: str
    token: str
    correlation_id: str
    actor: str


def _single(values: list[str], name: str, missing_code: str) -> str:
    if not values or not values[0]:
        raise Refusal(400, missing_code, f"the {name} is required")
    if len(set(values)) > 1:
        raise Refusal(400, codes.UNDEFINED, f"the {name} is given more than once, with different values")
    return values[0]


def call_of(request: Request) -> Call:
    """The provider, session token and correlation id of the request, checked in that order."""
    provider = _single(request.query_params.getall("provider", []), "query parameter provider", codes.MISSING_PROVIDER)
    correlation = _single(request.headers.getall("x-correlation-id", []), "header X-Correlation-ID", codes.UNDEFINED)
    if len(correlation) > MAX_HEADER:
        raise Refusal(400, codes.UNDEFINED, f"X-Correlation-ID is longer than {MAX_HEADER} characters")
    tokens = request.headers.getall("x-player-token", [])
    if len(tokens) != 1 or not 32 <= len(tokens[0]) <= 40:
        raise Refusal(401, codes.SESSION_NOT_FOUND, "X-Player-Token must be one session token of 32 to 40 characters")
    return Call(provider, tokens[0], correlation, request.state.principal.name)


async def _answer_of(request: Request, query: str, **params: Any) -> dict[str, Any]:
    text = await request.app.state.db.call(query, **params)
    return json.loads(text)


def _json(answer: msgspec.Struct, status_code: int = 200) -> Response:
    return Response(content=model.encode(answer), status_code=status_code, media_type=MediaType.JSON)


# --- session -----------------------------------------------------------------------------------


@get("/players/session", guards=[require_casino_key], include_in_schema=False)
async def get_session(request: Request) -> Response:
    c = call_of(request)
    answer = await _answer_of(request, "casino_session_get", token=c.token, provider=c.provider)
    return _json(answers.session_response(answer, c.token))


@put("/players/session", guards=[require_casino_key], include_in_schema=False, status_code=200)
async def refresh_session(request: Request) -> Response:
    c = call_of(request)
    answer = await _answer_of(request, "casino_session_refresh", token=c.token, provider=c.provider, actor=c.actor)
    return _json(answers.session_response(answer, c.token))


# --- money -------------------------------------------------------------------------------------


@get("/players/{player_id:str}/balance", guards=[require_casino_key], include_in_schema=False)
async def get_balance(request: Request, player_id: FromPath[str]) -> Response:
    c = call_of(request)
    answer = await _answer_of(request, "casino_balance_get", token=c.token, provider=c.provider, player_id=player_id)
    return _json(answers.balance_response(answer))


def _lookup_param(request: Request, name: str) -> str | None:
    values = request.query_params.getall(name, [])
    if not values:
        return None
    value = _single(values, f"query parameter {name}", codes.UNDEFINED)
    if len(value) > 40:
        raise Refusal(400, codes.UNDEFINED, f"{name} is at most 40 characters")
    return value


@get("/players/{player_id:str}/transactions", guards=[require_casino_key], include_in_schema=False)
async def get_transactions(request: Request, player_id: FromPath[str]) -> Response:
    c = call_of(request)
    transaction_id = _lookup_param(request, "providerTransactionId")
    bet_ref = _lookup_param(request, "providerBetRef")
    if transaction_id is None and bet_ref is None:
        raise Refusal(400, codes.UNDEFINED, "give providerTransactionId or providerBetRef")
    answer = await _answer_of(
        request,
        "casino_transactions_find",
        token=c.token,
        provider=c.provider,
        player_id=player_id,
        provider_transaction_id=None if bet_ref is not None else transaction_id,
        provider_bet_ref=bet_ref,
    )
    return _json(answers.transactions_response(answer))


def _minor_amounts(t: model.Transaction) -> tuple[int, int, int]:
    """cash, bonus and promo of the transaction in minor units.  Raises Refusal (HTTP 200:
    the request was well formed, the wallet just cannot take it) for a negative amount, a
    currency without a minor unit, or an amount that is not a whole number of minor units."""
    parts = {"cashAmount": t.cash_amount, "bonusAmount": t.bonus_amount, "promoAmount": t.promo_amount}
    negative = [name for name, value in parts.items() if value < 0]
    if negative:
        raise Refusal(200, codes.NEGATIVE_STAKE, f"{', '.join(negative)} below zero")
    try:
        cash, bonus, promo = (amounts.to_minor(Decimal(value), t.currency) for value in parts.values())
        return cash, bonus, promo
    except amounts.UnknownCurrency as exc:
        raise Refusal(200, codes.TRANS_CURRENCY, exc.reason) from None
    except amounts.AmountError as exc:
        raise Refusal(200, codes.UNDEFINED, f"an amount {exc.reason}") from None


def _details(t: model.Transaction) -> str | None:
    """What the transaction carries that the wallet records but does not act on."""
    kept = {
        "betCode": t.bet_code,
        "promos": t.promos,
        "jackpots": t.jackpots,
        "tip": t.tip,
        "roundTransactions": t.round_transactions,
    }
    kept = {k: v for k, v in kept.items() if v is not UNSET}
    return model.ENCODER.encode(kept).decode() if kept else None


async def _with_balance(request: Request, c: Call, player_id: str, refusal: Refusal) -> Refusal:
    """A refusal of addTransaction made here (an amount the wallet cannot take), with the
    player's balance.  What the database checks first — the provider, the session — wins: a
    refusal of those is answered instead, as the wallet would have answered the transaction."""
    answer = await _answer_of(request, "casino_balance_get", token=c.token, provider=c.provider, player_id=player_id)
    if answer.get("status") == "ERROR":
        code = answer["code"]
        return Refusal(codes.http_status(code), code, answer.get("message") or code)
    refusal.balance = answers.balance(answer)
    return refusal


@post("/players/{player_id:str}/transactions", guards=[require_casino_key], include_in_schema=False, status_code=200)
async def add_transaction(request: Request, player_id: FromPath[str]) -> Response:
    c = call_of(request)
    try:
        t = body.decode(await request.body(), model.Transaction)
    except body.BadBody as exc:
        raise Refusal(400, codes.UNDEFINED, f"the body breaks the contract: {exc}") from None
    if t.provider != c.provider:
        raise Refusal(400, codes.UNDEFINED, "the body's provider is not the query's provider")
    try:
        cash, bonus, promo = _minor_amounts(t)
    except Refusal as refusal:
        raise await _with_balance(request, c, player_id, refusal) from None
    answer = await _answer_of(
        request,
        "casino_transaction_add",
        token=c.token,
        provider=c.provider,
        player_id=player_id,
        transaction_type=t.transaction_type.value,
        provider_transaction_id=t.provider_transaction_id,
        currency=t.currency,
        cash=cash,
        bonus=bonus,
        promo=promo,
        transaction_at=t.transaction_date_time,
        provider_bet_ref=None if t.provider_bet_ref is UNSET else t.provider_bet_ref,
        provider_game_id=None if t.provider_game_id is UNSET else t.provider_game_id,
        provider_round_id=None if t.provider_round_id is UNSET else t.provider_round_id,
        is_game_over=t.is_game_over is True,
        details=_details(t),
        correlation_id=c.correlation_id,
        actor=c.actor,
    )
    return _json(answers.add_transaction_response(answer))


@get("/players/{player_id:str}/gamerounds/{round_id:str}", guards=[require_casino_key], include_in_schema=False)
async def get_game_round(request: Request, player_id: FromPath[str], round_id: FromPath[str]) -> Response:
    c = call_of(request)
    if len(round_id) > 40:
        raise Refusal(400, codes.UNDEFINED, "providerGameRoundId is at most 40 characters")
    answer = await _answer_of(
        request, "casino_round_get", token=c.token, provider=c.provider, player_id=player_id, round_id=round_id
    )
    return _json(answers.game_round_response(answer))


@get("/openapi.json", include_in_schema=False, summary="The adapter's OpenAPI document")
async def openapi_document() -> Response:
    return Response(content=_DOCUMENT, media_type=MediaType.JSON)


_DOCUMENT = json.dumps(schema.document(), indent=2).encode()


# --- failures ----------------------------------------------------------------------------------


def _refused(_: Request, refusal: Refusal) -> Response:
    if refusal.status_code == 200:
        result = UNSET if refusal.balance is UNSET else model.TransactionResult(balance=refusal.balance)
        envelope = model.AddTransactionResponse(
            status=model.StatusCode.ERROR, error=answers.error(refusal.code, refusal.message), transaction_result=result
        )
        return _json(envelope)
    return _json(answers.refusal_body(refusal), refusal.status_code)


def _wallet_error(request: Request, exc: WalletError) -> Response:
    """A wallet error raised on the way (the database down, a value it refused)."""
    if exc.error.code == "SERVICE_UNAVAILABLE":
        return _json(
            model.BaseResponse(status=model.StatusCode.ERROR, error=answers.error(codes.TIMEOUT, exc.detail or ""))
        )
    if exc.status < 500:
        return _json(answers.refusal_body(Refusal(400, codes.UNDEFINED, exc.detail or exc.error.title)), 400)
    return _unexpected(request, exc)


def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code >= 500:
        return _unexpected(request, exc)
    return _json(answers.refusal_body(Refusal(400, codes.UNDEFINED, str(exc.detail))), 400)


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    envelope = answers.refusal_body(Refusal(500, codes.UNDEFINED, "an unexpected error occurred"))
    return _json(envelope, 500)


ROUTER = Router(
    path=schema.BASE_PATH,
    route_handlers=[
        openapi_document,
        get_session,
        refresh_session,
        get_balance,
        get_transactions,
        add_transaction,
        get_game_round,
    ],
    exception_handlers={
        Refusal: _refused,
        WalletError: _wallet_error,
        HTTPException: _http_error,
        Exception: _unexpected,
    },
    include_in_schema=False,
)
