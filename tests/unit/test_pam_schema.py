"""The adapter's served OpenAPI document is Valkyrie's pam_api.yml 0.7.0 in shape.

CONTRACT below is a structural description of pam_api.yml written for this test from reading
the contract (github.com/valkyrie-fnd/valkyrie, pam/pam_api.yml, version 0.7.0): every path and
method with its operationId, parameters (name, place, required, schema), request body and
response codes, and every schema reached from them with its properties, required fields, enums,
lengths, patterns and formats.  The served document is reduced to the same form ($refs resolved,
allOf merged, prose dropped) and must be equal to it.  Where the adapter deliberately differs,
the description says so next to the difference:

- every operation also documents HTTP 400 (a missing `provider`, a header or body that breaks
  the contract can reach any of them; the contract documents it for two operations only);
- the bodies of HTTP 401 and 400 have the envelope's `status` and `code` enums (the contract
  leaves them plain strings).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from ruby_wallet.app import create_app

# --- the contract, described -------------------------------------------------------------------


def s(**kw: Any) -> dict[str, Any]:
    return {"type": "string", **kw}


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": sorted(required)}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(values)}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


AMOUNT = {"type": "number", "format": "double"}
BOOLEAN = {"type": "boolean"}
ID40 = s(minLength=1, maxLength=40)
CURRENCY = s(pattern="^[A-Z]{3}$")
TIMESTAMP = s(format="date-time")
TOKEN = s(minLength=32, maxLength=40)
TRANSACTION_TYPE = enum("DEPOSIT", "WITHDRAW", "CANCEL", "PROMODEPOSIT", "PROMOWITHDRAW", "PROMOCANCEL")
PROMO_TYPE = enum(
    "PROMOBONUS",
    "PROMOTOURNAMENT",
    "PROMOFROMGAME",
    "PROMOCAP",
    "PROMOLIMIT",
    "PROMOMONEYREWARD",
    "FREEROUNDS",
    "FREESPINS",
)
ERROR_CODE = enum(
    "PAM_ERR_UNDEFINED",
    "PAM_ERR_ACC_NOT_FOUND",
    "PAM_ERR_GAME_NOT_FOUND",
    "PAM_ERR_ROUND_NOT_FOUND",
    "PAM_ERR_TRANS_NOT_FOUND",
    "PAM_ERR_CASH_OVERDRAFT",
    "PAM_ERR_BONUS_OVERDRAFT",
    "PAM_ERR_SESSION_NOT_FOUND",
    "PAM_ERR_SESSION_EXPIRED",
    "PAM_ERR_MISSING_PROVIDER",
    "PAM_ERR_TRANS_CURRENCY",
    "PAM_ERR_NEGATIVE_STAKE",
    "PAM_ERR_CANCEL_NOT_FOUND",
    "PAM_ERR_TRANS_ALREADY_CANCELLED",
    "PAM_ERR_CANCEL_NON_WITHDRAW",
    "PAM_ERR_BET_NOT_ALLOWED",
    "PAM_ERR_PLAYER_NOT_FOUND",
    "PAM_ERR_API_TOKEN",
    "PAM_ERR_TRANS_ALREADY_SETTLED",
    "PAM_ERR_DUPLICATE_TRANS",
    "PAM_ERR_PROMO_OVERDRAFT",
    "PAM_ERR_TIMEOUT",
)
STATUS = enum("OK", "ERROR")
PAM_ERROR = obj({"code": ERROR_CODE, "message": s()}, ("code", "message"))
# 401 / 400 bodies: the contract's `status` and `code` are plain strings; the adapter's are the enums.
REFUSED = obj({"status": STATUS, "error": PAM_ERROR}, ("status", "error"))


def envelope(**payload: Any) -> dict[str, Any]:
    return obj({"status": STATUS, "error": PAM_ERROR, **payload}, ("status",))


BALANCE = obj(
    {"cashAmount": AMOUNT, "bonusAmount": AMOUNT, "promoAmount": AMOUNT}, ("cashAmount", "bonusAmount", "promoAmount")
)
SESSION = obj(
    {
        "playerId": ID40,
        "token": TOKEN,
        "currency": CURRENCY,
        "country": s(pattern="^[A-Z]{2}$"),
        "language": s(pattern="^[A-Z]{2}$"),
        "gameId": ID40,
    },
    ("playerId", "token", "currency", "country", "language"),
)
PROMO = obj(
    {
        "promoType": PROMO_TYPE,
        "promoName": ID40,
        "promoStatus": ID40,
        "promoReference": ID40,
        "promoCode": ID40,
        "promoAmount": AMOUNT,
        "promoAmountTotal": AMOUNT,
        "promoConfigRef": ID40,
        "promoAwardRef": ID40,
        "currency": CURRENCY,
    }
)
JACKPOT_BUCKET = obj({"bucketType": ID40, "bucketReference": ID40, "bucketAmount": AMOUNT, "currency": CURRENCY})
JACKPOT = obj(
    {"jackpotId": ID40, "jackpotReference": ID40, "jackpotAmount": AMOUNT, "jackpotBuckets": array(JACKPOT_BUCKET)}
)
ROUND_TRANSACTION = obj(
    {
        "providerTransactionId": ID40,
        "transactionDateTime": TIMESTAMP,
        "cashAmount": AMOUNT,
        "isGameOver": BOOLEAN,
        "jackpotContribution": AMOUNT,
        "transactionType": TRANSACTION_TYPE,
        "providerBetRef": ID40,
        "betCode": s(),
        "pending": BOOLEAN,
    },
    ("transactionType",),
)
TRANSACTION = obj(
    {
        "currency": CURRENCY,
        "provider": s(),
        "transactionType": TRANSACTION_TYPE,
        "cashAmount": AMOUNT,
        "bonusAmount": AMOUNT,
        "promoAmount": AMOUNT,
        "transactionDateTime": TIMESTAMP,
        "providerTransactionId": ID40,
        "providerBetRef": ID40,
        "providerGameId": ID40,
        "providerRoundId": ID40,
        "betCode": s(),
        "isGameOver": BOOLEAN,
        "promos": array(PROMO),
        "jackpots": array(JACKPOT),
        "tip": obj({"tipAmount": AMOUNT}),
        "roundTransactions": array(ROUND_TRANSACTION),
    },
    (
        "currency",
        "provider",
        "transactionType",
        "cashAmount",
        "bonusAmount",
        "promoAmount",
        "transactionDateTime",
        "providerTransactionId",
    ),
)
GAME_ROUND = obj(
    {"providerGameId": ID40, "providerRoundId": ID40, "startTime": TIMESTAMP, "endTime": TIMESTAMP},
    ("providerGameId", "providerRoundId", "startTime"),
)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def param(name: str, where: str, required: bool, schema: dict[str, Any]) -> tuple:
    return (where, name, required, _freeze(schema))


COMMON = [
    param("provider", "query", True, s()),
    param("X-Player-Token", "header", True, TOKEN),
    param("X-Correlation-ID", "header", True, s()),
    param("traceparent", "header", False, s()),
    param("tracestate", "header", False, s()),
]
PLAYER = [param("playerId", "path", True, s()), *COMMON]
# The adapter documents 400 on every operation (the contract: getTransactions and addTransaction).
REFUSALS = {"401": REFUSED, "400": REFUSED}


def op(operation_id: str, parameters: list, ok: dict, body: dict | None = None) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "parameters": sorted(parameters),
        "requestBody": None if body is None else {"required": True, "schema": body},
        "responses": {"200": ok, **REFUSALS},
    }


CONTRACT: dict[tuple[str, str], dict[str, Any]] = {
    ("/players/session", "get"): op("getSession", COMMON, envelope(session=SESSION)),
    ("/players/session", "put"): op("refreshSession", COMMON, envelope(session=SESSION)),
    ("/players/{playerId}/balance", "get"): op("getBalance", PLAYER, envelope(balance=BALANCE)),
    ("/players/{playerId}/transactions", "get"): op(
        "getTransactions",
        [*PLAYER, param("providerTransactionId", "query", False, ID40), param("providerBetRef", "query", False, ID40)],
        envelope(transactions=array(TRANSACTION)),
    ),
    ("/players/{playerId}/transactions", "post"): op(
        "addTransaction",
        PLAYER,
        envelope(transactionResult=obj({"transactionId": ID40, "balance": BALANCE})),
        body=TRANSACTION,
    ),
    ("/players/{playerId}/gamerounds/{providerGameRoundId}", "get"): op(
        "getGameRound",
        [*PLAYER, param("providerGameRoundId", "path", True, ID40)],
        envelope(gameround=GAME_ROUND),
    ),
}


# --- the served document, reduced to the same form --------------------------------------------

KEPT = ("type", "format", "minLength", "maxLength", "pattern")


def reduce(schema: dict[str, Any], document: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """A schema as structure only: $refs resolved, allOf merged, descriptions and examples gone."""
    assert depth < 20, "schema recursion"
    if "$ref" in schema:
        kind, name = schema["$ref"].split("/")[-2:]
        return reduce(document["components"][kind][name], document, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            reduced = reduce(part, document, depth + 1)
            merged["properties"].update(reduced.get("properties", {}))
            merged["required"] = sorted(set(merged["required"]) | set(reduced.get("required", [])))
        return merged
    out = {k: schema[k] for k in KEPT if k in schema}
    if "enum" in schema:
        out["type"] = "string"
        out["enum"] = sorted(schema["enum"])
    if out.get("type") == "object" or "properties" in schema:
        out["type"] = "object"
        out["properties"] = {k: reduce(v, document, depth + 1) for k, v in schema.get("properties", {}).items()}
        out["required"] = sorted(schema.get("required", []))
    if "items" in schema:
        out["items"] = reduce(schema["items"], document, depth + 1)
    return out


def served_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path, item in document["paths"].items():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = item.get(method)
            if operation is None:
                continue
            parameters = []
            for p in operation.get("parameters", []):
                if "$ref" in p:
                    p = document["components"]["parameters"][p["$ref"].split("/")[-1]]
                parameters.append((p["in"], p["name"], bool(p.get("required")), _freeze(reduce(p["schema"], document))))
            body = operation.get("requestBody")
            responses = {}
            for status, response in operation["responses"].items():
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].split("/")[-1]]
                responses[status] = reduce(response["content"]["application/json"]["schema"], document)
            found[(path, method)] = {
                "operationId": operation.get("operationId"),
                "parameters": sorted(parameters),
                "requestBody": None
                if body is None
                else {
                    "required": bool(body.get("required")),
                    "schema": reduce(body["content"]["application/json"]["schema"], document),
                },
                "responses": responses,
            }
    return found


# --- the tests -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document as the app serves it (no database needed: the pool connects lazily)."""
    app = create_app("postgresql://unused@127.0.0.1:1/unused", pool_min=0, pool_max=1)
    with TestClient(app=app) as client:
        response = client.get("/pam/valkyrie/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_the_served_document_has_the_contracts_paths_and_operations(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "0.7.0"
    assert document["servers"] == [{"url": "/pam/valkyrie", "description": "this wallet"}]
    assert sorted(served_operations(document)) == sorted(CONTRACT)


@pytest.mark.parametrize("key", sorted(CONTRACT), ids=lambda k: f"{k[1].upper()} {k[0]}")
def test_each_operation_is_the_contracts_in_shape(document, key):
    served = served_operations(document)[key]
    expected = CONTRACT[key]
    assert served["operationId"] == expected["operationId"]
    assert served["parameters"] == expected["parameters"]
    assert served["requestBody"] == expected["requestBody"]
    assert sorted(served["responses"]) == sorted(expected["responses"])
    for status, schema in expected["responses"].items():
        assert served["responses"][status] == schema, f"response {status}"


def test_the_api_key_is_a_bearer_token_everywhere(document):
    assert document["security"] == [{"bearerAuth": []}]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_the_reduction_sees_differences():
    """The comparison can fail: a missing required field, a changed length or enum, an extra
    property, and allOf and $ref are seen through."""
    document = {"components": {"schemas": {"A": obj({"x": ID40}, ("x",))}}}
    assert reduce({"$ref": "#/components/schemas/A"}, document) == obj({"x": ID40}, ("x",))
    merged = reduce({"allOf": [{"$ref": "#/components/schemas/A"}, obj({"y": s()})]}, document)
    assert merged == obj({"x": ID40, "y": s()}, ("x",))
    assert reduce(obj({"x": ID40}), document) != obj({"x": ID40}, ("x",))
    assert reduce(obj({"x": s(minLength=1, maxLength=41)}, ("x",)), document) != obj({"x": ID40}, ("x",))
    assert reduce({"enum": ["OK"]}, document) != STATUS
    assert reduce(obj({"x": ID40, "z": s()}, ("x",)), document) != obj({"x": ID40}, ("x",))
