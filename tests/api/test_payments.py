"""Deposits and withdrawals over HTTP (scope payments): state transitions and their repeats
(SPEC §5), only withdrawable money leaves (§5a), exact refunds, and every refusal."""

import pytest

from tests.support.http import assert_problem
from tests.support.money import assert_balances, deposit, ok, open_account, rolling, withdraw


def post(api, path, body=None):
    return api.post(path, body, scope="payments")


def test_pending_deposit_is_approved_once(api):
    open_account(api)
    body = {"deposit_id": "d1", "player_id": "p1", "amount": 5000, "bucket_type": "SPORTS_NORMAL"}
    created = post(api, "/v1/deposits", body)
    assert ok(created, 201) == {"deposit_id": "d1", "status": "PENDING", "amount": 5000, "bucket_type": "SPORTS_NORMAL"}
    assert_balances(api)
    replay = post(api, "/v1/deposits", body)
    assert replay.status_code == 201 and replay.content == created.content
    assert_problem(post(api, "/v1/deposits", body | {"amount": 6000}), 409, "IDEMPOTENCY_CONFLICT")

    # The contract's body is {}; no body at all is accepted too.
    approved = api.client.post("/v1/deposits/d1/approve", headers={"Authorization": f"Bearer {api.keys['payments']}"})
    result = ok(approved, 200)
    assert result == {
        "deposit_id": "d1",
        "status": "APPROVED",
        "amount": 5000,
        "bucket_type": "SPORTS_NORMAL",
        "balance_after": 5000,
        "rolling_id": result["rolling_id"],
    }
    assert isinstance(result["rolling_id"], int)
    snap = assert_balances(api, SPORTS_NORMAL=5000)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 5000, 5000, 0)]

    again = post(api, "/v1/deposits/d1/approve", {})
    assert again.status_code == 200 and again.content == approved.content
    assert_problem(post(api, "/v1/deposits/d1/reject", {"reason": "too late"}), 409, "INVALID_STATE")
    assert_balances(api, SPORTS_NORMAL=5000)


def test_rejected_deposit_stays_rejected(api):
    open_account(api)
    deposit(api, "d1", 5000, auto_approve=False)
    assert_problem(post(api, "/v1/deposits/d1/reject", {}), 422, "VALIDATION_FAILED")
    rejected = post(api, "/v1/deposits/d1/reject", {"reason": "card declined"})
    assert ok(rejected, 200) == {"deposit_id": "d1", "status": "REJECTED", "reason": "card declined"}
    again = post(api, "/v1/deposits/d1/reject", {"reason": "card declined"})
    assert again.status_code == 200 and again.content == rejected.content
    body = assert_problem(post(api, "/v1/deposits/d1/approve", {}), 409, "INVALID_STATE")
    assert body["deposit_id"] == "d1"
    assert_balances(api)


def test_auto_approved_deposit_replays_and_conflicts(api):
    open_account(api)
    body = {"deposit_id": "d1", "player_id": "p1", "amount": 7000, "bucket_type": "CASINO_NORMAL", "auto_approve": True}
    first = post(api, "/v1/deposits", body)
    assert ok(first, 201)["status"] == "APPROVED" and first.json()["balance_after"] == 7000
    replay = post(api, "/v1/deposits", body)
    assert replay.status_code == 201 and replay.content == first.content
    assert_problem(post(api, "/v1/deposits", body | {"auto_approve": False}), 409, "IDEMPOTENCY_CONFLICT")
    assert_problem(post(api, "/v1/deposits", body | {"bucket_type": "SPORTS_NORMAL"}), 409, "IDEMPOTENCY_CONFLICT")
    # A deposit id names one deposit, whoever sends it.
    open_account(api, "p2")
    assert_problem(post(api, "/v1/deposits", body | {"player_id": "p2"}), 409, "IDEMPOTENCY_CONFLICT")
    assert_balances(api, CASINO_NORMAL=7000)
    assert_balances(api, "p2")


@pytest.mark.parametrize("bucket_type", ["SPORTS_BONUS", "CASINO_BONUS", "POINTS", "WITHDRAWABLE"])
def test_deposit_to_a_bucket_that_takes_no_deposits_is_422(api, bucket_type):
    open_account(api)
    body = assert_problem(
        post(
            api,
            "/v1/deposits",
            {"deposit_id": "d1", "player_id": "p1", "amount": 100, "bucket_type": bucket_type, "auto_approve": True},
        ),
        422,
        "DEPOSIT_NOT_ALLOWED",
    )
    assert [e["path"] for e in body["errors"]] == ["bucket_type"]
    assert_balances(api)


def test_deposit_refusals(api):
    open_account(api)
    body = assert_problem(
        post(api, "/v1/deposits", {"deposit_id": "d1", "player_id": "p1", "amount": 100, "bucket_type": "GOLD"}),
        422,
        "UNKNOWN_BUCKET_TYPE",
    )
    assert [e["path"] for e in body["errors"]] == ["bucket_type"]
    assert_problem(
        post(
            api,
            "/v1/deposits",
            {"deposit_id": "d1", "player_id": "ghost", "amount": 100, "bucket_type": "SPORTS_NORMAL"},
        ),
        404,
        "UNKNOWN_ACCOUNT",
    )
    body = assert_problem(
        post(api, "/v1/deposits", {"deposit_id": 1, "amount": 10**16, "auto_approve": "yes"}), 422, "VALIDATION_FAILED"
    )
    assert sorted(e["path"] for e in body["errors"]) == [
        "amount",
        "auto_approve",
        "bucket_type",
        "deposit_id",
        "player_id",
    ]
    assert_problem(post(api, "/v1/deposits/nope/approve", {}), 404, "DEPOSIT_NOT_FOUND")
    assert_problem(post(api, "/v1/deposits/nope/reject", {"reason": "x"}), 404, "DEPOSIT_NOT_FOUND")
    deposit(api, "d2", 100, auto_approve=False)
    body = assert_problem(post(api, "/v1/deposits/d2/approve", {"note": "x"}), 422, "VALIDATION_FAILED")
    assert body["errors"] == [{"path": "note", "message": "is not a field of this request"}]
    assert_balances(api)


def test_frozen_account_takes_deposits_and_closed_one_does_not(api):
    open_account(api)
    ok(api.post("/v1/admin/accounts/p1/status", {"status": "frozen", "reason": "kyc"}), 200)
    deposit(api, "d1", 100)
    assert_balances(api, SPORTS_NORMAL=100)
    open_account(api, "p2")
    ok(api.post("/v1/admin/accounts/p2/status", {"status": "closed", "reason": "player request"}), 200)
    assert_problem(
        post(
            api, "/v1/deposits", {"deposit_id": "d2", "player_id": "p2", "amount": 100, "bucket_type": "SPORTS_NORMAL"}
        ),
        409,
        "ACCOUNT_CLOSED",
    )
    assert_balances(api, "p2")


@pytest.fixture
def withdrawable_10000(api):
    """p1 with 10000 deposited and its obligation waived: all of it in WITHDRAWABLE."""
    open_account(api)
    approved = deposit(api, "d1", 10000)
    body = assert_problem(
        post(api, "/v1/withdrawals", {"withdrawal_id": "w0", "player_id": "p1", "amount": 1}), 409, "INSUFFICIENT_FUNDS"
    )
    assert body["available"] == 0  # deposited money is locked until its rolling completes
    ok(api.post(f"/v1/admin/rolling/{approved['rolling_id']}/waive", {"reason": "vip"}), 200)
    assert_balances(api, WITHDRAWABLE=10000, withdrawable=10000)


def test_withdrawal_paid_and_its_repeats(api, withdrawable_10000):
    body = assert_problem(
        post(api, "/v1/withdrawals", {"withdrawal_id": "w1", "player_id": "p1", "amount": 12000}),
        409,
        "INSUFFICIENT_FUNDS",
    )
    assert body["available"] == 10000
    request = {"withdrawal_id": "w1", "player_id": "p1", "amount": 4000}
    created = post(api, "/v1/withdrawals", request)
    assert ok(created, 201) == {
        "withdrawal_id": "w1",
        "status": "PENDING",
        "amount": 4000,
        "sources": [{"bucket_type": "WITHDRAWABLE", "amount": 4000}],
    }
    assert_balances(api, WITHDRAWABLE=6000, withdrawable=6000, pending_withdrawals=4000)
    replay = post(api, "/v1/withdrawals", request)
    assert replay.status_code == 201 and replay.content == created.content
    assert_problem(post(api, "/v1/withdrawals", request | {"amount": 4001}), 409, "IDEMPOTENCY_CONFLICT")

    paid = api.client.post("/v1/withdrawals/w1/complete", headers={"Authorization": f"Bearer {api.keys['payments']}"})
    assert ok(paid, 200) == {"withdrawal_id": "w1", "status": "PAID", "amount": 4000}
    assert_balances(api, WITHDRAWABLE=6000, withdrawable=6000)
    again = post(api, "/v1/withdrawals/w1/complete", {})
    assert again.status_code == 200 and again.content == paid.content
    assert_problem(post(api, "/v1/withdrawals/w1/reject", {"reason": "fraud"}), 409, "INVALID_STATE")
    assert_balances(api, WITHDRAWABLE=6000, withdrawable=6000)


def test_withdrawal_rejected_and_its_repeats(api, withdrawable_10000):
    withdraw(api, "w1", 1000)
    rejected = post(api, "/v1/withdrawals/w1/reject", {"reason": "bank details wrong"})
    assert ok(rejected, 200) == {
        "withdrawal_id": "w1",
        "status": "REJECTED",
        "amount": 1000,
        "refunded": [{"bucket_type": "WITHDRAWABLE", "amount": 1000}],
        "reason": "bank details wrong",
    }
    assert_balances(api, WITHDRAWABLE=10000, withdrawable=10000)
    again = post(api, "/v1/withdrawals/w1/reject", {"reason": "bank details wrong"})
    assert again.status_code == 200 and again.content == rejected.content
    assert_problem(post(api, "/v1/withdrawals/w1/complete", {}), 409, "INVALID_STATE")
    assert_balances(api, WITHDRAWABLE=10000, withdrawable=10000)


def test_withdrawal_refusals(api, withdrawable_10000):
    assert_problem(post(api, "/v1/withdrawals/nope/complete", {}), 404, "WITHDRAWAL_NOT_FOUND")
    assert_problem(post(api, "/v1/withdrawals/nope/reject", {"reason": "x"}), 404, "WITHDRAWAL_NOT_FOUND")
    assert_problem(
        post(api, "/v1/withdrawals", {"withdrawal_id": "w1", "player_id": "ghost", "amount": 1}), 404, "UNKNOWN_ACCOUNT"
    )
    body = assert_problem(post(api, "/v1/withdrawals", {"amount": 0}), 422, "VALIDATION_FAILED")
    assert sorted(e["path"] for e in body["errors"]) == ["amount", "player_id", "withdrawal_id"]
    withdraw(api, "w1", 1000)
    assert_problem(post(api, "/v1/withdrawals/w1/reject", {"reason": ""}), 422, "VALIDATION_FAILED")
    # Frozen: no new withdrawal, but the pending one can still be paid.
    ok(api.post("/v1/admin/accounts/p1/status", {"status": "frozen", "reason": "kyc"}), 200)
    assert_problem(
        post(api, "/v1/withdrawals", {"withdrawal_id": "w2", "player_id": "p1", "amount": 1}), 409, "ACCOUNT_FROZEN"
    )
    ok(post(api, "/v1/withdrawals/w1/complete", {}), 200)
    assert_balances(api, WITHDRAWABLE=9000, withdrawable=9000)


def test_deposit_obligation_follows_the_group_money_policy(api):
    created = ok(
        api.post("/v1/admin/group-policies", {"wallet_group": "CASINO", "document": {"deposit_rolling_bps": 15000}}),
        201,
    )
    ok(api.post(f"/v1/admin/group-policies/CASINO/{created['version']}/activate", {"reason": "1.5x rolling"}), 200)
    open_account(api)
    deposit(api, "d1", 1001, "CASINO_NORMAL")
    snap = assert_balances(api, CASINO_NORMAL=1001)
    assert rolling(snap) == [("CASINO", "DEPOSIT", 1001, 1502, 0)]  # ceil(1001 x 1.5)
