"""The adapter's OpenAPI document, served at /pam/valkyrie/openapi.json.

Equal in shape to Valkyrie's pam_api.yml 0.7.0 (paths, operation ids, parameters, request and
response schemas, required fields, enums; tests/api/test_pam_schema.py compares them field by
field against a description of the contract), with the wallet's own wording and two additions:
every operation documents HTTP 400 (a missing `provider` or a header or body that breaks the
contract can reach any of them), and the component schemas are generated from the Structs the
adapter decodes and encodes with (ruby_wallet.pam.model), so they cannot drift from its code.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import msgspec

from ruby_wallet import __version__
from ruby_wallet.pam import model

CONTRACT_VERSION = "0.7.0"
BASE_PATH = "/pam/valkyrie"

_TOP_TYPES = [
    model.SessionResponse,
    model.BalanceResponse,
    model.GetTransactionsResponse,
    model.Transaction,
    model.AddTransactionResponse,
    model.GameRoundResponse,
    model.ErrorResponse,
    model.BaseResponse,
]


def _inline(type_: Any) -> dict[str, Any]:
    return msgspec.json.schema(type_, schema_hook=model.schema_hook)


def _ref(name: str, kind: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


_PARAMETERS: dict[str, Any] = {
    "provider": {
        "in": "query",
        "name": "provider",
        "required": True,
        "description": "The game provider the call is for, by the name the wallet's provider configuration "
        "knows it under (GET /v1/admin/providers)",
        "example": "evolution",
        "schema": {"type": "string"},
    },
    "playerId": {
        "in": "path",
        "name": "playerId",
        "required": True,
        "description": "The player's id (the wallet's player_id)",
        "example": "p-1001",
        "schema": {"type": "string"},
    },
    "sessionToken": {
        "in": "header",
        "name": "X-Player-Token",
        "required": True,
        "description": "The player's game session token, from POST /v1/game-sessions",
        "schema": _inline(model.SessionToken),
    },
    "correlationId": {
        "in": "header",
        "name": "X-Correlation-ID",
        "required": True,
        "description": "Valkyrie's id for correlating the call across services; the wallet records it with "
        "the transactions it writes",
        "schema": {"type": "string"},
    },
    "traceparent": {
        "in": "header",
        "name": "traceparent",
        "required": False,
        "description": "W3C trace context: where the call sits in its trace (https://www.w3.org/TR/trace-context)",
        "schema": {"type": "string"},
    },
    "tracestate": {
        "in": "header",
        "name": "tracestate",
        "required": False,
        "description": "W3C trace context: vendor data that goes with traceparent",
        "schema": {"type": "string"},
    },
}

_COMMON = [
    _ref(name, "parameters") for name in ("provider", "sessionToken", "correlationId", "traceparent", "tracestate")
]
_PLAYER = [_ref("playerId", "parameters"), *_COMMON]

_REFUSED = {
    "401": _ref("Unauthorized", "responses"),
    "400": _ref("BadRequest", "responses"),
}


def _operation(operation_id: str, tag: str, summary: str, description: str, parameters: list, ok: dict) -> dict:
    return {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "description": description,
        "parameters": parameters,
        "responses": {"200": ok, **_REFUSED},
    }


def _paths() -> dict[str, Any]:
    lookup = [
        *_PLAYER,
        {"in": "query", "name": "providerTransactionId", "schema": _inline(model.ProviderTransactionId)},
        {"in": "query", "name": "providerBetRef", "schema": _inline(model.ProviderBetRef)},
    ]
    round_id = {"in": "path", "name": "providerGameRoundId", "required": True, "schema": _inline(model.ProviderRoundId)}
    add = _operation(
        "addTransaction",
        "transactions",
        "Record a transaction of the player (bet, win, cancel, promotion)",
        "Idempotent on (provider, transactionType, providerTransactionId): the same transaction again "
        "answers OK with the current balance and moves nothing; the same key with another player, game, "
        "round or amount is PAM_ERR_DUPLICATE_TRANS. WITHDRAW / PROMOWITHDRAW place a bet in the round "
        "(a live session needed); DEPOSIT pays a win of the round (PAM_ERR_TRANS_NOT_FOUND for a round "
        "never seen, PAM_ERR_TRANS_ALREADY_SETTLED once it is over); PROMODEPOSIT pays a promotion "
        "without a bet; CANCEL / PROMOCANCEL revert the withdraw named by providerBetRef, or else by "
        "providerTransactionId (PAM_ERR_CANCEL_NOT_FOUND, PAM_ERR_TRANS_ALREADY_CANCELLED, "
        "PAM_ERR_TRANS_ALREADY_SETTLED, PAM_ERR_CANCEL_NON_WITHDRAW). isGameOver ends the round. "
        "Refusals carry the balance. docs/casino.md says how rounds map onto the wallet's bets.",
        _PLAYER,
        _json("AddTransactionResponse", "The outcome, with the balance after it"),
    )
    add["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref("Transaction")}}}
    return {
        "/players/session": {
            "get": _operation(
                "getSession",
                "session",
                "The player's game session",
                "The details of the session of X-Player-Token; they do not change while it lives.",
                _COMMON,
                _json("SessionResponse", "The session"),
            ),
            "put": _operation(
                "refreshSession",
                "session",
                "Replace the session's token",
                "A new token for the same session (and a new lifetime); the old token stops working at once.",
                _COMMON,
                _json("SessionResponse", "The session with its new token"),
            ),
        },
        "/players/{playerId}/balance": {
            "get": _operation(
                "getBalance",
                "account",
                "The player's balance for this provider",
                "What the player can stake with this provider: cash, bonus and promo amounts.",
                _PLAYER,
                _json("BalanceResponse", "The balance"),
            ),
        },
        "/players/{playerId}/transactions": {
            "get": _operation(
                "getTransactions",
                "transactions",
                "Find the player's transactions",
                "By providerBetRef (when both are given) or providerTransactionId; one of them is required "
                "(HTTP 400 PAM_ERR_UNDEFINED without either).",
                lookup,
                _json("GetTransactionsResponse", "The transactions found, or PAM_ERR_TRANS_NOT_FOUND"),
            ),
            "post": add,
        },
        "/players/{playerId}/gamerounds/{providerGameRoundId}": {
            "get": _operation(
                "getGameRound",
                "gameround",
                "One game round of the player",
                "The round with its start and, once it is over, its end.",
                [*_PLAYER, round_id],
                _json("GameRoundResponse", "The round, or PAM_ERR_ROUND_NOT_FOUND"),
            ),
        },
    }


@cache
def _document() -> dict[str, Any]:
    _, components = msgspec.json.schema_components(
        _TOP_TYPES, schema_hook=model.schema_hook, ref_template="#/components/schemas/{name}"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ruby Wallet: Valkyrie PAM API",
            "version": CONTRACT_VERSION,
            "description": f"Ruby Wallet {__version__} speaking the Valkyrie PAM API {CONTRACT_VERSION} "
            "(https://github.com/valkyrie-fnd/valkyrie, pam/pam_api.yml), so Valkyrie's generic PAM plugs in "
            f'with `pam.url: http(s)://<wallet>{BASE_PATH}`. Answers are `{{"status": "OK"}}` or '
            '`{"status": "ERROR", "error": {"code", "message"}}`; HTTP 401 and 400 are for the API key, the '
            "session and requests that break the contract, every other refusal is HTTP 200. See docs/casino.md.",
        },
        "servers": [{"url": BASE_PATH, "description": "this wallet"}],
        "tags": [
            {"name": "session", "description": "The player's game session"},
            {"name": "account", "description": "The player's money"},
            {"name": "transactions", "description": "Bets, wins, cancels and promotion payouts"},
            {"name": "gameround", "description": "Game rounds"},
        ],
        "paths": _paths(),
        "components": {
            "parameters": _PARAMETERS,
            "schemas": components,
            "responses": {
                "Unauthorized": _json(
                    "ErrorResponse",
                    "No valid API key with scope casino (PAM_ERR_API_TOKEN), or no usable player session "
                    "(PAM_ERR_SESSION_NOT_FOUND, PAM_ERR_SESSION_EXPIRED)",
                ),
                "BadRequest": _json(
                    "ErrorResponse",
                    "No provider query parameter (PAM_ERR_MISSING_PROVIDER); a header, query or body that "
                    "breaks the contract (PAM_ERR_UNDEFINED)",
                ),
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A wallet API key with scope casino (`ruby-wallet apikey create NAME --scopes casino`)",
                }
            },
        },
        "security": [{"bearerAuth": []}],
    }


def document() -> dict[str, Any]:
    """The adapter's OpenAPI document (a fresh copy)."""
    return copy.deepcopy(_document())
