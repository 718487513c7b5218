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
