"""GET /metrics (SPEC §11): Prometheus text, no API key, labels from closed sets only (route
templates, methods, statuses, handler names, error codes) — never a key or a player id."""

from __future__ import annotations

import json
import time

from prometheus_client.parser import text_string_to_metric_families

from tests.support.served import served_api

SECRET_PLAYER = "player-SECRET-4417"
SECRET_KEY = "rw_deadbeef0000_" + "c0ffee" * 10


def _scrape(api) -> str:
    r = api.client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_need_no_key_and_follow_the_naming_conventions(api):
    text = _scrape(api)
    names = {family.name for family in text_string_to_metric_families(text)}
    ours = {n for n in names if n.startswith("ruby_wallet_")}
    for expected in (
        "ruby_wallet_http_requests",
        "ruby_wallet_http_request_duration_seconds",
        "ruby_wallet_commands",
        "ruby_wallet_db_pool_connections",
        "ruby_wallet_db_pool_max_connections",
        "ruby_wallet_db_pool_requests_waiting",
        "ruby_wallet_db_roundtrip_seconds",
        "ruby_wallet_outbox_stats_up",
    ):
        assert expected in ours, (expected, sorted(ours))
    for family in text_string_to_metric_families(text):
        if not family.name.startswith("ruby_wallet_"):
            continue
        if family.type == "counter":
            assert all(s.name.endswith(("_total", "_created")) for s in family.samples), family.name
        if family.type == "histogram":
            assert family.name.endswith("_seconds"), family.name


def test_requests_are_counted_by_route_template_and_status(api):
    before = _scrape(api)
    for _ in range(3):
        assert api.get(f"/v1/players/{SECRET_PLAYER}/balances", scope="player").status_code == 404
    after = _scrape(api)
    labels = {"method": "GET", "route": "/v1/players/{player_id}/balances", "status": "404"}
    assert (
        _value(after, "ruby_wallet_http_requests_total", **labels)
        - _value(before, "ruby_wallet_http_requests_total", **labels)
        == 3
    )
    assert _value(after, "ruby_wallet_http_request_duration_seconds_count", **labels) >= 3


def test_command_outcomes_by_error_code(api):
    text = _scrape(api)
    base_ok = _value(text, "ruby_wallet_commands_total", command="open_account", outcome="OK")
    base_funds = _value(text, "ruby_wallet_commands_total", command="bet_authorize", outcome="INSUFFICIENT_FUNDS")
    base_invalid = _value(text, "ruby_wallet_commands_total", command="bet_authorize", outcome="VALIDATION_FAILED")
    assert api.post("/v1/accounts", {"player_id": SECRET_PLAYER, "currency": "KRW"}).status_code == 201
    bet = {"bet_id": "b1", "player_id": SECRET_PLAYER, "provider_type": "SPORTS", "provider_id": "sb", "stake": 100}
    assert api.post("/v1/bets", bet, scope="game").status_code == 409
    assert api.post("/v1/bets", {**bet, "stake": "x"}, scope="game").status_code == 422
    text = _scrape(api)
    assert _value(text, "ruby_wallet_commands_total", command="open_account", outcome="OK") == base_ok + 1
    assert (
        _value(text, "ruby_wallet_commands_total", command="bet_authorize", outcome="INSUFFICIENT_FUNDS")
        == base_funds + 1
    )
    assert (
        _value(text, "ruby_wallet_commands_total", command="bet_authorize", outcome="VALIDATION_FAILED")
        == base_invalid + 1
    )


def test_no_key_no_player_id_no_path_in_any_label(api):
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    api.client.get(f"/v1/players/{SECRET_PLAYER}/balances", headers=auth)
    api.get(f"/v1/players/{SECRET_PLAYER}/ledger", scope="player", params={"before": SECRET_PLAYER})
    api.post("/v1/accounts", {"player_id": SECRET_PLAYER, "currency": "KRW"})
    api.post("/v1/deposits", {"deposit_id": SECRET_PLAYER, "player_id": SECRET_PLAYER}, scope="payments")
    api.client.get(f"/{SECRET_PLAYER}/{SECRET_KEY}", headers=auth)
    api.client.request("BREW", f"/v1/players/{SECRET_PLAYER}/balances", headers=auth)
    api.client.get("/metrics", headers={"X-Request-ID": SECRET_PLAYER})
    text = _scrape(api)
    for secret in (SECRET_PLAYER, SECRET_KEY, "SECRET", "deadbeef", "c0ffee", *api.keys.values()):
        assert secret not in text, secret
    routes = {dict(labels).get("route") for (_, labels) in _samples(text) if dict(labels).get("route")}
    assert "unmatched" in routes
    assert all(r == "unmatched" or r.startswith("/") for r in routes)
    methods = {dict(labels).get("method") for (_, labels) in _samples(text) if dict(labels).get("method")}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"}
    assert "OTHER" in methods


def test_pool_and_round_trip_are_sampled(api):
    def opened(text: str) -> float:
        return sum(
            v
            for (name, labels), v in _samples(text).items()
            if name == "ruby_wallet_db_pool_connections" and dict(labels)["state"] == "open"
        )

    deadline = time.monotonic() + 10
    while True:
        text = _scrape(api)
        if _value(text, "ruby_wallet_db_roundtrip_seconds_count") > 0 and opened(text) >= 1:
            break
        assert time.monotonic() < deadline, "no round-trip probe or pool sample within 10 s"
        time.sleep(0.3)
    pools = {dict(labels)["pool"] for (name, labels) in _samples(text) if name == "ruby_wallet_db_pool_max_connections"}
    assert "wallet_api" in pools and all(p.startswith("wallet_") for p in pools)
    assert _value(text, "ruby_wallet_db_pool_max_connections", pool="wallet_api") >= 1


def test_json_logs_carry_the_request_id(postgresql_proc):
    with served_api(postgresql_proc, "jsonlogs", extra_args=("--log-format", "json")) as served:
        import httpx

        r = httpx.get(f"{served.base_url}/v1/players/p1/balances", headers={"X-Request-ID": "trace-me-42"})
        assert r.status_code == 401 and r.headers["x-request-id"] == "trace-me-42"
        generated = httpx.get(f"{served.base_url}/healthz").headers["x-request-id"]
        deadline = time.monotonic() + 10
        while True:
            records = [json.loads(line) for line in served.log_path.read_text().splitlines() if line.startswith("{")]
            ids = {r.get("request_id") for r in records}
            if {"trace-me-42", generated} <= ids:
                break
            assert time.monotonic() < deadline, served.log_path.read_text()[-3000:]
            time.sleep(0.2)
        access = next(r for r in records if r.get("request_id") == "trace-me-42")
        assert access["logger"] == "ruby_wallet.access" and access["level"] == "info"
        assert access["http"]["route"] == "/v1/players/{player_id}/balances"
        assert access["http"]["status"] == 401 and access["http"]["code"] == "UNAUTHORIZED"
        assert set(access) >= {"ts", "level", "logger", "message", "request_id", "http"}
        # nothing but JSON on the server's output once it runs (uvicorn's own lines included)
        lines = [line for line in served.log_path.read_text().splitlines() if line and not line.startswith("=====")]
        not_json = [line for line in lines if not line.startswith("{") and not line.startswith("ruby-wallet:")]
        assert not_json == [], not_json


def test_the_dashboard_and_the_alert_rules_use_only_metrics_that_exist():
    import re
    from pathlib import Path

    from ruby_wallet import metrics

    docs = Path(__file__).resolve().parents[2] / "docs"
    text = metrics.render({"lag_seconds": 1.5, "pending": 2, "parked": 0}).decode()
    samples = set()
    for family in text_string_to_metric_families(text):
        suffixes = {"counter": ["_total"], "histogram": ["", "_bucket", "_count", "_sum"]}.get(family.type, [""])
        samples |= {family.name + suffix for suffix in suffixes}
    dashboard = json.loads((docs / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert exprs
    used = set(re.findall(r"ruby_wallet_[a-z_]+", " ".join(exprs)))
    used |= set(re.findall(r"ruby_wallet_[a-z_]+", (docs / "operations.md").read_text()))
    used -= {"ruby_wallet_reconciliation_discrepancies"}  # written by the textfile collector, see operations.md
    assert used - samples == set()


def test_outbox_figures_come_from_the_database(api, db):
    text = _scrape(api)
    assert _value(text, "ruby_wallet_outbox_stats_up") == 1
    pending = _value(text, "ruby_wallet_outbox_pending_events")
    assert pending >= 1, "migrate wrote the topology and policy events"
    assert _value(text, "ruby_wallet_outbox_lag_seconds") >= 0
    assert _value(text, "ruby_wallet_outbox_parked_events") == 0
    # an event waiting for an hour is an hour of lag
    db.execute("UPDATE wallet.outbox SET created_at = now() - interval '1 hour'")
    assert 3500 < _value(_scrape(api), "ruby_wallet_outbox_lag_seconds") < 3700
