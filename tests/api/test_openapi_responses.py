"""The served OpenAPI schema tells the truth about success bodies: real requests through the app
reach every /v1 operation's 2xx answers, and each body is validated against the schema the app
serves for that path, method and status ($refs resolved, formats checked).  Validation is
strict: an object field the schema does not name fails, so the documentation stays complete.
The operation list comes from the served schema, so a new route without a documented body, or
one this test never exercises, fails here too."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema_rs

METHODS = ("get", "put", "post", "delete", "patch")


# --- the check -------------------------------------------------------------------------------


def strict(node: Any) -> Any:
    """A copy of a JSON schema in which every object schema that lists its properties allows no
    others: an answer with a field the documentation does not name is invalid."""
    if isinstance(node, dict):
        out = {key: strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [strict(item) for item in node]
    return node


def body_schema(schema: dict, method: str, path: str, status: int | str) -> dict | None:
    """The application/json schema of one documented response, or None when there is none."""
    operation = schema["paths"].get(path, {}).get(method) or {}
    response = (operation.get("responses") or {}).get(str(status)) or {}
    media = (response.get("content") or {}).get("application/json") or {}
    return media.get("schema") or None  # {} documents nothing


def success_operations(schema: dict) -> dict[tuple[str, str, str], dict | None]:
    """Every (METHOD, path, status) of a /v1 operation's documented 2xx responses -> its body schema."""
    found = {}
    for path, item in schema["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method in METHODS:
            for status in (item.get(method) or {}).get("responses", {}):
                if status.startswith("2"):
                    found[(method.upper(), path, status)] = body_schema(schema, method, path, status)
    return found


def coverage_problems(schema: dict, exercised: set[tuple[str, str, str]]) -> list[str]:
    """What keeps the success documentation from being complete and proven."""
    documented = success_operations(schema)
    problems = [
        f"{m} {p} {s}: no application/json body schema" for (m, p, s), body in documented.items() if body is None
    ]
    problems += [f"{m} {p} {s}: never exercised by this test" for (m, p, s) in documented if (m, p, s) not in exercised]
    problems += [f"{m} {p} {s}: answered but not documented" for (m, p, s) in exercised if (m, p, s) not in documented]
    return sorted(problems)


class Checker:
    """Validates answers against the served schema, strictly, and remembers what it saw."""

    def __init__(self, schema: dict):
        self.schema = schema
        self.components = strict(schema.get("components", {}))
        self.exercised: set[tuple[str, str, str]] = set()
        self.failures: list[str] = []

    def errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        documented = body_schema(self.schema, method.lower(), path, status)
        if documented is None:
            return [f"no body schema documented for {method} {path} {status}"]
        validator = jsonschema_rs.validator_for(
            {"components": self.components, **strict(documented)}, validate_formats=True
        )
        return [f"{'/'.join(map(str, e.instance_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(body)]

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        self.exercised.add((method, path, str(status)))
        for error in self.errors(method, path, status, body):
            self.failures.append(f"{method} {path} {status}: {error}")


class Client:
    """Sends a request to a path template of the schema, requires the status, checks the body."""

    def __init__(self, api, checker: Checker):
        self.api, self.checker = api, checker

    def _send(self, method: str, template: str, status: int, body: Any, scope: str, query: str, params: dict) -> Any:
        url = template.format(**params) + query
        if method == "POST":
            response = self.api.post(url, body, scope=scope)
        elif method == "PUT":
            response = self.api.put(url, body, scope=scope)
        else:
            response = self.api.get(url, scope=scope)
        assert response.status_code == status, f"{method} {url}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/json"), url
        answer = response.json()
        self.checker.check(method, template, status, answer)
        return answer

    def post(self, template: str, body: Any, status: int, scope: str = "admin", query: str = "", **params) -> Any:
        return self._send("POST", template, status, body, scope, query, params)

    def get(self, template: str, status: int = 200, scope: str = "admin", query: str = "", **params) -> Any:
        return self._send("GET", template, status, None, scope, query, params)

    def put(self, template: str, body: Any, status: int, scope: str = "admin", query: str = "", **params) -> Any:
        return self._send("PUT", template, status, body, scope, query, params)


# --- the scenario ----------------------------------------------------------------------------


def exercise(c: Client) -> None:
    """Every /v1 operation's success answers, several shapes where a function has several."""
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    # accounts
    c.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, 201, scope="payments")
    c.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, 200, scope="payments")
    c.post("/v1/accounts", {"player_id": "p2", "currency": "KRW"}, 201, scope="payments")
    c.post("/v1/admin/accounts/{player_id}/status", {"status": "frozen", "reason": "check"}, 200, player_id="p2")
    c.post("/v1/admin/accounts/{player_id}/status", {"status": "active", "reason": "checked"}, 200, player_id="p2")

    # deposits: pending then approved (twice: the stored decision), rejected, approved at once
    c.post(
        "/v1/deposits",
        {"deposit_id": "d1", "player_id": "p1", "amount": 10000, "bucket_type": "SPORTS_NORMAL"},
        201,
        scope="payments",
    )
    deposit_rolling = c.post("/v1/deposits/{deposit_id}/approve", {}, 200, scope="payments", deposit_id="d1")[
        "rolling_id"
    ]
    c.post("/v1/deposits/{deposit_id}/approve", {}, 200, scope="payments", deposit_id="d1")
    c.post(
        "/v1/deposits",
        {"deposit_id": "d2", "player_id": "p1", "amount": 700, "bucket_type": "SPORTS_NORMAL"},
        201,
        scope="payments",
    )
    c.post("/v1/deposits/{deposit_id}/reject", {"reason": "provider declined"}, 200, scope="payments", deposit_id="d2")
    c.post(
        "/v1/deposits",
        {"deposit_id": "d3", "player_id": "p1", "amount": 5000, "bucket_type": "CASINO_NORMAL", "auto_approve": True},
        201,
        scope="payments",
    )

    # adjustments, one into CASINO_BONUS that a later topology draft would strand
    c.post(
        "/v1/admin/adjustments",
        {"adjustment_id": "a1", "player_id": "p1", "bucket_type": "POINTS", "amount": 300, "reason": "goodwill"},
        201,
    )
    c.post(
        "/v1/admin/adjustments",
        {"adjustment_id": "a2", "player_id": "p1", "bucket_type": "POINTS", "amount": -100, "reason": "correction"},
        201,
    )
    c.post(
        "/v1/admin/adjustments",
        {"adjustment_id": "a3", "player_id": "p1", "bucket_type": "CASINO_BONUS", "amount": 200, "reason": "promo"},
        201,
    )

    # coupons: one restricted (kept), one reversed twice (the second answers the first)
    c.post(
        "/v1/coupons",
        {
            "coupon_id": "c1",
            "player_id": "p1",
            "amount": 500,
            "provider_types": ["SPORTS"],
            "min_odds": "1.5",
            "max_stake": 5000,
            "expires_at": later,
            "rolling_multiplier": 1,
        },
        201,
        scope="promotion",
    )
    c.post(
        "/v1/coupons",
        {
            "coupon_id": "c2",
            "player_id": "p1",
            "amount": 400,
            "provider_types": ["SLOTS"],
            "stake_returned": True,
            "winnings_bucket_type": "CASINO_BONUS",
        },
        201,
        scope="promotion",
    )
    c.post(
        "/v1/coupons",
        {"coupon_id": "c3", "player_id": "p1", "amount": 300, "provider_types": ["SPORTS"]},
        201,
        scope="promotion",
    )
    c.post(
        "/v1/coupons/{coupon_id}/reverse",
        {"reversal_id": "cr1", "reason": "cancelled"},
        200,
        scope="promotion",
        coupon_id="c3",
    )
    c.post(
        "/v1/coupons/{coupon_id}/reverse",
        {"reversal_id": "cr2", "reason": "again"},
        200,
        scope="promotion",
        coupon_id="c3",
    )

    # bets: won (rolling progress), lost and rolled back, open, and a tombstone rollback
    c.post(
        "/v1/bets",
        {
            "bet_id": "b1",
            "player_id": "p1",
            "provider_type": "SPORTS",
            "provider_id": "book",
            "stake": 2000,
            "odds": "2.00",
        },
        201,
        scope="game",
    )
    c.post(
        "/v1/bets/{bet_id}/settle",
        {"settlement_id": "s1", "player_id": "p1", "result": "WIN", "payout": 4000},
        200,
        scope="game",
        bet_id="b1",
    )
    c.post(
        "/v1/bets",
        {"bet_id": "b2", "player_id": "p1", "provider_type": "SPORTS", "provider_id": "book", "stake": 1000, "odds": 3},
        201,
        scope="game",
    )
    c.post(
        "/v1/bets/{bet_id}/settle",
        {"settlement_id": "s2", "player_id": "p1", "result": "WIN", "payout": 3000},
        200,
        scope="game",
        bet_id="b2",
    )
    c.post(
        "/v1/bets/{bet_id}/rollback",
        {"rollback_id": "rb2", "player_id": "p1", "reason": "provider"},
        200,
        scope="game",
        bet_id="b2",
    )
    c.post(
        "/v1/bets",
        {"bet_id": "b3", "player_id": "p1", "provider_type": "SLOTS", "provider_id": "slot", "stake": 600},
        201,
        scope="game",
    )
    c.post(
        "/v1/bets/{bet_id}/settle",
        {"settlement_id": "s3", "player_id": "p1", "result": "VOID"},
        200,
        scope="game",
        bet_id="b3",
    )
    c.post(
        "/v1/bets",
        {"bet_id": "b4", "player_id": "p1", "provider_type": "SPORTS", "provider_id": "book", "stake": 500},
        201,
        scope="game",
    )
    c.post(
        "/v1/bets/{bet_id}/rollback",
        {"rollback_id": "rb-late", "player_id": "p1"},
        200,
        scope="game",
        bet_id="never-seen",
    )
    # many settlements in one call: settled, refused (a problem with its detail fields), invalid
    c.post(
        "/v1/bets",
        {"bet_id": "b5", "player_id": "p1", "provider_type": "SPORTS", "provider_id": "book", "stake": 100},
        201,
        scope="game",
    )
    c.post(
        "/v1/bets/settlements",
        {
            "settlements": [
                {"bet_id": "b5", "settlement_id": "s5", "player_id": "p1", "result": "WIN", "payout": 150},
                {"bet_id": "b1", "settlement_id": "s1-again", "player_id": "p1", "result": "LOSS"},
                {"bet_id": "b5", "player_id": "p1"},
            ]
        },
        200,
        scope="game",
    )

    # promotion credits: to POINTS, and to a bonus bucket with rolling
    c.post(
        "/v1/promotions/credits",
        {"credit_id": "cb1", "player_id": "p1", "kind": "CASHBACK", "amount": 2500},
        201,
        scope="promotion",
    )
    bonus_rolling = c.post(
        "/v1/promotions/credits",
        {
            "credit_id": "ev1",
            "player_id": "p1",
            "kind": "EVENT",
            "amount": 1000,
            "bucket_type": "SPORTS_BONUS",
            "rolling_multiplier": 3,
        },
        201,
        scope="promotion",
    )["rolling_id"]
    c.post(
        "/v1/promotions/credits/{credit_id}/reverse",
        {"reversal_id": "rv1", "reason": "campaign"},
        200,
        scope="promotion",
        credit_id="cb1",
    )

    # a transfer across groups: rolling is inherited
    c.post(
        "/v1/transfers",
        {"transfer_id": "t1", "player_id": "p1", "from": "SPORTS_NORMAL", "to": "CASINO_NORMAL", "amount": 1000},
        201,
        scope="player",
    )

    # the player's views while everything is live
    c.get("/v1/players/{player_id}/balances", scope="player", player_id="p1")
    c.get("/v1/players/{player_id}/ledger", scope="player", query="?limit=500", player_id="p1")
    page = c.get("/v1/players/{player_id}/ledger", scope="player", query="?limit=3", player_id="p1")
    c.get("/v1/players/{player_id}/ledger", scope="player", query=f"?limit=3&before={page['next']}", player_id="p1")

    # rolling: cancel (twice: the second finds it cancelled), waive; then money is withdrawable
    c.post("/v1/admin/rolling/{rolling_id}/cancel", {"reason": "abuse"}, 200, rolling_id=bonus_rolling)
    c.post("/v1/admin/rolling/{rolling_id}/cancel", {"reason": "abuse"}, 200, rolling_id=bonus_rolling)
    c.post("/v1/admin/rolling/{rolling_id}/waive", {"reason": "VIP"}, 200, rolling_id=deposit_rolling)
    withdrawable = c.get("/v1/players/{player_id}/balances", scope="player", player_id="p1")["withdrawable"]
    assert withdrawable >= 1000, withdrawable
    c.post("/v1/withdrawals", {"withdrawal_id": "w1", "player_id": "p1", "amount": 400}, 201, scope="payments")
    c.post("/v1/withdrawals/{withdrawal_id}/complete", {}, 200, scope="payments", withdrawal_id="w1")
    c.post("/v1/withdrawals", {"withdrawal_id": "w2", "player_id": "p1", "amount": 300}, 201, scope="payments")
    c.post("/v1/withdrawals/{withdrawal_id}/reject", {"reason": "KYC"}, 200, scope="payments", withdrawal_id="w2")
    c.get("/v1/players/{player_id}/balances", scope="player", player_id="p1")

    # topology: a draft that strands money and breaks policies (blockers), one that adds a bucket
    c.get("/v1/admin/topologies")
    document = c.get("/v1/admin/topologies/{version}", version=1)["document"]
    stranding = copy.deepcopy(document)
    stranding["bucket_types"] = [b for b in document["bucket_types"] if b["code"] != "CASINO_BONUS"]
    stranding["transfer_edges"] = [
        e for e in document.get("transfer_edges", []) if "CASINO_BONUS" not in (e.get("from"), e.get("to"))
    ]
    stranded = c.post("/v1/admin/topologies", stranding, 201, query="?reason=drop")["version"]
    preview = c.post("/v1/admin/topologies/{version}/preview", {}, 200, version=stranded)
    assert preview["blockers"], preview
    vip = copy.deepcopy(document)
    vip["bucket_types"].append(
        {
            "code": "VIP_CASH",
            "kind": "CASH",
            "group": "SPORTS",
            "bettable": True,
            "withdrawable": False,
            "accepts_deposit": True,
            "accepts_winnings": True,
        }
    )
    added = c.post("/v1/admin/topologies", vip, 201)["version"]
    c.get("/v1/admin/topologies/{version}", version=added)

    # policies: a SPORTS policy for the new topology, activated with it
    sports = c.get("/v1/admin/policies", query="?provider_type=SPORTS")["policies"][0]
    drafted = c.post(
        "/v1/admin/policies",
        {"provider_type": "SPORTS", "document": sports["document"], "reason": "same rules", "topology_version": added},
        201,
    )["version"]
    refs = [{"provider_type": "SPORTS", "version": drafted}]
    c.post("/v1/admin/topologies/{version}/preview", {"policy_versions": refs}, 200, version=added)
    activated = c.post(
        "/v1/admin/topologies/{version}/activate", {"reason": "VIP", "policy_versions": refs}, 200, version=added
    )
    assert activated["policies_activated"] == [{"provider_type": "SPORTS", "version": drafted}], activated
    c.post("/v1/admin/topologies/{version}/activate", {"reason": "again"}, 200, version=added)
    c.post(
        "/v1/admin/policies/{provider_type}/{version}/activate",
        {"reason": "back to 1"},
        200,
        provider_type="SPORTS",
        version=1,
    )
    c.get("/v1/admin/policies")
    c.get("/v1/admin/topologies")

    # money policies
    casino = c.get("/v1/admin/group-policies", query="?wallet_group=CASINO")["policies"][0]
    group_version = c.post(
        "/v1/admin/group-policies",
        {"wallet_group": "CASINO", "document": casino["document"], "reason": "same rules"},
        201,
    )["version"]
    c.post(
        "/v1/admin/group-policies/{wallet_group}/{version}/activate",
        {"reason": "switch"},
        200,
        wallet_group="CASINO",
        version=group_version,
    )
    c.get("/v1/admin/group-policies")

    # casino: providers as configuration, a game session for the aggregator (docs/casino.md)
    c.get("/v1/admin/providers")
    c.put("/v1/admin/providers/{provider}", {"provider_type": "SLOTS", "reason": "new studio"}, 200, provider="studio")
    c.put(
        "/v1/admin/providers/{provider}",
        {"provider_type": "SLOTS", "enabled": False, "reason": "paused"},
        200,
        provider="studio",
    )
    c.post(
        "/v1/game-sessions",
        {"player_id": "p1", "provider": "evolution", "game_id": "roulette", "country": "SE", "language": "sv"},
        201,
        scope="player",
    )
    c.post(
        "/v1/game-sessions",
        {"player_id": "p1", "provider": "caleta", "country": "se", "language": "SV", "ttl_seconds": 60},
        201,
    )

    # the audit log and the events feed, whole and paged
    audit = c.get("/v1/admin/audit-log", query="?limit=500")
    assert {e["outcome"] for e in audit["entries"]} >= {"OK"}
    page = c.get("/v1/admin/audit-log", query="?limit=2")
    c.get("/v1/admin/audit-log", query=f"?limit=2&before={page['next']}")
    feed = c.get("/v1/events", scope="events", query="?after=0&limit=1000")
    c.get("/v1/events", scope="events", query=f"?after={feed['next']}")


# --- the tests -------------------------------------------------------------------------------


def test_every_success_answer_is_what_the_served_schema_says(api):
    schema = api.get("/schema/openapi.json", scope=None).json()
    checker = Checker(schema)
    exercise(Client(api, checker))
    assert checker.failures == [], "answers the schema does not describe:\n" + "\n".join(checker.failures)
    assert coverage_problems(schema, checker.exercised) == []


def test_the_check_fails_on_what_the_schema_does_not_say(api):
    """The check itself can fail: an undocumented field (top-level or nested), a missing required
    field, a wrong type or format, an operation without a body schema or never exercised."""
    schema = api.get("/schema/openapi.json", scope=None).json()
    checker = Checker(schema)
    account = api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments").json()
    assert checker.errors("POST", "/v1/accounts", 201, account) == []
    assert checker.errors("POST", "/v1/accounts", 201, {**account, "created": True})
    assert checker.errors("POST", "/v1/accounts", 201, {k: v for k, v in account.items() if k != "currency"})
    assert checker.errors("POST", "/v1/accounts", 201, {**account, "status": "gone"})
    assert checker.errors("POST", "/v1/accounts", 202, account)

    balances = api.get("/v1/players/p1/balances", scope="player").json()
    path = "/v1/players/{player_id}/balances"
    assert checker.errors("GET", path, 200, balances) == []
    assert checker.errors("GET", path, 200, {**balances, "open_bets": {**balances["open_bets"], "extra": 1}})
    assert checker.errors("GET", path, 200, {**balances, "withdrawable": "0"})

    events = api.get("/v1/events", scope="events").json()
    assert events["events"], events
    assert checker.errors("GET", "/v1/events", 200, events) == []
    bad = copy.deepcopy(events)
    bad["events"][0]["created_at"] = "yesterday"
    assert checker.errors("GET", "/v1/events", 200, bad)

    everything = set(success_operations(schema))
    assert coverage_problems(schema, everything) == []
    missing = sorted(everything)[0]
    assert coverage_problems(schema, everything - {missing}) == [f"{' '.join(missing)}: never exercised by this test"]
    assert coverage_problems(schema, everything | {("POST", "/v1/accounts", "202")}) == [
        "POST /v1/accounts 202: answered but not documented"
    ]
    blank = copy.deepcopy(schema)
    blank["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {}
    assert coverage_problems(blank, everything) == ["GET /v1/events 200: no application/json body schema"]
