"""Transfers over HTTP (scope player): only along the active topology's edges and limits, and
rolling moves with the money (SPEC §3, §5, §5a)."""

from tests.support.http import assert_problem
from tests.support.money import assert_balances, bet, credit, deposit, ok, open_account, rolling, settle, transfer


def move(api, transfer_id, source, target, amount, player_id="p1"):
    return api.post(
        "/v1/transfers",
        {"transfer_id": transfer_id, "player_id": player_id, "from": source, "to": target, "amount": amount},
        scope="player",
    )


def test_cashback_points_become_sports_money(api):
    open_account(api)
    credit(api, "cr1", 1500, kind="CASHBACK")
    assert_balances(api, POINTS=1500)

    # The default POINTS -> SPORTS_NORMAL edge: rate 1:1, at least 1000.
    body = assert_problem(move(api, "t0", "POINTS", "SPORTS_NORMAL", 999), 409, "TRANSFER_NOT_ALLOWED")
    assert body["min"] == 1000
    assert_problem(move(api, "t0", "POINTS", "SPORTS_BONUS", 1000), 409, "TRANSFER_NOT_ALLOWED")
    assert_problem(move(api, "t0", "SPORTS_NORMAL", "POINTS", 1000), 409, "TRANSFER_NOT_ALLOWED")
    assert_problem(move(api, "t0", "POINTS", "POINTS", 1000), 409, "TRANSFER_NOT_ALLOWED")
    assert_balances(api, POINTS=1500)

    first = move(api, "t1", "POINTS", "SPORTS_NORMAL", 1200)
    assert ok(first, 201) == {
        "transfer_id": "t1",
        "from": "POINTS",
        "to": "SPORTS_NORMAL",
        "debited": 1200,
        "credited": 1200,
        "rolling_moved": 0,
        "rolling": [],
        "inherited_rolling_id": None,
        "arrival_rolling_id": None,
    }
    # No DEPOSIT obligation locks SPORTS, and money arriving by transfer carries none by default.
    assert_balances(api, POINTS=300, SPORTS_NORMAL=1200, withdrawable=1200)

    replay = move(api, "t1", "POINTS", "SPORTS_NORMAL", 1200)
    assert replay.status_code == 201 and replay.content == first.content
    assert_problem(move(api, "t1", "POINTS", "SPORTS_NORMAL", 1300), 409, "IDEMPOTENCY_CONFLICT")
    assert_problem(move(api, "t1", "POINTS", "CASINO_NORMAL", 1200), 409, "IDEMPOTENCY_CONFLICT")
    body = assert_problem(move(api, "t2", "POINTS", "SPORTS_NORMAL", 1000), 409, "INSUFFICIENT_FUNDS")
    assert body["available"] == 300
    assert_balances(api, POINTS=300, SPORTS_NORMAL=1200, withdrawable=1200)


def test_rolling_moves_with_the_money(api):
    open_account(api)
    rolling_id = deposit(api, "d1", 10000)["rolling_id"]
    bet(api, "b1", 2000)
    settle(api, "b1", "LOSS")
    assert_balances(api, SPORTS_NORMAL=8000)

    moved = transfer(api, "t1", "SPORTS_NORMAL", "CASINO_NORMAL", 4000)
    # Half the group's cash leaves: half the base and half the outstanding 8000 go with it.
    assert moved["rolling_moved"] == 4000
    assert moved["rolling"] == [{"from_rolling_id": rolling_id, "base_amount": 5000, "required": 4000}]
    assert moved["inherited_rolling_id"] is not None
    snap = assert_balances(api, SPORTS_NORMAL=4000, CASINO_NORMAL=4000)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 5000, 6000, 2000), ("CASINO", "DEPOSIT", 5000, 4000, 0)]


def test_moving_all_of_a_groups_cash_moves_all_of_its_obligation(api):
    open_account(api)
    deposit(api, "d1", 1000)
    moved = transfer(api, "t1", "SPORTS_NORMAL", "CASINO_NORMAL", 1000)
    assert (moved["debited"], moved["credited"], moved["rolling_moved"]) == (1000, 1000, 1000)
    snap = assert_balances(api, CASINO_NORMAL=1000)
    assert rolling(snap) == [("CASINO", "DEPOSIT", 1000, 1000, 0)]


def test_transfer_refusals(api):
    open_account(api)
    deposit(api, "d1", 5000)
    body = assert_problem(move(api, "t1", "GOLD", "SPORTS_NORMAL", 100), 422, "UNKNOWN_BUCKET_TYPE")
    assert [e["path"] for e in body["errors"]] == ["from"]
    body = assert_problem(move(api, "t1", "SPORTS_NORMAL", "GOLD", 100), 422, "UNKNOWN_BUCKET_TYPE")
    assert [e["path"] for e in body["errors"]] == ["to"]
    assert_problem(move(api, "t1", "SPORTS_NORMAL", "CASINO_NORMAL", 100, player_id="ghost"), 404, "UNKNOWN_ACCOUNT")
    body = assert_problem(
        api.post("/v1/transfers", {"transfer_id": "t1", "from_": "SPORTS_NORMAL", "amount": 0}, scope="player"),
        422,
        "VALIDATION_FAILED",
    )
    assert sorted(e["path"] for e in body["errors"]) == ["amount", "from", "from_", "player_id", "to"]
    body = assert_problem(move(api, "t1", "SPORTS_NORMAL", "CASINO_NORMAL", 6000), 409, "INSUFFICIENT_FUNDS")
    assert body["available"] == 5000
    ok(api.post("/v1/admin/accounts/p1/status", {"status": "frozen", "reason": "chargeback"}), 200)
    assert_problem(move(api, "t1", "SPORTS_NORMAL", "CASINO_NORMAL", 100), 409, "ACCOUNT_FROZEN")
    assert_balances(api, SPORTS_NORMAL=5000)
