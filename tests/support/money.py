"""Helpers for the money-command HTTP tests: one call per command with the right scope, and
the balances snapshot checked whole, so a step that moves money anywhere unexpected fails."""

from __future__ import annotations

from typing import Any

# The buckets of the default topology (SPEC §3), grouped as the snapshot shows them.
BUCKETS = ("SPORTS_NORMAL", "SPORTS_BONUS", "CASINO_NORMAL", "CASINO_BONUS", "POINTS", "WITHDRAWABLE")


def ok(response, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def open_account(api, player_id: str = "p1") -> None:
    ok(api.post("/v1/accounts", {"player_id": player_id, "currency": "KRW"}, scope="payments"), 201)


def snapshot(api, player_id: str = "p1") -> dict:
    return ok(api.get(f"/v1/players/{player_id}/balances", scope="player"), 200)


def bucket_balances(snap: dict) -> dict[str, int]:
    lines = [b for g in snap["groups"] for b in g["buckets"]] + snap["shared"]
    return {b["bucket_type"]: b["balance"] for b in lines}


def rolling(snap: dict) -> list[tuple]:
    """Active obligations as (wallet_group, kind, base_amount, required, progress)."""
    return [(r["wallet_group"], r["kind"], r["base_amount"], r["required"], r["progress"]) for r in snap["rolling"]]


def coupons(snap: dict) -> dict[str, int]:
    """Active coupons: coupon_id -> remaining."""
    return {c["coupon_id"]: c["remaining"] for c in snap["coupons"]}


def assert_balances(
    api,
    player_id: str = "p1",
    *,
    withdrawable: int = 0,
    pending_withdrawals: int = 0,
    open_bets: tuple[int, int] = (0, 0),
    **buckets: int,
) -> dict:
    """Every bucket: the named ones hold exactly that, all others 0; and the derived figures."""
    snap = snapshot(api, player_id)
    assert bucket_balances(snap) == {b: 0 for b in BUCKETS} | buckets
    assert snap["withdrawable"] == withdrawable
    assert snap["pending_withdrawals"] == pending_withdrawals
    assert (snap["open_bets"]["count"], snap["open_bets"]["stake"]) == open_bets
    return snap


def deposit(
    api,
    deposit_id: str,
    amount: int,
    bucket_type: str = "SPORTS_NORMAL",
    player_id: str = "p1",
    auto_approve: bool = True,
) -> dict:
    return ok(
        api.post(
            "/v1/deposits",
            {
                "deposit_id": deposit_id,
                "player_id": player_id,
                "amount": amount,
                "bucket_type": bucket_type,
                "auto_approve": auto_approve,
            },
            scope="payments",
        ),
        201,
    )


def bet(api, bet_id: str, stake: int, provider_type: str = "SPORTS", player_id: str = "p1", **extra) -> dict:
    body = {
        "bet_id": bet_id,
        "player_id": player_id,
        "provider_type": provider_type,
        "provider_id": "prov-1",
        "stake": stake,
        **extra,
    }
    return ok(api.post("/v1/bets", body, scope="game"), 201)


def settle(
    api, bet_id: str, result: str, payout: int | None = None, player_id: str = "p1", settlement_id: str | None = None
) -> dict:
    body = {"settlement_id": settlement_id or f"s-{bet_id}", "player_id": player_id, "result": result}
    if payout is not None:
        body["payout"] = payout
    return ok(api.post(f"/v1/bets/{bet_id}/settle", body, scope="game"), 200)


def rollback(api, bet_id: str, player_id: str = "p1", rollback_id: str | None = None) -> dict:
    body = {"rollback_id": rollback_id or f"r-{bet_id}", "player_id": player_id, "reason": "provider rollback"}
    return ok(api.post(f"/v1/bets/{bet_id}/rollback", body, scope="game"), 200)


def credit(api, credit_id: str, amount: int, player_id: str = "p1", kind: str = "CASHBACK", **extra) -> dict:
    body = {"credit_id": credit_id, "player_id": player_id, "kind": kind, "amount": amount, **extra}
    return ok(api.post("/v1/promotions/credits", body, scope="promotion"), 201)


def grant_coupon(
    api, coupon_id: str, amount: int, player_id: str = "p1", provider_types: list[str] | None = None, **extra
) -> dict:
    body = {
        "coupon_id": coupon_id,
        "player_id": player_id,
        "amount": amount,
        "provider_types": provider_types or ["SPORTS"],
        **extra,
    }
    return ok(api.post("/v1/coupons", body, scope="promotion"), 201)


def transfer(api, transfer_id: str, source: str, target: str, amount: int, player_id: str = "p1") -> dict:
    body = {"transfer_id": transfer_id, "player_id": player_id, "from": source, "to": target, "amount": amount}
    return ok(api.post("/v1/transfers", body, scope="player"), 201)


def withdraw(api, withdrawal_id: str, amount: int, player_id: str = "p1") -> dict:
    body = {"withdrawal_id": withdrawal_id, "player_id": player_id, "amount": amount}
    return ok(api.post("/v1/withdrawals", body, scope="payments"), 201)


def activate_player_selected_live(api) -> None:
    """LIVE bets must name their one source (coupons allowed), via the admin API."""
    document = {
        "funding_mode": "PLAYER_SELECTED",
        "deduction_order": ["COUPON", "CASINO_NORMAL", "WITHDRAWABLE", "CASINO_BONUS"],
        "coupon": {"enabled": True, "max_per_bet": 1},
        "settlement_destinations": {
            "CASH": "CASINO_NORMAL",
            "WITHDRAWABLE": "WITHDRAWABLE",
            "BONUS": "CASINO_BONUS",
            "COUPON": "CASINO_BONUS",
        },
        "rolling": {"contribution_bps": 1000},
    }
    created = ok(api.post("/v1/admin/policies", {"provider_type": "LIVE", "document": document}), 201)
    ok(
        api.post(f"/v1/admin/policies/LIVE/{created['version']}/activate", {"reason": "live: player picks the source"}),
        200,
    )
