"""HTTP skeleton: probes, authentication and scopes, problem responses, and the first
commands (open account, admin adjustment, balances, ledger)."""

import pytest

from tests.support.http import assert_problem


def test_probes_and_openapi(api):
    assert api.get("/healthz", scope=None).json() == {"status": "ok"}
    assert api.get("/readyz", scope=None).status_code == 200
    schema = api.get("/schema/openapi.json", scope=None).json()
    assert "/v1/accounts" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_openapi_documents_the_problem_responses_the_api_gives(api):
    """Services generate clients from the schema: every wallet operation documents its errors as
    problem+json with a code from the error table, not Litestar's default 400 shape."""
    from ruby_wallet.errors import error_codes

    schema = api.get("/schema/openapi.json", scope=None).json()
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    assert set(problem["properties"]["code"]["enum"]) == set(error_codes())
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if path.startswith("/v1/")
    ]
    assert len(operations) > 30
    for path, method, op in operations:
        responses = op["responses"]
        assert "400" not in responses, f"{method} {path} documents Litestar's default 400"
        for status in ("401", "403", "422", "503", "default"):
            content = responses[status]["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    # approve and complete take `{}` or no body at all
    for path in ("/v1/deposits/{deposit_id}/approve", "/v1/withdrawals/{withdrawal_id}/complete"):
        assert schema["paths"][path]["post"]["requestBody"]["required"] is False
    assert schema["paths"]["/v1/bets"]["post"]["requestBody"]["required"] is True


def test_missing_malformed_or_unknown_key_is_401(api):
    assert_problem(api.client.post("/v1/accounts", json={"player_id": "p", "currency": "EUR"}), 401, "UNAUTHORIZED")
    assert_problem(
        api.client.post("/v1/accounts", json={}, headers={"Authorization": "Basic abc"}), 401, "UNAUTHORIZED"
    )
    bogus = "rw_000000000000_" + "0" * 64
    assert_problem(
        api.client.post("/v1/accounts", json={}, headers={"Authorization": f"Bearer {bogus}"}), 401, "UNAUTHORIZED"
    )


def test_key_without_the_route_scope_is_403(api):
    assert_problem(api.post("/v1/accounts", {"player_id": "p", "currency": "EUR"}, scope="game"), 403, "FORBIDDEN")
    assert_problem(api.post("/v1/admin/adjustments", {}, scope="payments"), 403, "FORBIDDEN")


def test_revoked_key_stops_working(api, db):
    db.execute("SELECT ops.api_key_revoke('test-player')")
    api.client.app.state.key_cache._known.clear()  # the cache would honour it for up to 10 s
    assert_problem(api.get("/v1/players/p/balances", scope="player"), 401, "UNAUTHORIZED")


def test_open_account_201_then_200_then_conflict(api):
    first = api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    assert first.status_code == 201
    assert first.json() == {"player_id": "p1", "currency": "KRW", "status": "active"}
    again = api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    assert again.status_code == 200 and again.json() == first.json()
    assert_problem(
        api.post("/v1/accounts", {"player_id": "p1", "currency": "EUR"}, scope="payments"), 409, "IDEMPOTENCY_CONFLICT"
    )


def test_validation_lists_every_problem(api):
    body = assert_problem(
        api.post("/v1/admin/adjustments", {"adjustment_id": "", "player_id": 5, "amount": "x", "extra": 1}),
        422,
        "VALIDATION_FAILED",
    )
    paths = sorted(e["path"] for e in body["errors"])
    assert paths == ["adjustment_id", "amount", "bucket_type", "extra", "player_id", "reason"]


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"text"', b"", b"0\x01", b'{"a": 1} trailing'])
def test_malformed_bodies_are_422_not_500(api, raw):
    r = api.client.post(
        "/v1/accounts",
        content=raw,
        headers={"Authorization": f"Bearer {api.keys['payments']}", "Content-Type": "application/json"},
    )
    assert_problem(r, 422, "VALIDATION_FAILED")


def test_unknown_route_and_method(api):
    assert_problem(api.get("/v1/nothing-here"), 404, "NOT_FOUND")
    assert_problem(
        api.client.delete("/v1/accounts", headers={"Authorization": f"Bearer {api.keys['admin']}"}),
        405,
        "METHOD_NOT_ALLOWED",
    )


def test_adjust_and_read_back(api):
    api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    r = api.post(
        "/v1/admin/adjustments",
        {
            "adjustment_id": "adj-1",
            "player_id": "p1",
            "bucket_type": "SPORTS_NORMAL",
            "amount": 5000,
            "reason": "welcome",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["balance_after"] == 5000
    replay = api.post(
        "/v1/admin/adjustments",
        {
            "adjustment_id": "adj-1",
            "player_id": "p1",
            "bucket_type": "SPORTS_NORMAL",
            "amount": 5000,
            "reason": "welcome",
        },
    )
    assert replay.status_code == 201 and replay.content == r.content
    balances = api.get("/v1/players/p1/balances", scope="player").json()
    sports = next(g for g in balances["groups"] if g["code"] == "SPORTS")
    assert {"bucket_type": "SPORTS_NORMAL", "kind": "CASH", "balance": 5000} in sports["buckets"]
    assert balances["topology_version"] == 1
    ledger = api.get("/v1/players/p1/ledger?limit=10", scope="player").json()
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in ledger["entries"]] == [("ADJUSTMENT", 5000, 5000)]
    assert ledger["next"] is None


def test_business_refusals_map_to_their_codes(api):
    api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    body = assert_problem(
        api.post(
            "/v1/admin/adjustments",
            {"adjustment_id": "a", "player_id": "p1", "bucket_type": "SPORTS_NORMAL", "amount": -1, "reason": "x"},
        ),
        409,
        "INSUFFICIENT_FUNDS",
    )
    assert body["available"] == 0
    assert_problem(
        api.post(
            "/v1/admin/adjustments",
            {"adjustment_id": "b", "player_id": "p1", "bucket_type": "NOPE", "amount": 1, "reason": "x"},
        ),
        422,
        "UNKNOWN_BUCKET_TYPE",
    )
    assert_problem(
        api.post(
            "/v1/admin/adjustments",
            {"adjustment_id": "c", "player_id": "ghost", "bucket_type": "SPORTS_NORMAL", "amount": 1, "reason": "x"},
        ),
        404,
        "UNKNOWN_ACCOUNT",
    )
    assert_problem(api.get("/v1/players/ghost/balances", scope="player"), 404, "UNKNOWN_ACCOUNT")
    assert_problem(api.get("/v1/players/p1/ledger?before=zzz", scope="player"), 422, "INVALID_CURSOR")
    assert_problem(api.get("/v1/players/p1/ledger?limit=0", scope="player"), 422, "VALIDATION_FAILED")


def test_frozen_account_via_admin_route(api):
    api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    r = api.post("/v1/admin/accounts/p1/status", {"status": "frozen", "reason": "kyc"})
    assert r.status_code == 200 and r.json() == {"player_id": "p1", "status": "frozen"}
    assert api.get("/v1/players/p1/balances", scope="player").json()["status"] == "frozen"


def test_admin_audit_entries_name_the_api_key(api, db):
    api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    api.post(
        "/v1/admin/adjustments",
        {"adjustment_id": "a", "player_id": "p1", "bucket_type": "SPORTS_NORMAL", "amount": 10, "reason": "x"},
    )
    assert db.execute("SELECT actor FROM wallet.audit_log WHERE action = 'adjustment.apply'").fetchall() == [
        ("test-admin",)
    ]
    assert db.execute("SELECT created_by FROM wallet.account").fetchall() == [("test-payments",)]
