"""Bets over HTTP (scope game): authorize, settle, roll back — funding, settlement arithmetic,
rolling progress, idempotent replays, repeats by state (SPEC §4, §5, §5a) and every refusal."""

import pytest

from tests.support.http import assert_problem
from tests.support.money import (
    activate_player_selected_live,
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
    withdraw,
)


@pytest.fixture
def funded(api):
    """p1 with 10000 deposited to SPORTS_NORMAL (its DEPOSIT obligation requires 10000)."""
    open_account(api)
    approved = deposit(api, "d1", 10000)
    assert_balances(api, SPORTS_NORMAL=10000)
    return approved["rolling_id"]


def bet_body(bet_id="b1", stake=2500, **extra):
    return {
        "bet_id": bet_id,
        "player_id": "p1",
        "provider_type": "SPORTS",
        "provider_id": "prov-1",
        "stake": stake,
        **extra,
    }


def test_authorize_holds_the_stake_and_replays_identically(api, funded):
    first = api.post("/v1/bets", bet_body(odds="1.85"), scope="game")
    assert ok(first, 201) == {
        "bet_id": "b1",
        "status": "AUTHORIZED",
        "stake": 2500,
        "funding": [{"source": "SPORTS_NORMAL", "amount": 2500}],
        "topology_version": 1,
        "policy_version": 1,
    }
    assert_balances(api, SPORTS_NORMAL=7500, open_bets=(1, 2500))

    replay = api.post("/v1/bets", bet_body(odds="1.85"), scope="game")
    assert replay.status_code == 201 and replay.content == first.content
    # The same odds written as a JSON number is the same payload.
    as_number = api.post("/v1/bets", bet_body(odds=1.85), scope="game")
    assert as_number.status_code == 201 and as_number.content == first.content

    assert_problem(api.post("/v1/bets", bet_body(stake=2600, odds="1.85"), scope="game"), 409, "IDEMPOTENCY_CONFLICT")
    assert_problem(api.post("/v1/bets", bet_body(odds="1.9"), scope="game"), 409, "IDEMPOTENCY_CONFLICT")
    assert_balances(api, SPORTS_NORMAL=7500, open_bets=(1, 2500))


def test_win_pays_the_cash_destination_and_progresses_rolling(api, funded):
    bet(api, "b1", 2500, odds="1.85")
    body = {"settlement_id": "s1", "player_id": "p1", "result": "WIN", "payout": 4625}
    first = api.post("/v1/bets/b1/settle", body, scope="game")
    assert ok(first, 200) == {
        "bet_id": "b1",
        "status": "SETTLED",
        "result": "WIN",
        "payout": 4625,
        "credits": [{"bucket_type": "SPORTS_NORMAL", "amount": 4625}],
        "rolling": [{"rolling_id": funded, "progress": 2500, "status": "ACTIVE"}],
    }
    snap = assert_balances(api, SPORTS_NORMAL=12125)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 10000, 10000, 2500)]

    replay = api.post("/v1/bets/b1/settle", body, scope="game")
    assert replay.status_code == 200 and replay.content == first.content
    assert_problem(api.post("/v1/bets/b1/settle", body | {"payout": 5000}, scope="game"), 409, "IDEMPOTENCY_CONFLICT")
    refused = assert_problem(
        api.post("/v1/bets/b1/settle", body | {"settlement_id": "s2"}, scope="game"), 409, "BET_ALREADY_SETTLED"
    )
    assert refused["settlement_id"] == "s1"
    assert_balances(api, SPORTS_NORMAL=12125)


def test_loss_void_and_cashout(api, funded):
    bet(api, "b1", 1000)
    assert_problem(
        api.post(
            "/v1/bets/b1/settle",
            {"settlement_id": "s1", "player_id": "p1", "result": "LOSS", "payout": 100},
            scope="game",
        ),
        422,
        "VALIDATION_FAILED",
    )
    assert settle(api, "b1", "LOSS")["credits"] == []
    assert_balances(api, SPORTS_NORMAL=9000)

    bet(api, "b2", 1000)
    voided = settle(api, "b2", "VOID", 5000)  # a VOID ignores the payout
    assert voided["credits"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 1000}]
    assert voided["rolling"] == []  # a VOID counts no rolling
    assert_balances(api, SPORTS_NORMAL=9000)

    bet(api, "b3", 2000)
    assert_problem(
        api.post("/v1/bets/b3/settle", {"settlement_id": "s3", "player_id": "p1", "result": "CASHOUT"}, scope="game"),
        422,
        "VALIDATION_FAILED",
    )
    cashed = settle(api, "b3", "CASHOUT", 1500)
    assert cashed["credits"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 1500}]
    assert cashed["rolling"] == [{"rolling_id": funded, "progress": 3000, "status": "ACTIVE"}]
    snap = assert_balances(api, SPORTS_NORMAL=8500)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 10000, 10000, 3000)]


def test_rollback_of_an_open_bet_restores_the_source_once(api, funded):
    bet(api, "b1", 3000)
    assert_balances(api, SPORTS_NORMAL=7000, open_bets=(1, 3000))
    first = api.post(
        "/v1/bets/b1/rollback", {"rollback_id": "r1", "player_id": "p1", "reason": "timeout"}, scope="game"
    )
    assert ok(first, 200) == {
        "bet_id": "b1",
        "status": "ROLLED_BACK",
        "restored": [{"source": "SPORTS_NORMAL", "amount": 3000}],
        "payout_reversed": [],
        "rolling": [],
    }
    assert_balances(api, SPORTS_NORMAL=10000)

    replay = api.post(
        "/v1/bets/b1/rollback", {"rollback_id": "r1", "player_id": "p1", "reason": "timeout"}, scope="game"
    )
    assert replay.status_code == 200 and replay.content == first.content
    # Another rollback_id: the first rollback's result, nothing moves.
    second = api.post("/v1/bets/b1/rollback", {"rollback_id": "r2", "player_id": "p1"}, scope="game")
    assert second.status_code == 200 and second.content == first.content
    assert_problem(
        api.post("/v1/bets/b1/settle", {"settlement_id": "s1", "player_id": "p1", "result": "LOSS"}, scope="game"),
        409,
        "BET_ALREADY_ROLLED_BACK",
    )
    # The rollback key belongs to bet b1.
    assert_problem(
        api.post("/v1/bets/b2/rollback", {"rollback_id": "r1", "player_id": "p1"}, scope="game"),
        409,
        "IDEMPOTENCY_CONFLICT",
    )
    assert_balances(api, SPORTS_NORMAL=10000)


def test_rollback_of_a_settled_bet_reverses_payout_and_progress(api, funded):
    bet(api, "b1", 2000, odds="2")
    settle(api, "b1", "WIN", 4000)
    assert_balances(api, SPORTS_NORMAL=12000)
    undone = rollback(api, "b1")
    assert undone["restored"] == [{"source": "SPORTS_NORMAL", "amount": 2000}]
    assert undone["payout_reversed"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 4000}]
    assert undone["rolling"] == [{"rolling_id": funded, "progress_removed": 2000}]
    snap = assert_balances(api, SPORTS_NORMAL=10000)
    assert rolling(snap) == [("SPORTS", "DEPOSIT", 10000, 10000, 0)]


def test_rollback_takes_a_released_payout_back_from_withdrawable(api):
    open_account(api)
    deposit(api, "d1", 1000)
    bet(api, "b1", 1000)
    settled = settle(api, "b1", "WIN", 5000)
    assert settled["rolling"][0]["status"] == "COMPLETED"
    assert_balances(api, WITHDRAWABLE=5000, withdrawable=5000)
    # The stake goes back to SPORTS_NORMAL, the payout comes out of it, the shortfall out of
    # WITHDRAWABLE where the completion released it; the obligation stays completed.
    rollback(api, "b1")
    snap = assert_balances(api, WITHDRAWABLE=1000, withdrawable=1000)
    assert rolling(snap) == []


def test_rollback_whose_payout_is_spent_is_refused_and_changes_nothing(api):
    open_account(api)
    deposit(api, "d1", 1000)
    bet(api, "b1", 1000)
    settle(api, "b1", "WIN", 5000)
    withdraw(api, "w1", 5000)
    assert_balances(api, pending_withdrawals=5000)
    body = assert_problem(
        api.post("/v1/bets/b1/rollback", {"rollback_id": "r1", "player_id": "p1"}, scope="game"),
        409,
        "INSUFFICIENT_FUNDS",
    )
    assert body["available"] == 0
    assert_balances(api, pending_withdrawals=5000)


def test_rollback_of_an_unseen_bet_tombstones_its_id(api, funded):
    first = api.post("/v1/bets/late/rollback", {"rollback_id": "r1", "player_id": "p1"}, scope="game")
    assert ok(first, 200) == {"bet_id": "late", "status": "ROLLED_BACK", "restored": []}
    again = api.post("/v1/bets/late/rollback", {"rollback_id": "r2", "player_id": "p1"}, scope="game")
    assert again.status_code == 200 and again.content == first.content
    assert_problem(api.post("/v1/bets", bet_body("late", 1000), scope="game"), 409, "BET_ALREADY_ROLLED_BACK")
    assert_balances(api, SPORTS_NORMAL=10000)


def test_bet_validation_lists_every_problem(api, funded):
    body = assert_problem(
        api.post(
            "/v1/bets",
            {"bet_id": "", "player_id": 5, "stake": 0, "odds": "1,85", "selected_source": 7, "colour": "red"},
            scope="game",
        ),
        422,
        "VALIDATION_FAILED",
    )
    assert sorted(e["path"] for e in body["errors"]) == [
        "bet_id",
        "colour",
        "odds",
        "player_id",
        "provider_id",
        "provider_type",
        "selected_source",
        "stake",
    ]
    body = assert_problem(
        api.post("/v1/bets/b1/settle", {"result": "DRAW", "payout": -1}, scope="game"), 422, "VALIDATION_FAILED"
    )
    assert sorted(e["path"] for e in body["errors"]) == ["payout", "player_id", "result", "settlement_id"]
    body = assert_problem(api.post("/v1/bets/b1/rollback", {"reason": ""}, scope="game"), 422, "VALIDATION_FAILED")
    assert sorted(e["path"] for e in body["errors"]) == ["player_id", "reason", "rollback_id"]
    assert_balances(api, SPORTS_NORMAL=10000)


@pytest.mark.parametrize("odds", ["NaN", "Infinity", "1e3", "-2", "", True, [1.5], {"v": 1}, -1, 1e300])
def test_odds_other_than_a_decimal_are_422(api, funded, odds):
    body = assert_problem(api.post("/v1/bets", bet_body(odds=odds), scope="game"), 422, "VALIDATION_FAILED")
    assert [e["path"] for e in body["errors"]] == ["odds"]


def test_odds_below_one_are_refused_by_the_database(api, funded):
    body = assert_problem(api.post("/v1/bets", bet_body(odds="0.5"), scope="game"), 422, "VALIDATION_FAILED")
    assert [e["path"] for e in body["errors"]] == ["odds"]
    assert_balances(api, SPORTS_NORMAL=10000)


def test_bet_refusals(api, funded):
    open_account(api, "p2")
    assert_problem(api.post("/v1/bets", bet_body() | {"player_id": "ghost"}, scope="game"), 404, "UNKNOWN_ACCOUNT")
    body = assert_problem(
        api.post("/v1/bets", bet_body(provider_type="BINGO"), scope="game"), 422, "UNKNOWN_PROVIDER_TYPE"
    )
    assert [e["path"] for e in body["errors"]] == ["provider_type"]
    body = assert_problem(api.post("/v1/bets", bet_body(stake=20000), scope="game"), 409, "INSUFFICIENT_FUNDS")
    assert body["available"] == 10000
    body = assert_problem(
        api.post("/v1/bets", bet_body(selected_source="SPORTS_NORMAL"), scope="game"), 422, "SOURCE_NOT_ALLOWED"
    )
    assert [e["path"] for e in body["errors"]] == ["selected_source"]
    assert_problem(api.post("/v1/bets", bet_body(selected_source="coupon:c1"), scope="game"), 422, "SOURCE_NOT_ALLOWED")
    assert_problem(api.post("/v1/bets", bet_body(selected_source="GOLD"), scope="game"), 422, "UNKNOWN_BUCKET_TYPE")
    assert_problem(
        api.post("/v1/bets/nope/settle", {"settlement_id": "s1", "player_id": "p1", "result": "LOSS"}, scope="game"),
        404,
        "BET_NOT_FOUND",
    )
    bet(api, "b1", 1000)
    # A bet belongs to its player: p2 cannot settle p1's bet.
    assert_problem(
        api.post("/v1/bets/b1/settle", {"settlement_id": "s1", "player_id": "p2", "result": "LOSS"}, scope="game"),
        404,
        "BET_NOT_FOUND",
    )
    assert_problem(
        api.post("/v1/bets/b1/settle", {"settlement_id": "s1", "player_id": "ghost", "result": "LOSS"}, scope="game"),
        404,
        "UNKNOWN_ACCOUNT",
    )
    assert_problem(
        api.post("/v1/bets/b1/rollback", {"rollback_id": "r1", "player_id": "ghost"}, scope="game"),
        404,
        "UNKNOWN_ACCOUNT",
    )
    assert_balances(api, SPORTS_NORMAL=9000, open_bets=(1, 1000))


def test_player_selected_policy_refusals_and_bets(api):
    activate_player_selected_live(api)
    open_account(api)
    deposit(api, "d1", 10000, "CASINO_NORMAL")
    credit(api, "cr1", 500)
    grant_coupon(api, "c-sports", 1000, provider_types=["SPORTS"])
    grant_coupon(api, "c-live", 1000, provider_types=["LIVE"], min_odds="2.0")

    def live(bet_id, stake, **extra):
        return api.post(
            "/v1/bets",
            {
                "bet_id": bet_id,
                "player_id": "p1",
                "provider_type": "LIVE",
                "provider_id": "evo",
                "stake": stake,
                **extra,
            },
            scope="game",
        )

    body = assert_problem(live("b1", 1000), 422, "SOURCE_REQUIRED")
    assert [e["path"] for e in body["errors"]] == ["selected_source"]
    assert_problem(live("b1", 100, selected_source="POINTS"), 409, "NOT_BETTABLE")
    assert_problem(live("b1", 100, selected_source="coupon:c-sports"), 409, "COUPON_NOT_ELIGIBLE")
    assert_problem(live("b1", 100, selected_source="coupon:c-live", odds="1.5"), 409, "COUPON_NOT_ELIGIBLE")
    assert_problem(live("b1", 100, selected_source="coupon:nope"), 409, "COUPON_NOT_ELIGIBLE")
    assert_problem(live("b1", 100, selected_source="SPORTS_NORMAL"), 422, "SOURCE_NOT_ALLOWED")
    body = assert_problem(live("b1", 100, selected_source="CASINO_BONUS"), 409, "INSUFFICIENT_FUNDS")
    assert body["available"] == 0
    assert_balances(api, CASINO_NORMAL=10000, POINTS=500)

    placed = ok(live("b1", 3000, selected_source="CASINO_NORMAL"), 201)
    assert placed["funding"] == [{"source": "CASINO_NORMAL", "amount": 3000}] and placed["policy_version"] == 2
    placed = ok(live("b2", 800, selected_source="coupon:c-live", odds="2.5"), 201)
    assert placed["funding"] == [{"source": "coupon:c-live", "amount": 800}]
    snap = assert_balances(api, CASINO_NORMAL=7000, POINTS=500, open_bets=(2, 3800))
    assert coupons(snap) == {"c-sports": 1000, "c-live": 200}


def test_a_coupon_with_min_odds_skips_a_bet_without_odds_in_auto_mode(api, funded):
    grant_coupon(api, "c1", 1000, min_odds="2.0")
    assert bet(api, "b1", 500)["funding"] == [{"source": "SPORTS_NORMAL", "amount": 500}]
    snap = assert_balances(api, SPORTS_NORMAL=9500, open_bets=(1, 500))
    assert coupons(snap) == {"c1": 1000}


def test_a_coupon_with_min_odds_cannot_be_selected_for_a_bet_without_odds(api):
    activate_player_selected_live(api)
    open_account(api)
    grant_coupon(api, "c-live", 1000, provider_types=["LIVE"], min_odds="2.0")
    assert_problem(
        api.post(
            "/v1/bets",
            {
                "bet_id": "b1",
                "player_id": "p1",
                "provider_type": "LIVE",
                "provider_id": "evo",
                "stake": 500,
                "selected_source": "coupon:c-live",
            },
            scope="game",
        ),
        409,
        "COUPON_NOT_ELIGIBLE",
    )
    snap = assert_balances(api)
    assert coupons(snap) == {"c-live": 1000}


def test_frozen_account_refuses_bets_but_settles_open_ones(api, funded):
    bet(api, "b1", 1000)
    ok(api.post("/v1/admin/accounts/p1/status", {"status": "frozen", "reason": "kyc review"}), 200)
    assert_problem(api.post("/v1/bets", bet_body("b2", 1000), scope="game"), 409, "ACCOUNT_FROZEN")
    settle(api, "b1", "WIN", 2000)
    assert_balances(api, SPORTS_NORMAL=11000)


def test_closed_account_refuses_bets(api):
    open_account(api)
    ok(api.post("/v1/admin/accounts/p1/status", {"status": "closed", "reason": "player request"}), 200)
    assert_problem(api.post("/v1/bets", bet_body(stake=1), scope="game"), 409, "ACCOUNT_CLOSED")
    assert snapshot(api)["status"] == "closed"


def adjust(api, bucket_type, amount, player_id="p1"):
    ok(
        api.post(
            "/v1/admin/adjustments",
            {
                "adjustment_id": f"adj-{bucket_type}-{amount}",
                "player_id": player_id,
                "bucket_type": bucket_type,
                "amount": amount,
                "reason": "test setup",
            },
        ),
        201,
    )


def test_insufficient_funds_reports_what_the_policy_could_use(api):
    open_account(api)
    for bucket_type, amount in (
        ("SPORTS_NORMAL", 100),
        ("WITHDRAWABLE", 30),
        ("SPORTS_BONUS", 50),
        ("POINTS", 999),
        ("CASINO_NORMAL", 500),
    ):
        adjust(api, bucket_type, amount)
    grant_coupon(api, "c-sports", 70)
    grant_coupon(api, "c-live", 40, provider_types=["LIVE"])
    # Bettable sources of the SPORTS group and the shared ones, and the eligible coupon.
    body = assert_problem(api.post("/v1/bets", bet_body(stake=1000), scope="game"), 409, "INSUFFICIENT_FUNDS")
    assert body["available"] == 250
    assert_balances(
        api, SPORTS_NORMAL=100, WITHDRAWABLE=30, SPORTS_BONUS=50, POINTS=999, CASINO_NORMAL=500, withdrawable=630
    )


def test_payout_split_over_several_sources_and_void(api):
    open_account(api)
    adjust(api, "SPORTS_NORMAL", 100)
    adjust(api, "WITHDRAWABLE", 200)
    adjust(api, "SPORTS_BONUS", 300)
    assert bet(api, "b1", 500)["funding"] == [
        {"source": "SPORTS_NORMAL", "amount": 100},
        {"source": "WITHDRAWABLE", "amount": 200},
        {"source": "SPORTS_BONUS", "amount": 200},
    ]
    assert_balances(api, SPORTS_BONUS=100, open_bets=(1, 500))
    # Pro rata to the stakes, each share to its kind's destination.
    assert settle(api, "b1", "WIN", 1000)["credits"] == [
        {"bucket_type": "SPORTS_BONUS", "amount": 400},
        {"bucket_type": "SPORTS_NORMAL", "amount": 200},
        {"bucket_type": "WITHDRAWABLE", "amount": 400},
    ]
    assert_balances(api, SPORTS_NORMAL=200, WITHDRAWABLE=400, SPORTS_BONUS=500, withdrawable=600)

    bet(api, "b2", 700)
    assert_balances(api, SPORTS_BONUS=400, open_bets=(1, 700))
    assert settle(api, "b2", "VOID")["credits"] == [
        {"bucket_type": "SPORTS_NORMAL", "amount": 200},
        {"bucket_type": "WITHDRAWABLE", "amount": 400},
        {"bucket_type": "SPORTS_BONUS", "amount": 100},
    ]
    assert_balances(api, SPORTS_NORMAL=200, WITHDRAWABLE=400, SPORTS_BONUS=500, withdrawable=600)


def test_payout_shares_round_to_the_largest_remainder_then_the_first_source(api):
    open_account(api)
    adjust(api, "SPORTS_NORMAL", 200)
    grant_coupon(api, "c1", 1)
    assert bet(api, "b1", 3)["funding"] == [
        {"source": "coupon:c1", "amount": 1},
        {"source": "SPORTS_NORMAL", "amount": 2},
    ]
    # 10 x 1/3 = 3.33 and 10 x 2/3 = 6.67: the unit left goes to the larger remainder (cash);
    # the free-bet coupon's share 3 pays 3 - 1.
    assert settle(api, "b1", "WIN", 10)["credits"] == [
        {"bucket_type": "SPORTS_BONUS", "amount": 2},
        {"bucket_type": "SPORTS_NORMAL", "amount": 7},
    ]
    assert_balances(api, SPORTS_NORMAL=205, SPORTS_BONUS=2, withdrawable=205)

    grant_coupon(api, "c2", 1)
    bet(api, "b2", 2)
    # 3 x 1/2 each: equal remainders, the unit goes to the source taken first (the coupon).
    assert settle(api, "b2", "WIN", 3)["credits"] == [
        {"bucket_type": "SPORTS_BONUS", "amount": 1},
        {"bucket_type": "SPORTS_NORMAL", "amount": 1},
    ]
    assert_balances(api, SPORTS_NORMAL=205, SPORTS_BONUS=3, withdrawable=205)


@pytest.mark.parametrize("bet_id", ["a b", "x" * 129])
def test_a_bad_bet_id_in_the_path_is_422(api, funded, bet_id):
    assert_problem(
        api.post(
            f"/v1/bets/{bet_id}/settle", {"settlement_id": "s1", "player_id": "p1", "result": "LOSS"}, scope="game"
        ),
        422,
        "VALIDATION_FAILED",
    )
    assert_balances(api, SPORTS_NORMAL=10000)


def test_settlement_uses_the_policy_snapshot_of_the_authorization(api, funded):
    bet(api, "b1", 1000)
    document = {
        "funding_mode": "AUTO",
        "deduction_order": ["SPORTS_NORMAL"],
        "settlement_destinations": {"CASH": "WITHDRAWABLE"},
        "rolling": {"contribution_bps": 0},
    }
    version = ok(api.post("/v1/admin/policies", {"provider_type": "SPORTS", "document": document}), 201)["version"]
    ok(api.post(f"/v1/admin/policies/SPORTS/{version}/activate", {"reason": "winnings withdrawable"}), 200)

    old = settle(api, "b1", "WIN", 2000)
    assert old["credits"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 2000}]
    assert old["rolling"] == [{"rolling_id": funded, "progress": 1000, "status": "ACTIVE"}]
    assert_balances(api, SPORTS_NORMAL=11000)

    assert bet(api, "b2", 1000)["policy_version"] == version
    new = settle(api, "b2", "WIN", 2000)
    assert new["credits"] == [{"bucket_type": "WITHDRAWABLE", "amount": 2000}]
    assert new["rolling"] == []
    assert_balances(api, SPORTS_NORMAL=10000, WITHDRAWABLE=2000, withdrawable=2000)
