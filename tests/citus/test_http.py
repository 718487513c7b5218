"""`ruby-wallet serve` with DATABASE_URL at the coordinator, through HTTP as callers use it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ruby_wallet import demo
from tests.citus.conftest import insert_api_key
from tests.support.served import ALL_SCOPES, served_api
from tests.support.servers import ApiServer


@pytest.fixture(scope="module")
def api(citus, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(base URL, API key with every scope) of a server process on the coordinator."""
    logs = tmp_path_factory.mktemp("citus-api")
    server = ApiServer(citus.url, citus.cluster.coordinator.api_url(), logs / "server.log", pool_max=4)
    server.start()
    try:
        yield server.base, insert_api_key(citus, "citus-http", ALL_SCOPES)
    finally:
        server.stop()


def test_the_server_is_ready_on_the_coordinator(api):
    base, _ = api
    assert httpx.get(f"{base}/healthz").status_code == 200
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text


def test_open_an_account_over_http(api):
    base, key = api
    headers = {"Authorization": f"Bearer {key}"}
    body = {"player_id": "http-1", "currency": "KRW"}
    assert httpx.post(f"{base}/v1/accounts", json=body, headers=headers).status_code == 201
    again = httpx.post(f"{base}/v1/accounts", json=body, headers=headers)
    assert again.status_code == 200 and again.json()["status"] == "active"


def test_the_demo_flows_give_the_single_node_balances(api, postgresql_proc):
    base, key = api
    on_citus = demo.run(base, key, prefix="citus")
    with served_api(postgresql_proc, "citusref") as single:
        on_one_node = demo.run(single.base_url, single.api_key, prefix="citus")
    assert on_citus == on_one_node


def test_a_batch_runs_its_items_as_single_commands_on_the_players_workers(api, citus):
    """On Citus (api.wallet_distributed) POST /v1/bets/settlements sends each item as
    game.bet_settle, which Citus forwards whole to the player's worker (test_commands proves
    that routing), so no call of a batch spans nodes (SPEC §5c, docs/scaling.md, Batches); the
    items are answered as the single route answers them."""
    base, key = api
    headers = {"Authorization": f"Bearer {key}"}
    with citus.connect() as conn:
        assert conn.execute("SELECT api.wallet_distributed()").fetchone()[0] is True
    first = "http-batch-0"
    other = next(
        f"http-batch-{n}"
        for n in range(1, 100)
        if citus.node_of("wallet.account", f"http-batch-{n}") != citus.node_of("wallet.account", first)
    )
    items = []
    for player in (first, other):
        assert (
            httpx.post(
                f"{base}/v1/accounts", json={"player_id": player, "currency": "KRW"}, headers=headers
            ).status_code
            == 201
        )
        deposit = {
            "deposit_id": f"{player}-d",
            "player_id": player,
            "amount": 5000,
            "bucket_type": "SPORTS_NORMAL",
            "auto_approve": True,
        }
        assert httpx.post(f"{base}/v1/deposits", json=deposit, headers=headers).status_code == 201
        bet = {
            "bet_id": f"{player}-b",
            "player_id": player,
            "provider_type": "SPORTS",
            "provider_id": "book",
            "stake": 100,
            "odds": "2.0",
        }
        assert httpx.post(f"{base}/v1/bets", json=bet, headers=headers).status_code == 201
        items.append(
            {
                "bet_id": f"{player}-b",
                "settlement_id": f"{player}-s",
                "player_id": player,
                "result": "WIN",
                "payout": 200,
            }
        )
    items.append({"bet_id": "none", "settlement_id": "none-s", "player_id": first, "result": "LOSS"})
    response = httpx.post(f"{base}/v1/bets/settlements", json={"settlements": items}, headers=headers)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["index"], r["status"]) for r in results] == [(0, 200), (1, 200), (2, 404)]
    assert results[2]["body"]["code"] == "BET_NOT_FOUND"
    for item, result in zip(items, results, strict=True):
        body = {k: v for k, v in item.items() if k != "bet_id"}
        single = httpx.post(f"{base}/v1/bets/{item['bet_id']}/settle", json=body, headers=headers)
        assert (result["status"], result["body"]) == (single.status_code, single.json())
