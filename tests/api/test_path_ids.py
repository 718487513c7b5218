"""Every id a caller may choose comes back through the URL path segment of the routes that
address it (SPEC §2): created with such an id, each resource is found again by settle, rollback,
approve, reject, complete, reverse and the balances and ledger reads.  An id that could not
come back (a `/`, a dot-segment, a space, a non-ASCII character) is refused when it is first sent,
and nothing is created.

Through a real `ruby-wallet serve` process: Litestar's in-process TestClient decodes a path twice
(httpx's decoded path is unquoted again), which no real server does."""

from urllib.parse import quote

import httpx
import psycopg
import pytest

from tests.support.http import assert_problem
from tests.support.money import deposit, ok, open_account
from tests.support.served import served_api

# Printable ASCII other than `/`, including every character a URL gives a meaning to.
ROUND_TRIP = ["plain", "a?b", "a#b", "a%b", "a%2Fb", "a+b", "...", ".a", "a.", "~!$&'()*,;=:@", '"<>\\^`{|}[]']
REFUSED = ["a/b", "/", ".", "..", "a b", "käse", "tab\tid"]


class ServedApi:
    """The interface of tests.support.http.Api over a real server (its key has every scope)."""

    def __init__(self, client: httpx.Client):
        self.client = client

    def post(self, path: str, body=None, scope: str | None = None):
        return self.client.post(path, json=body if body is not None else {})

    def get(self, path: str, scope: str | None = None):
        return self.client.get(path)


@pytest.fixture(scope="module")
def served(postgresql_proc):
    with served_api(postgresql_proc, "pathids") as served:
        with httpx.Client(base_url=served.base_url, headers={"Authorization": f"Bearer {served.api_key}"}) as client:
            yield ServedApi(client), served.database_url


@pytest.fixture
def api(served):
    return served[0]


def seg(value: str) -> str:
    """The id as one path segment: every reserved character percent-encoded."""
    return quote(value, safe="")


@pytest.mark.parametrize("rid", ROUND_TRIP)
def test_every_path_route_finds_what_its_id_created(api, rid):
    open_account(api, rid)
    assert ok(api.get(f"/v1/players/{seg(rid)}/balances", scope="player"), 200)["player_id"] == rid
    deposit(api, rid, 10_000, player_id=rid)
    assert ok(api.get(f"/v1/players/{seg(rid)}/ledger", scope="player"), 200)["entries"]

    ok(
        api.post(
            "/v1/deposits",
            {"deposit_id": f"{rid}-p", "player_id": rid, "amount": 5, "bucket_type": "SPORTS_NORMAL"},
            scope="payments",
        ),
        201,
    )
    assert ok(api.post(f"/v1/deposits/{seg(rid + '-p')}/approve", scope="payments"), 200)["deposit_id"] == rid + "-p"
    ok(
        api.post(
            "/v1/deposits",
            {"deposit_id": f"{rid}-r", "player_id": rid, "amount": 5, "bucket_type": "SPORTS_NORMAL"},
            scope="payments",
        ),
        201,
    )
    assert (
        ok(api.post(f"/v1/deposits/{seg(rid + '-r')}/reject", {"reason": "no"}, scope="payments"), 200)["status"]
        == "REJECTED"
    )

    bet = {"player_id": rid, "provider_type": "SPORTS", "provider_id": rid, "stake": 100}
    ok(api.post("/v1/bets", {"bet_id": rid, **bet}, scope="game"), 201)
    settled = ok(
        api.post(
            f"/v1/bets/{seg(rid)}/settle", {"settlement_id": rid, "player_id": rid, "result": "LOSS"}, scope="game"
        ),
        200,
    )
    assert settled["bet_id"] == rid
    ok(api.post("/v1/bets", {"bet_id": f"{rid}-2", **bet}, scope="game"), 201)
    rolled = ok(
        api.post(f"/v1/bets/{seg(rid + '-2')}/rollback", {"rollback_id": rid, "player_id": rid}, scope="game"), 200
    )
    assert rolled["bet_id"] == rid + "-2" and rolled["restored"]

    # Withdrawable money (the deposit's cash is locked by its rolling obligation).

    adjustment = {"adjustment_id": rid, "player_id": rid, "bucket_type": "WITHDRAWABLE", "amount": 10, "reason": "r"}

    ok(api.post("/v1/admin/adjustments", adjustment, scope="admin"), 201)

    ok(api.post("/v1/withdrawals", {"withdrawal_id": rid, "player_id": rid, "amount": 1}, scope="payments"), 201)
    assert ok(api.post(f"/v1/withdrawals/{seg(rid)}/complete", scope="payments"), 200)["status"] == "PAID"
    ok(api.post("/v1/withdrawals", {"withdrawal_id": f"{rid}-r", "player_id": rid, "amount": 1}, scope="payments"), 201)
    assert (
        ok(api.post(f"/v1/withdrawals/{seg(rid + '-r')}/reject", {"reason": "no"}, scope="payments"), 200)["status"]
        == "REJECTED"
    )

    ok(
        api.post(
            "/v1/promotions/credits",
            {"credit_id": rid, "player_id": rid, "kind": "EVENT", "amount": 7},
            scope="promotion",
        ),
        201,
    )
    assert (
        ok(
            api.post(
                f"/v1/promotions/credits/{seg(rid)}/reverse", {"reversal_id": rid, "reason": "r"}, scope="promotion"
            ),
            200,
        )["reversed"]
        == 7
    )
    ok(
        api.post(
            "/v1/coupons",
            {"coupon_id": rid, "player_id": rid, "amount": 9, "provider_types": ["SPORTS"]},
            scope="promotion",
        ),
        201,
    )
    assert (
        ok(api.post(f"/v1/coupons/{seg(rid)}/reverse", {"reversal_id": rid, "reason": "r"}, scope="promotion"), 200)[
            "reversed"
        ]
        == 9
    )


@pytest.mark.parametrize("rid", REFUSED)
def test_ids_that_could_not_come_back_are_refused_when_first_sent(api, served, rid):
    if api.get("/v1/players/p1/balances").status_code == 404:
        open_account(api, "p1")
        deposit(api, "d0", 1_000)
    sent = [
        ("payments", "/v1/accounts", {"player_id": rid, "currency": "KRW"}),
        (
            "payments",
            "/v1/deposits",
            {"deposit_id": rid, "player_id": "p1", "amount": 5, "bucket_type": "SPORTS_NORMAL"},
        ),
        (
            "game",
            "/v1/bets",
            {"bet_id": rid, "player_id": "p1", "provider_type": "SPORTS", "provider_id": "b", "stake": 5},
        ),
        ("payments", "/v1/withdrawals", {"withdrawal_id": rid, "player_id": "p1", "amount": 1}),
        ("promotion", "/v1/promotions/credits", {"credit_id": rid, "player_id": "p1", "kind": "EVENT", "amount": 1}),
        ("promotion", "/v1/coupons", {"coupon_id": rid, "player_id": "p1", "amount": 1, "provider_types": ["SPORTS"]}),
        (
            "player",
            "/v1/transfers",
            {"transfer_id": rid, "player_id": "p1", "from": "SPORTS_NORMAL", "to": "CASINO_NORMAL", "amount": 1},
        ),
        (
            "admin",
            "/v1/admin/adjustments",
            {"adjustment_id": rid, "player_id": "p1", "bucket_type": "SPORTS_NORMAL", "amount": 1, "reason": "r"},
        ),
    ]
    for scope, path, body in sent:
        problem = assert_problem(api.post(path, body, scope=scope), 422, "VALIDATION_FAILED")
        assert problem["errors"], (path, problem)
    # And the database refuses them too, for DBAs in psql; nothing carries the id.
    with psycopg.connect(served[1], autocommit=True) as conn:
        assert conn.execute("SELECT wallet._key_ok(p_key => %s)", (rid,)).fetchone()[0] is False
        found = conn.execute(
            """SELECT (SELECT count(*) FROM wallet.account WHERE account_id = %(id)s)
                    + (SELECT count(*) FROM wallet.deposit WHERE deposit_id = %(id)s)
                    + (SELECT count(*) FROM wallet.bet WHERE bet_id = %(id)s)
                    + (SELECT count(*) FROM wallet.withdrawal WHERE withdrawal_id = %(id)s)
                    + (SELECT count(*) FROM wallet.promotion_credit WHERE credit_id = %(id)s)
                    + (SELECT count(*) FROM wallet.coupon WHERE coupon_id = %(id)s)
                    + (SELECT count(*) FROM wallet.transfer WHERE transfer_id = %(id)s)
                    + (SELECT count(*) FROM wallet.ledger_txn WHERE ref = 'adjustment:' || %(id)s)""",
            {"id": rid},
        ).fetchone()[0]
    assert found == 0, "nothing was created"
