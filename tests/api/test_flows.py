"""End-to-end money flows over HTTP, the balances snapshot checked after every step; rolling
waive and cancel; the events feed; scopes of every money route; and that the tests reach every
code the money routes can refuse with, at the status of sql/error_codes.tsv."""

import csv
import re
from pathlib import Path

import pytest

from tests.support.http import ALL_SCOPES, assert_problem
from tests.support.money import (
    assert_balances,
    bet,
    coupons,
    deposit,
    grant_coupon,
    ok,
    open_account,
    rollback,
    rolling,
    settle,
    transfer,
    withdraw,
)

ROOT = Path(__file__).resolve().parents[2]


def test_sports_flow(api):
    open_account(api)
    assert_balances(api)

    rolling_id = deposit(api, "d1", 10000)["rolling_id"]
    snap = assert_balances(api, SPORTS_NORMAL=10000)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 10000, 10000, 0)]
    body = assert_problem(
        api.post("/v1/withdrawals", {"withdrawal_id": "w0", "player_id": "p1", "amount": 100}, scope="payments"),
        409,
        "INSUFFICIENT_FUNDS",
    )
    assert body["available"] == 0

    assert bet(api, "b1", 4000, odds="2.00")["funding"] == [{"source": "SPORTS_NORMAL", "amount": 4000}]
    assert_balances(api, SPORTS_NORMAL=6000, open_bets=(1, 4000))
    won = settle(api, "b1", "WIN", 8000)
    assert won["credits"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 8000}]
    assert won["rolling"] == [{"rolling_id": rolling_id, "progress": 4000, "status": "ACTIVE"}]
    snap = assert_balances(api, SPORTS_NORMAL=14000)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 10000, 10000, 4000)]

    bet(api, "b2", 6000, odds="1.5")
    assert_balances(api, SPORTS_NORMAL=8000, open_bets=(1, 6000))
    lost = settle(api, "b2", "LOSS")
    assert lost["credits"] == []
    assert lost["rolling"] == [{"rolling_id": rolling_id, "progress": 10000, "status": "COMPLETED"}]
    # Completed: the group's cash is released to WITHDRAWABLE.
    snap = assert_balances(api, WITHDRAWABLE=8000, withdrawable=8000)
    assert rolling(snap) == []

    # Recycle some into casino cash (no obligation comes with it): withdrawable from both.
    transfer(api, "t1", "WITHDRAWABLE", "CASINO_NORMAL", 2000)
    assert_balances(api, WITHDRAWABLE=6000, CASINO_NORMAL=2000, withdrawable=8000)

    pending = withdraw(api, "w1", 7000)
    assert pending["sources"] == [
        {"bucket_type": "WITHDRAWABLE", "amount": 6000},
        {"bucket_type": "CASINO_NORMAL", "amount": 1000},
    ]
    assert_balances(api, CASINO_NORMAL=1000, withdrawable=1000, pending_withdrawals=7000)
    rejected = ok(api.post("/v1/withdrawals/w1/reject", {"reason": "name mismatch"}, scope="payments"), 200)
    assert rejected["refunded"] == pending["sources"]
    assert_balances(api, WITHDRAWABLE=6000, CASINO_NORMAL=2000, withdrawable=8000)

    withdraw(api, "w2", 8000)
    assert_balances(api, pending_withdrawals=8000)
    assert ok(api.post("/v1/withdrawals/w2/complete", {}, scope="payments"), 200)["status"] == "PAID"
    assert_balances(api)


def test_casino_flow_live_and_slots_share_the_casino_group(api):
    open_account(api)
    rolling_id = deposit(api, "d1", 10000, "CASINO_NORMAL")["rolling_id"]
    assert_balances(api, CASINO_NORMAL=10000)

    assert bet(api, "l1", 2000, "LIVE")["funding"] == [{"source": "CASINO_NORMAL", "amount": 2000}]
    assert bet(api, "s1", 3000, "SLOTS")["funding"] == [{"source": "CASINO_NORMAL", "amount": 3000}]
    assert_balances(api, CASINO_NORMAL=5000, open_bets=(2, 5000))

    # LIVE counts 10% of its stake towards rolling, SLOTS 100%.
    assert settle(api, "l1", "LOSS")["rolling"] == [{"rolling_id": rolling_id, "progress": 200, "status": "ACTIVE"}]
    snap = assert_balances(api, CASINO_NORMAL=5000, open_bets=(1, 3000))
    assert rolling(snap) == [("CASINO", "DEPOSIT", 10000, 10000, 200)]
    won = settle(api, "s1", "WIN", 4500)
    assert won["credits"] == [{"bucket_type": "CASINO_NORMAL", "amount": 4500}]
    assert won["rolling"] == [{"rolling_id": rolling_id, "progress": 3200, "status": "ACTIVE"}]
    snap = assert_balances(api, CASINO_NORMAL=9500)
    assert rolling(snap) == [("CASINO", "DEPOSIT", 10000, 10000, 3200)]

    # Casino money does not fund sports.
    body = assert_problem(
        api.post(
            "/v1/bets",
            {"bet_id": "x1", "player_id": "p1", "provider_type": "SPORTS", "provider_id": "sb", "stake": 100},
            scope="game",
        ),
        409,
        "INSUFFICIENT_FUNDS",
    )
    assert body["available"] == 0
    assert_balances(api, CASINO_NORMAL=9500)


def test_free_bet_coupon_flow(api):
    open_account(api)
    assert grant_coupon(api, "c1", 1000, stake_returned=False)["remaining"] == 1000
    snap = assert_balances(api)
    assert coupons(snap) == {"c1": 1000}

    assert bet(api, "b1", 1000, odds="3.0")["funding"] == [{"source": "coupon:c1", "amount": 1000}]
    snap = assert_balances(api, open_bets=(1, 1000))
    assert coupons(snap).get("c1", 0) == 0
    # A free bet pays the payout less its stake, to the policy's COUPON destination.
    assert settle(api, "b1", "WIN", 3000)["credits"] == [{"bucket_type": "SPORTS_BONUS", "amount": 2000}]
    assert_balances(api, SPORTS_BONUS=2000)

    # Half coupon, half cash: the payout splits pro rata; only the cash stake counts for the
    # deposit obligation.
    rolling_id = deposit(api, "d1", 1000)["rolling_id"]
    grant_coupon(api, "c2", 500)
    assert bet(api, "b2", 1000, odds="2")["funding"] == [
        {"source": "coupon:c2", "amount": 500},
        {"source": "SPORTS_NORMAL", "amount": 500},
    ]
    assert_balances(api, SPORTS_BONUS=2000, SPORTS_NORMAL=500, open_bets=(1, 1000))
    split = settle(api, "b2", "WIN", 2000)
    assert split["credits"] == [
        {"bucket_type": "SPORTS_BONUS", "amount": 500},
        {"bucket_type": "SPORTS_NORMAL", "amount": 1000},
    ]
    assert split["rolling"] == [{"rolling_id": rolling_id, "progress": 500, "status": "ACTIVE"}]
    snap = assert_balances(api, SPORTS_BONUS=2500, SPORTS_NORMAL=1500)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 1000, 1000, 500)]

    # A coupon's own winnings bucket wins over the policy; stake_returned pays the whole share.
    grant_coupon(api, "c3", 300, stake_returned=True, winnings_bucket_type="SPORTS_NORMAL")
    bet(api, "b3", 300)
    coupon_win = settle(api, "b3", "WIN", 900)
    assert coupon_win["credits"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 900}]
    assert coupon_win["rolling"] == []
    assert_balances(api, SPORTS_BONUS=2500, SPORTS_NORMAL=2400)

    # A coupon bet rolled back gives the coupon its remaining back.
    grant_coupon(api, "c4", 1000)
    bet(api, "b4", 600)
    assert coupons(assert_balances(api, SPORTS_BONUS=2500, SPORTS_NORMAL=2400, open_bets=(1, 600)))["c4"] == 400
    assert rollback(api, "b4")["restored"] == [{"source": "coupon:c4", "amount": 600}]
    snap = assert_balances(api, SPORTS_BONUS=2500, SPORTS_NORMAL=2400)
    assert coupons(snap)["c4"] == 1000


def test_waive_a_deposit_obligation_releases_the_group_cash(api, db):
    open_account(api)
    rolling_id = deposit(api, "d1", 10000)["rolling_id"]
    bet(api, "b1", 2000)
    settle(api, "b1", "LOSS")
    assert_balances(api, SPORTS_NORMAL=8000)

    waived = ok(api.post(f"/v1/admin/rolling/{rolling_id}/waive", {"reason": "vip goodwill"}), 200)
    assert waived == {"rolling_id": rolling_id, "status": "WAIVED", "progress": 2000, "released": 8000, "forfeited": 0}
    snap = assert_balances(api, WITHDRAWABLE=8000, withdrawable=8000)
    assert rolling(snap) == []
    again = ok(api.post(f"/v1/admin/rolling/{rolling_id}/waive", {"reason": "vip goodwill"}), 200)
    assert again["status"] == "WAIVED"
    assert_problem(api.post(f"/v1/admin/rolling/{rolling_id}/cancel", {"reason": "oops"}), 409, "INVALID_STATE")
    assert_balances(api, WITHDRAWABLE=8000, withdrawable=8000)
    audit = [e for e in ok(api.get("/v1/admin/audit-log?limit=100"), 200)["entries"] if e["action"] == "rolling.waived"]
    assert [(e["actor"], e["reason"]) for e in audit] == [("test-admin", "vip goodwill")]


def test_cancel_a_coupon_bonus_obligation_forfeits_the_bonus(api):
    open_account(api)
    rolling_id = grant_coupon(api, "c1", 1000, rolling_multiplier=5)["rolling_id"]
    snap = assert_balances(api)
    assert rolling(snap) == [("SPORTS", "BONUS", 1000, 5000, 0)]
    bet(api, "b1", 1000, odds="3")
    won = settle(api, "b1", "WIN", 3000)
    assert won["credits"] == [{"bucket_type": "SPORTS_BONUS", "amount": 2000}]
    assert won["rolling"] == [{"rolling_id": rolling_id, "progress": 1000, "status": "ACTIVE"}]
    snap = assert_balances(api, SPORTS_BONUS=2000)
    assert rolling(snap) == [("SPORTS", "BONUS", 1000, 5000, 1000)]

    cancelled = ok(api.post(f"/v1/admin/rolling/{rolling_id}/cancel", {"reason": "bonus abuse"}), 200)
    assert cancelled == {
        "rolling_id": rolling_id,
        "status": "CANCELLED",
        "progress": 1000,
        "released": 0,
        "forfeited": 2000,
    }
    snap = assert_balances(api)
    assert rolling(snap) == []


def test_rolling_admin_refusals(api):
    assert_problem(api.post("/v1/admin/rolling/999999/waive", {"reason": "x"}), 404, "ROLLING_NOT_FOUND")
    assert_problem(api.post("/v1/admin/rolling/999999/cancel", {"reason": "x"}), 404, "ROLLING_NOT_FOUND")
    assert_problem(api.post("/v1/admin/rolling/1/waive", {}), 422, "VALIDATION_FAILED")
    assert_problem(api.post("/v1/admin/rolling/0/waive", {"reason": "x"}), 422, "VALIDATION_FAILED")
    assert_problem(api.post(f"/v1/admin/rolling/{2**63}/cancel", {"reason": "x"}), 422, "VALIDATION_FAILED")


def test_events_feed_in_order_with_a_cursor(api):
    open_account(api)
    deposit(api, "d1", 1000)
    bet(api, "b1", 500)
    settle(api, "b1", "LOSS")

    feed = ok(api.get("/v1/events?after=0&limit=1000", scope="events"), 200)
    ids = [e["id"] for e in feed["events"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and feed["next"] == ids[-1]
    mine = [e["type"] for e in feed["events"] if e["player_id"] == "p1"]
    for expected in ("deposit.approved", "rolling.created", "bet.authorized", "bet.settled"):
        assert expected in mine
    assert mine.index("bet.authorized") < mine.index("bet.settled")
    settled = next(e for e in feed["events"] if e["type"] == "bet.settled")
    assert settled["payload"]["bet_id"] == "b1" and settled["created_at"]

    cursor = feed["next"]
    assert ok(api.get(f"/v1/events?after={cursor}", scope="events"), 200) == {"events": [], "next": cursor}
    bet(api, "b2", 100)
    newer = ok(api.get(f"/v1/events?after={cursor}", scope="admin"), 200)
    assert [e["type"] for e in newer["events"]] == ["bet.authorized"]
    assert newer["events"][0]["id"] > cursor and newer["next"] == newer["events"][0]["id"]

    page = ok(api.get("/v1/events?after=0&limit=2", scope="events"), 200)
    assert [e["id"] for e in page["events"]] == ids[:2] and page["next"] == ids[1]
    following = ok(api.get(f"/v1/events?after={page['next']}&limit=2", scope="events"), 200)
    assert [e["id"] for e in following["events"]] == ids[2:4]

    assert_problem(api.get("/v1/events", scope="game"), 403, "FORBIDDEN")
    for query in ("limit=0", "limit=1001", "after=-1", "after=x"):
        assert_problem(api.get(f"/v1/events?{query}", scope="events"), 422, "VALIDATION_FAILED")


MONEY_ROUTES = [
    ("POST", "/v1/bets", {"game"}),
    ("POST", "/v1/bets/b1/settle", {"game"}),
    ("POST", "/v1/bets/b1/rollback", {"game"}),
    ("POST", "/v1/deposits", {"payments"}),
    ("POST", "/v1/deposits/d1/approve", {"payments"}),
    ("POST", "/v1/deposits/d1/reject", {"payments"}),
    ("POST", "/v1/withdrawals", {"payments"}),
    ("POST", "/v1/withdrawals/w1/complete", {"payments"}),
    ("POST", "/v1/withdrawals/w1/reject", {"payments"}),
    ("POST", "/v1/promotions/credits", {"promotion"}),
    ("POST", "/v1/promotions/credits/cr1/reverse", {"promotion"}),
    ("POST", "/v1/coupons", {"promotion"}),
    ("POST", "/v1/coupons/c1/reverse", {"promotion"}),
    ("POST", "/v1/transfers", {"player"}),
    ("POST", "/v1/admin/rolling/1/waive", {"admin"}),
    ("POST", "/v1/admin/rolling/1/cancel", {"admin"}),
    ("GET", "/v1/events", {"events", "admin"}),
]


@pytest.mark.parametrize(("method", "path", "allowed"), MONEY_ROUTES, ids=[f"{m} {p}" for m, p, _ in MONEY_ROUTES])
def test_money_routes_need_their_scope(api, method, path, allowed):
    def send(scope):
        return api.post(path, {}, scope=scope) if method == "POST" else api.get(path, scope=scope)

    assert_problem(send(None), 401, "UNAUTHORIZED")
    for scope in sorted(set(ALL_SCOPES) - allowed):
        assert_problem(send(scope), 403, "FORBIDDEN")
    for scope in allowed:
        assert send(scope).status_code not in (401, 403)


# Every code the money routes can answer with (SPEC §5, API.md), and the test files that must
# reach each one at least once.
MONEY_CODES = {
    "VALIDATION_FAILED",
    "UNKNOWN_ACCOUNT",
    "ACCOUNT_FROZEN",
    "ACCOUNT_CLOSED",
    "UNKNOWN_BUCKET_TYPE",
    "INSUFFICIENT_FUNDS",
    "IDEMPOTENCY_CONFLICT",
    "UNKNOWN_PROVIDER_TYPE",
    "NOT_BETTABLE",
    "SOURCE_REQUIRED",
    "SOURCE_NOT_ALLOWED",
    "COUPON_NOT_ELIGIBLE",
    "BET_NOT_FOUND",
    "BET_ALREADY_SETTLED",
    "BET_ALREADY_ROLLED_BACK",
    "TRANSFER_NOT_ALLOWED",
    "DEPOSIT_NOT_FOUND",
    "WITHDRAWAL_NOT_FOUND",
    "COUPON_NOT_FOUND",
    "CREDIT_NOT_FOUND",
    "ROLLING_NOT_FOUND",
    "INVALID_STATE",
    "DEPOSIT_NOT_ALLOWED",
    "UNAUTHORIZED",
    "FORBIDDEN",
}
MONEY_TESTS = [
    "test_bets.py",
    "test_payments.py",
    "test_promotions.py",
    "test_transfers.py",
    "test_flows.py",
]


def test_the_money_tests_reach_every_code_at_its_documented_status():
    with (ROOT / "sql" / "error_codes.tsv").open(newline="") as f:
        status = {r["code"]: int(r["http_status"]) for r in csv.DictReader(f, delimiter="\t")}
    asserted = set()
    for name in MONEY_TESTS:
        for http, code in re.findall(r'(\d{3}),\s*"([A-Z_]+)",?\s*\)', (ROOT / "tests" / "api" / name).read_text()):
            if code not in status:
                continue  # e.g. deposit(api, "d1", 10000, "CASINO_NORMAL")
            assert status[code] == int(http), f"{name} expects {code} as {http}, the table says {status[code]}"
            asserted.add(code)
    assert MONEY_CODES - asserted == set()


def test_progress_fills_the_oldest_obligation_and_carries_on(api):
    open_account(api)
    first = deposit(api, "d1", 1000)["rolling_id"]
    second = deposit(api, "d2", 3000)["rolling_id"]
    bet(api, "b1", 1500)
    lost = settle(api, "b1", "LOSS")
    assert lost["rolling"] == [
        {"rolling_id": first, "progress": 1000, "status": "COMPLETED"},
        {"rolling_id": second, "progress": 500, "status": "ACTIVE"},
    ]
    # Another obligation stays: only the completed one's base is released; the rest stays locked.
    snap = assert_balances(api, SPORTS_NORMAL=1500, WITHDRAWABLE=1000, withdrawable=1000)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 3000, 3000, 500)]


def test_group_money_at_the_threshold_completes_its_deposit_obligations(api):
    open_account(api)
    rolling_id = deposit(api, "d1", 1000, "CASINO_NORMAL")["rolling_id"]
    bet(api, "l1", 1000, "LIVE")
    assert settle(api, "l1", "LOSS")["rolling"] == [{"rolling_id": rolling_id, "progress": 100, "status": "ACTIVE"}]
    # Nothing left in the group (auto_complete_below 0): the obligation completed anyway.
    snap = assert_balances(api)
    assert rolling(snap) == []
    deposit(api, "d2", 500, "CASINO_NORMAL")
    assert rolling(assert_balances(api, CASINO_NORMAL=500)) == [("CASINO", "DEPOSIT", 500, 500, 0)]


def test_completing_a_bonus_obligation_converts_the_bonus_to_cash(api):
    open_account(api)
    rolling_id = grant_coupon(api, "c1", 1000, rolling_multiplier=1)["rolling_id"]
    bet(api, "b1", 1000, odds="3")
    won = settle(api, "b1", "WIN", 3000)
    assert won["credits"] == [{"bucket_type": "SPORTS_BONUS", "amount": 2000}]
    assert won["rolling"] == [{"rolling_id": rolling_id, "progress": 1000, "status": "COMPLETED"}]
    # Converted to the SPORTS money policy's destination (its first CASH bucket), which no
    # DEPOSIT obligation locks.
    snap = assert_balances(api, SPORTS_NORMAL=2000, withdrawable=2000)
    assert rolling(snap) == []


def test_coupon_reversal_cancels_its_obligation_without_forfeit(api):
    open_account(api)
    grant_coupon(api, "c1", 1000, rolling_multiplier=5)
    bet(api, "b1", 1000, odds="3")
    settle(api, "b1", "WIN", 3000)
    reversed_ = ok(
        api.post("/v1/coupons/c1/reverse", {"reversal_id": "rv1", "reason": "campaign ended"}, scope="promotion"), 200
    )
    assert (reversed_["reversed"], reversed_["consumed"]) == (0, 1000)
    snap = assert_balances(api, SPORTS_BONUS=2000)
    assert rolling(snap) == []


def test_rolling_contribution_is_floored(api):
    open_account(api)
    rolling_id = deposit(api, "d1", 10000, "CASINO_NORMAL")["rolling_id"]
    bet(api, "l1", 1005, "LIVE")
    assert settle(api, "l1", "LOSS")["rolling"] == [{"rolling_id": rolling_id, "progress": 100, "status": "ACTIVE"}]
    snap = assert_balances(api, CASINO_NORMAL=8995)
    assert rolling(snap) == [("CASINO", "DEPOSIT", 10000, 10000, 100)]


@pytest.mark.parametrize(
    ("scope", "path", "body"),
    [
        (
            "payments",
            "/v1/deposits",
            {"deposit_id": "d1", "player_id": "p1", "amount": 5, "bucket_type": "SPORTS\u0000"},
        ),
        ("payments", "/v1/deposits/d%00/approve", {}),
        ("game", "/v1/bets/b1/rollback", {"rollback_id": "r1", "player_id": "p1", "reason": "late\u0000"}),
        (
            "player",
            "/v1/transfers",
            {"transfer_id": "t1", "player_id": "p1", "from": "POINTS", "to": "\u0000", "amount": 5},
        ),
    ],
)
def test_a_nul_character_is_bad_input_not_a_fault(api, scope, path, body):
    open_account(api)
    assert_problem(api.post(path, body, scope=scope), 422, "VALIDATION_FAILED")
    assert_balances(api)
