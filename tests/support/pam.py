"""Calling the casino adapter the way Valkyrie's generic PAM does (github.com/valkyrie-fnd/valkyrie,
pam/genericpam): `Authorization: Bearer <key>`, `X-Player-Token`, `X-Correlation-ID`, the
`provider` query parameter; every answer is checked against the adapter's served OpenAPI
document (/pam/valkyrie/openapi.json) for its operation and status, strictly (an object field
the document does not name fails), with amounts read as exact decimals."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import jsonschema_rs
import psycopg

BASE = "/pam/valkyrie"
_ids = itertools.count(1)


def strict(node: Any) -> Any:
    if isinstance(node, dict):
        out = {key: strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [strict(item) for item in node]
    return node


class PamSchema:
    """Validates answers against the served document: (method, path template, status) → schema."""

    def __init__(self, document: dict):
        self.document = document
        self.components = strict(document["components"])
        self.failures: list[str] = []
        self.seen: set[tuple[str, str, str]] = set()

    def schema_for(self, method: str, template: str, status: int) -> dict | None:
        operation = self.document["paths"][template][method.lower()]
        response = operation["responses"].get(str(status))
        if response is None:
            return None
        if "$ref" in response:
            response = self.document["components"]["responses"][response["$ref"].split("/")[-1]]
        return strict(response["content"]["application/json"]["schema"])

    def errors(self, method: str, template: str, status: int, body: Any) -> list[str]:
        schema = self.schema_for(method, template, status)
        if schema is None:
            return [f"status {status} is not documented for {method} {template}"]
        validator = jsonschema_rs.validator_for({"components": self.components, **schema}, validate_formats=True)
        return [f"{'/'.join(map(str, e.instance_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(body)]

    def check(self, method: str, template: str, status: int, body: Any) -> None:
        self.seen.add((method, template, str(status)))
        self.failures += [f"{method} {template} {status}: {e}" for e in self.errors(method, template, status, body)]


def template_of(path: str) -> str:
    parts = path.split("/")
    if len(parts) == 4 and parts[1] == "players" and parts[3] in ("balance", "transactions"):
        return f"/players/{{playerId}}/{parts[3]}"
    if len(parts) == 5 and parts[3] == "gamerounds":
        return "/players/{playerId}/gamerounds/{providerGameRoundId}"
    return path


@dataclass
class Answer:
    status: int
    body: dict

    @property
    def code(self) -> str:
        return self.body["error"]["code"] if self.body.get("status") == "ERROR" else "OK"

    @property
    def balance(self) -> dict[str, Decimal] | None:
        found = (self.body.get("transactionResult") or {}).get("balance") or self.body.get("balance")
        return found


@dataclass
class Pam:
    """One caller of the adapter: its API key, and the provider and token it sends by default."""

    client: Any
    schema: PamSchema
    key: str | None
    provider: str = "evolution"
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = "default",
        provider: str | None = "default",
    ) -> Answer:
        sent = {"X-Correlation-ID": f"test-{next(_ids)}"}
        if self.key is not None:
            sent["Authorization"] = f"Bearer {self.key}"
        token = self.token if token == "default" else token
        if token is not None:
            sent["X-Player-Token"] = token
        sent.update(headers or {})
        params = dict(query or {})
        provider = self.provider if provider == "default" else provider
        if provider is not None:
            params["provider"] = provider
        content = raw if raw is not None else (json.dumps(body, default=str).encode() if body is not None else None)
        if content is not None:
            sent.setdefault("Content-Type", "application/json")
        response = self.client.request(method, BASE + path, params=params, content=content, headers=sent)
        assert response.headers["content-type"].startswith("application/json"), response.text
        parsed = json.loads(response.content, parse_float=Decimal)
        self.schema.check(method, template_of(path), response.status_code, json.loads(response.content))
        return Answer(response.status_code, parsed)

    def session(self, **kw) -> Answer:
        return self.request("GET", "/players/session", **kw)

    def refresh(self, **kw) -> Answer:
        return self.request("PUT", "/players/session", **kw)

    def balance(self, player: str, **kw) -> Answer:
        return self.request("GET", f"/players/{player}/balance", **kw)

    def transactions(self, player: str, **query: str) -> Answer:
        return self.request("GET", f"/players/{player}/transactions", query=query)

    def game_round(self, player: str, round_id: str, **kw) -> Answer:
        return self.request("GET", f"/players/{player}/gamerounds/{round_id}", **kw)

    def add(
        self,
        player: str,
        kind: str,
        transaction_id: str,
        amount: str | int | Decimal = "0",
        *,
        currency: str = "EUR",
        round_id: str | None = "r1",
        bet_ref: str | None = None,
        game: str | None = "roulette",
        game_over: bool | None = None,
        **extra: Any,
    ) -> Answer:
        body: dict[str, Any] = {
            "currency": currency,
            "provider": self.provider,
            "transactionType": kind,
            "cashAmount": Decimal(str(amount)),
            "bonusAmount": 0,
            "promoAmount": 0,
            "transactionDateTime": "2026-12-01T10:00:00Z",
            "providerTransactionId": transaction_id,
        }
        for key, value in (
            ("providerRoundId", round_id),
            ("providerBetRef", bet_ref),
            ("providerGameId", game),
            ("isGameOver", game_over),
        ):
            if value is not None:
                body[key] = value
        body.update(extra)
        raw = json.dumps(body, default=str).encode()
        # Amounts travel as JSON numbers: write the Decimals' digits unquoted.
        for key in ("cashAmount", "bonusAmount", "promoAmount"):
            if isinstance(body[key], Decimal):
                raw = raw.replace(f'"{key}": "{body[key]}"'.encode(), f'"{key}": {body[key]}'.encode())
        return self.request("POST", f"/players/{player}/transactions", raw=raw)


def open_player(
    api,
    player: str,
    currency: str = "EUR",
    casino_cash: int = 10000,
    provider: str = "evolution",
    game: str | None = "roulette",
) -> str:
    """An account with `casino_cash` in CASINO_NORMAL and a game session at `provider`: its token."""
    assert api.post("/v1/accounts", {"player_id": player, "currency": currency}, scope="payments").status_code == 201
    if casino_cash:
        deposit = {
            "deposit_id": f"{player}-d1",
            "player_id": player,
            "amount": casino_cash,
            "bucket_type": "CASINO_NORMAL",
            "auto_approve": True,
        }
        assert api.post("/v1/deposits", deposit, scope="payments").status_code == 201
    return open_session(api, player, provider, game)


def open_session(api, player: str, provider: str = "evolution", game: str | None = "roulette") -> str:
    body = {"player_id": player, "provider": provider, "country": "SE", "language": "sv"}
    if game:
        body["game_id"] = game
    response = api.post("/v1/game-sessions", body, scope="player")
    assert response.status_code == 201, response.text
    return response.json()["token"]


def expire_sessions(db_url: str, player: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE wallet.game_session SET expires_at = now() - interval '1 second' WHERE account_id = %s", (player,)
        )
