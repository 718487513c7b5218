"""`ruby-wallet demo`'s flows against a real server process (uvicorn on a free port), with the
balances it prints after every step checked, and the printed table itself."""

import pytest

from ruby_wallet import demo
from tests.support.served import served_api


@pytest.fixture(scope="module")
def results(postgresql_proc):
    with served_api(postgresql_proc, "demo") as api:
        yield demo.run(api.base_url, api.api_key, prefix="t")


def rows(results, flow_index):
    return [
        (r.step, r.status, {k: v for k, v in r.balances.items() if v}, r.withdrawable, r.open_bets, r.rolling)
        for r in results[flow_index].rows
    ]


def test_sports_flow(results):
    assert rows(results, 0) == [
        ("open account", 201, {}, 0, 0, "-"),
        ("deposit 10000 (rolling 100%)", 201, {"SPORTS_NORMAL": 10000}, 0, 0, "SPORTS 0/10000"),
        ("bet 4000 @ 1.85", 201, {"SPORTS_NORMAL": 6000}, 0, 4000, "SPORTS 0/10000"),
        ("bet 1 wins 7400", 200, {"SPORTS_NORMAL": 13400}, 0, 0, "SPORTS 4000/10000"),
        ("bet 6000 @ 2.10", 201, {"SPORTS_NORMAL": 7400}, 0, 6000, "SPORTS 4000/10000"),
        ("bet 2 loses: rolling met, cash released", 200, {"WITHDRAWABLE": 7400}, 7400, 0, "-"),
        ("withdraw 5000", 201, {"WITHDRAWABLE": 2400}, 2400, 0, "-"),
        ("bank rejects it: refunded", 200, {"WITHDRAWABLE": 7400}, 7400, 0, "-"),
        ("withdraw 7400", 201, {}, 0, 0, "-"),
        ("paid out", 200, {}, 0, 0, "-"),
    ]


def test_casino_flow(results):
    assert [r[2:] for r in rows(results, 1)] == [
        ({}, 0, 0, "-"),
        ({"CASINO_NORMAL": 5000}, 0, 0, "CASINO 0/5000"),
        ({"CASINO_NORMAL": 4000}, 0, 1000, "CASINO 0/5000"),
        ({"CASINO_NORMAL": 4000}, 0, 0, "CASINO 100/5000"),
        ({"CASINO_NORMAL": 3000}, 0, 1000, "CASINO 100/5000"),
        ({"CASINO_NORMAL": 5500}, 0, 0, "CASINO 1100/5000"),
    ]


def test_free_bet_coupon_flow(results):
    assert [(r.balances.get("SPORTS_BONUS"), r.coupons, r.open_bets) for r in results[2].rows] == [
        (0, 0, 0),
        (0, 500, 0),
        (0, 0, 500),
        (1000, 0, 0),
    ]


def test_cashback_to_points_to_normal_flow(results):
    assert [(r.balances.get("POINTS"), r.balances.get("SPORTS_NORMAL"), r.withdrawable) for r in results[3].rows] == [
        (0, 0, 0),
        (1500, 0, 0),
        (300, 1200, 1200),
    ]


def test_rollback_flow(results):
    assert [r.balances.get("SPORTS_NORMAL") for r in results[4].rows] == [0, 3000, 2000, 4000, 3000]


def test_casino_aggregator_flow(results):
    """Valkyrie's calls through /pam/valkyrie: the bet holds 1000, the first win settles it (LIVE
    rolling counts 10%), the second pays more to the same bucket, the round's end moves nothing."""
    assert [r[2:] for r in rows(results, 5)] == [
        ({}, 0, 0, "-"),
        ({"CASINO_NORMAL": 10000}, 0, 0, "CASINO 0/10000"),
        ({"CASINO_NORMAL": 10000}, 0, 0, "CASINO 0/10000"),
        ({"CASINO_NORMAL": 9000}, 0, 1000, "CASINO 0/10000"),
        ({"CASINO_NORMAL": 10500}, 0, 0, "CASINO 100/10000"),
        ({"CASINO_NORMAL": 11000}, 0, 0, "CASINO 100/10000"),
        ({"CASINO_NORMAL": 11000}, 0, 0, "CASINO 100/10000"),
    ]


def test_the_printed_table(results):
    table = demo.render(results)
    assert "Sports: deposit, bets until the rolling completes" in table
    assert "bet 2 loses: rolling met, cash released   200              0          7400          7400" in table
