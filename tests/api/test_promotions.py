"""Promotion credits and coupons over HTTP (scope promotion): grants, restrictions, rolling, and
the saga reversals that never fail half-way and never go below zero (SPEC §5)."""

import pytest

from tests.support.http import assert_problem
from tests.support.money import (
    assert_balances,
    bet,
    coupons,
    credit,
    deposit,
    grant_coupon,
    ok,
    open_account,
    rollback,
    rolling,
    settle,
    snapshot,
    transfer,
)


def post(api, path, body):
    return api.post(path, body, scope="promotion")


def test_credit_to_points_replays_and_conflicts(api):
    open_account(api)
    body = {"credit_id": "cr1", "player_id": "p1", "kind": "CASHBACK", "amount": 1500}
    first = post(api, "/v1/promotions/credits", body)
    assert ok(first, 201) == {
        "credit_id": "cr1",
        "kind": "CASHBACK",
        "amount": 1500,
        "bucket_type": "POINTS",
        "balance_after": 1500,
        "rolling_id": None,
    }
    assert_balances(api, POINTS=1500)
    replay = post(api, "/v1/promotions/credits", body)
    assert replay.status_code == 201 and replay.content == first.content
    # The defaults are part of the payload: spelling them out is the same request.
    explicit = post(api, "/v1/promotions/credits", body | {"bucket_type": "POINTS", "rolling_multiplier": 0})
    assert explicit.status_code == 201 and explicit.content == first.content
    assert_problem(post(api, "/v1/promotions/credits", body | {"amount": 1600}), 409, "IDEMPOTENCY_CONFLICT")
    assert_problem(post(api, "/v1/promotions/credits", body | {"kind": "REBATE"}), 409, "IDEMPOTENCY_CONFLICT")
    assert_balances(api, POINTS=1500)


def test_credit_with_rolling_and_its_reversal(api):
    open_account(api)
    credited = credit(api, "cr1", 2000, kind="EVENT", bucket_type="SPORTS_BONUS", rolling_multiplier=3)
    assert credited["bucket_type"] == "SPORTS_BONUS" and credited["balance_after"] == 2000
    assert credited["rolling_id"] is not None
    snap = assert_balances(api, SPORTS_BONUS=2000)
    assert rolling(snap) == [("SPORTS", "BONUS", 2000, 6000, 0)]

    reversed_ = ok(post(api, "/v1/promotions/credits/cr1/reverse", {"reversal_id": "rv1", "reason": "fraud"}), 200)
    assert reversed_ == {
        "credit_id": "cr1",
        "reversed": 2000,
        "unrecovered": 0,
        "bucket_type": "SPORTS_BONUS",
        "status": "REVERSED",
    }
    snap = assert_balances(api)
    assert rolling(snap) == []  # the reversal cancelled the obligation the credit opened


def test_reversal_recovers_only_what_the_bucket_still_holds(api):
    open_account(api)
    credit(api, "cr1", 5000)
    transfer(api, "t1", "POINTS", "SPORTS_NORMAL", 3000)
    assert_balances(api, POINTS=2000, SPORTS_NORMAL=3000, withdrawable=3000)

    first = post(api, "/v1/promotions/credits/cr1/reverse", {"reversal_id": "rv1"})
    result = ok(first, 200)
    assert (result["reversed"], result["unrecovered"]) == (2000, 3000)
    assert_balances(api, SPORTS_NORMAL=3000, withdrawable=3000)  # never below zero, other buckets untouched

    replay = post(api, "/v1/promotions/credits/cr1/reverse", {"reversal_id": "rv1"})
    assert replay.status_code == 200 and replay.content == first.content
    second = post(api, "/v1/promotions/credits/cr1/reverse", {"reversal_id": "rv2", "reason": "again"})
    assert second.status_code == 200 and second.content == first.content
    credit(api, "cr2", 100)
    assert_problem(post(api, "/v1/promotions/credits/cr2/reverse", {"reversal_id": "rv1"}), 409, "IDEMPOTENCY_CONFLICT")
    assert_balances(api, POINTS=100, SPORTS_NORMAL=3000, withdrawable=3000)


def test_credit_refusals(api):
    open_account(api)
    base = {"credit_id": "cr1", "player_id": "p1", "kind": "REBATE", "amount": 100}
    body = assert_problem(
        post(api, "/v1/promotions/credits", base | {"bucket_type": "GOLD"}), 422, "UNKNOWN_BUCKET_TYPE"
    )
    assert [e["path"] for e in body["errors"]] == ["bucket_type"]
    body = assert_problem(
        post(api, "/v1/promotions/credits", base | {"rolling_multiplier": 2}), 422, "VALIDATION_FAILED"
    )
    assert [e["path"] for e in body["errors"]] == ["rolling_multiplier"]  # POINTS belongs to no group
    assert_problem(post(api, "/v1/promotions/credits", base | {"player_id": "ghost"}), 404, "UNKNOWN_ACCOUNT")
    body = assert_problem(
        post(
            api,
            "/v1/promotions/credits",
            {"credit_id": "cr1", "kind": "GIFT", "amount": -5, "rolling_multiplier": 1001},
        ),
        422,
        "VALIDATION_FAILED",
    )
    assert sorted(e["path"] for e in body["errors"]) == ["amount", "kind", "player_id", "rolling_multiplier"]
    assert_problem(post(api, "/v1/promotions/credits/nope/reverse", {"reversal_id": "rv1"}), 404, "CREDIT_NOT_FOUND")
    body = assert_problem(post(api, "/v1/promotions/credits/nope/reverse", {}), 422, "VALIDATION_FAILED")
    assert [e["path"] for e in body["errors"]] == ["reversal_id"]
    assert_balances(api)


def test_coupon_grant_shows_in_the_snapshot_and_replays(api):
    open_account(api)
    body = {
        "coupon_id": "c1",
        "player_id": "p1",
        "amount": 2000,
        "provider_types": ["SPORTS"],
        "min_odds": "1.5",
        "max_stake": 1500,
        "expires_at": "2099-01-01T00:00:00Z",
    }
    first = post(api, "/v1/coupons", body)
    assert ok(first, 201) == {"coupon_id": "c1", "remaining": 2000, "status": "ACTIVE", "rolling_id": None}
    snap = assert_balances(api)
    assert snap["coupons"] == [
        {
            "coupon_id": "c1",
            "amount": 2000,
            "remaining": 2000,
            "expires_at": "2099-01-01T00:00:00+00:00",
            "restrictions": {
                "provider_types": ["SPORTS"],
                "min_odds": 1.5,
                "max_stake": 1500,
                "stake_returned": False,
                "winnings_bucket_type": None,
                "rolling_multiplier": 0,
            },
        }
    ]
    replay = post(api, "/v1/coupons", body | {"min_odds": 1.5})
    assert replay.status_code == 201 and replay.content == first.content
    assert_problem(post(api, "/v1/coupons", body | {"amount": 2001}), 409, "IDEMPOTENCY_CONFLICT")
    assert_problem(post(api, "/v1/coupons", body | {"provider_types": ["LIVE"]}), 409, "IDEMPOTENCY_CONFLICT")
    assert coupons(snapshot(api)) == {"c1": 2000}


def test_coupon_restrictions_decide_eligibility_in_auto_mode(api):
    open_account(api)
    deposit(api, "d1", 10000)
    grant_coupon(api, "c1", 1000, min_odds="2.0", max_stake=1000)
    assert bet(api, "b1", 500, odds="1.5")["funding"] == [{"source": "SPORTS_NORMAL", "amount": 500}]
    assert bet(api, "b2", 1100, odds="2.5")["funding"] == [{"source": "SPORTS_NORMAL", "amount": 1100}]
    assert bet(api, "b3", 600, odds="2.5")["funding"] == [{"source": "coupon:c1", "amount": 600}]
    assert bet(api, "b4", 1000, odds="3")["funding"] == [
        {"source": "coupon:c1", "amount": 400},
        {"source": "SPORTS_NORMAL", "amount": 600},
    ]
    snap = assert_balances(api, SPORTS_NORMAL=7800, open_bets=(4, 3200))
    assert coupons(snap).get("c1", 0) == 0


def test_coupon_refusals(api):
    open_account(api)
    base = {"coupon_id": "c1", "player_id": "p1", "amount": 100, "provider_types": ["SPORTS"]}
    body = assert_problem(
        post(api, "/v1/coupons", base | {"provider_types": ["SPORTS", "BINGO"]}), 422, "UNKNOWN_PROVIDER_TYPE"
    )
    assert [e["path"] for e in body["errors"]] == ["provider_types"]
    body = assert_problem(post(api, "/v1/coupons", base | {"winnings_bucket_type": "GOLD"}), 422, "UNKNOWN_BUCKET_TYPE")
    assert [e["path"] for e in body["errors"]] == ["winnings_bucket_type"]
    body = assert_problem(post(api, "/v1/coupons", base | {"winnings_bucket_type": "POINTS"}), 422, "VALIDATION_FAILED")
    assert [e["path"] for e in body["errors"]] == ["winnings_bucket_type"]
    body = assert_problem(
        post(api, "/v1/coupons", base | {"expires_at": "2000-01-01T00:00:00Z"}), 422, "VALIDATION_FAILED"
    )
    assert [e["path"] for e in body["errors"]] == ["expires_at"]
    assert_problem(post(api, "/v1/coupons", base | {"player_id": "ghost"}), 404, "UNKNOWN_ACCOUNT")
    body = assert_problem(
        post(
            api,
            "/v1/coupons",
            {
                "coupon_id": "c1",
                "amount": 0,
                "provider_types": [],
                "min_odds": "x",
                "max_stake": 0,
                "expires_at": "2099-01-01T00:00:00",  # no offset
                "stake_returned": "no",
                "rolling_multiplier": -1,
            },
        ),
        422,
        "VALIDATION_FAILED",
    )
    assert sorted(e["path"] for e in body["errors"]) == [
        "amount",
        "expires_at",
        "max_stake",
        "min_odds",
        "player_id",
        "provider_types",
        "rolling_multiplier",
        "stake_returned",
    ]
    assert_problem(
        post(api, "/v1/coupons/nope/reverse", {"reversal_id": "rv1", "reason": "x"}), 404, "COUPON_NOT_FOUND"
    )
    body = assert_problem(post(api, "/v1/coupons/nope/reverse", {"reversal_id": "rv1"}), 422, "VALIDATION_FAILED")
    assert [e["path"] for e in body["errors"]] == ["reason"]
    assert_balances(api)
    assert coupons(snapshot(api)) == {}


def test_coupon_reversal_reports_consumption_and_open_bets_still_settle(api):
    open_account(api)
    grant_coupon(api, "c1", 1000)
    bet(api, "b1", 600)
    first = post(api, "/v1/coupons/c1/reverse", {"reversal_id": "rv1", "reason": "campaign cancelled"})
    assert ok(first, 200) == {"coupon_id": "c1", "reversed": 400, "consumed": 600, "status": "REVERSED"}
    snap = assert_balances(api, open_bets=(1, 600))
    assert coupons(snap) == {}
    replay = post(api, "/v1/coupons/c1/reverse", {"reversal_id": "rv1", "reason": "campaign cancelled"})
    assert replay.status_code == 200 and replay.content == first.content
    second = post(api, "/v1/coupons/c1/reverse", {"reversal_id": "rv2", "reason": "again"})
    assert second.status_code == 200 and second.content == first.content

    # The open bet it funded settles normally: a free bet pays the payout less its stake.
    assert settle(api, "b1", "WIN", 1500)["credits"] == [{"bucket_type": "SPORTS_BONUS", "amount": 900}]
    assert_balances(api, SPORTS_BONUS=900)


def test_rollback_of_a_bet_on_a_reversed_coupon_returns_nothing_to_the_player(api):
    open_account(api)
    grant_coupon(api, "c1", 1000)
    bet(api, "b1", 500)
    ok(post(api, "/v1/coupons/c1/reverse", {"reversal_id": "rv1", "reason": "abuse"}), 200)
    assert rollback(api, "b1")["restored"] == [{"source": "coupon:c1", "amount": 500}]
    snap = assert_balances(api)
    assert coupons(snap) == {}  # the coupon's share went back to the promotion pocket


@pytest.mark.parametrize("min_odds", ["NaN", "1e2", True, -1])
def test_min_odds_other_than_a_decimal_are_422(api, min_odds):
    open_account(api)
    body = assert_problem(
        post(
            api,
            "/v1/coupons",
            {"coupon_id": "c1", "player_id": "p1", "amount": 100, "provider_types": ["SPORTS"], "min_odds": min_odds},
        ),
        422,
        "VALIDATION_FAILED",
    )
    assert [e["path"] for e in body["errors"]] == ["min_odds"]
