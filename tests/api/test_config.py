"""Admin HTTP routes for topology and policy versions: faults listed, blockers named, every
attempt audited, and the active version is what commands read."""

import copy

import pytest

from tests.support.http import assert_problem

DEFAULT_TOPOLOGY = {
    "wallet_groups": [
        {"code": "SPORTS", "provider_types": ["SPORTS"]},
        {"code": "CASINO", "provider_types": ["LIVE", "SLOTS"]},
    ],
    "bucket_types": [
        {
            "code": "SPORTS_NORMAL",
            "kind": "CASH",
            "group": "SPORTS",
            "bettable": True,
            "withdrawable": False,
            "accepts_deposit": True,
            "accepts_winnings": True,
        },
        {
            "code": "SPORTS_BONUS",
            "kind": "BONUS",
            "group": "SPORTS",
            "bettable": True,
            "withdrawable": False,
            "accepts_deposit": False,
            "accepts_winnings": True,
        },
        {
            "code": "CASINO_NORMAL",
            "kind": "CASH",
            "group": "CASINO",
            "bettable": True,
            "withdrawable": False,
            "accepts_deposit": True,
            "accepts_winnings": True,
        },
        {
            "code": "CASINO_BONUS",
            "kind": "BONUS",
            "group": "CASINO",
            "bettable": True,
            "withdrawable": False,
            "accepts_deposit": False,
            "accepts_winnings": True,
        },
        {
            "code": "POINTS",
            "kind": "POINTS",
            "group": None,
            "bettable": False,
            "withdrawable": False,
            "accepts_deposit": False,
            "accepts_winnings": False,
        },
        {
            "code": "WITHDRAWABLE",
            "kind": "WITHDRAWABLE",
            "group": None,
            "bettable": True,
            "withdrawable": True,
            "accepts_deposit": False,
            "accepts_winnings": True,
        },
    ],
    "transfer_edges": [{"from": "SPORTS_NORMAL", "to": "CASINO_NORMAL"}],
}


def topology(**changes):
    doc = copy.deepcopy(DEFAULT_TOPOLOGY)
    doc.update(changes)
    return doc


def without(code):
    return topology(bucket_types=[b for b in DEFAULT_TOPOLOGY["bucket_types"] if b["code"] != code])


def audit(api, action):
    return [e for e in api.get("/v1/admin/audit-log?limit=100").json()["entries"] if e["action"] == action]


def test_invalid_topology_with_several_faults_lists_each_and_is_audited(api):
    doc = topology()
    doc["bucket_types"][0]["kind"] = "GOLD"
    doc["transfer_edges"][0]["to"] = "NOWHERE"
    doc["wallet_groups"][1]["provider_types"] = ["LIVE"]
    body = assert_problem(api.post("/v1/admin/topologies?reason=try", doc), 422, "TOPOLOGY_INVALID")
    assert {e["path"] for e in body["errors"]} == {
        "bucket_types[0].kind",
        "wallet_groups[0]",
        "wallet_groups",
        "transfer_edges[0].to",
    }
    refused = audit(api, "topology.create")
    assert refused[0]["outcome"] == "REFUSED" and refused[0]["actor"] == "test-admin"
    assert len(refused[0]["detail"]["errors"]) == 4
    assert [v["version"] for v in api.get("/v1/admin/topologies").json()["versions"]] == [1]


def test_topology_that_drops_a_bucket_holding_money_is_blocked_naming_the_blockers(api):
    api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    api.post(
        "/v1/admin/adjustments",
        {"adjustment_id": "a1", "player_id": "p1", "bucket_type": "CASINO_BONUS", "amount": 300, "reason": "promo"},
    )
    created = api.post("/v1/admin/topologies", without("CASINO_BONUS"))
    assert created.status_code == 201 and created.json() == {"version": 2, "status": "DRAFT"}
    preview = api.post("/v1/admin/topologies/2/preview", {}).json()
    assert {b["kind"] for b in preview["blockers"]} == {"bucket_balance", "policy_invalid"}

    body = assert_problem(
        api.post("/v1/admin/topologies/2/activate", {"reason": "drop casino bonus"}), 409, "ACTIVATION_BLOCKED"
    )
    balance = next(b for b in body["blockers"] if b["kind"] == "bucket_balance")
    assert balance == {
        "kind": "bucket_balance",
        "bucket_type": "CASINO_BONUS",
        "accounts": 1,
        "amount": 300,
        "sample_players": ["p1"],
    }
    assert {b["provider_type"] for b in body["blockers"] if b["kind"] == "policy_invalid"} == {"LIVE", "SLOTS"}
    refused = audit(api, "topology.activate")[0]
    assert refused["outcome"] == "REFUSED" and refused["reason"] == "drop casino bonus"
    assert refused["detail"]["blockers"] == body["blockers"]
    assert api.get("/v1/admin/topologies/1").json()["status"] == "ACTIVE"


def test_create_preview_and_activate_with_policies(api):
    doc = topology()
    doc["bucket_types"].append(
        {
            "code": "VIP_CASH",
            "kind": "CASH",
            "group": "SPORTS",
            "bettable": True,
            "accepts_deposit": True,
            "accepts_winnings": True,
        }
    )
    assert api.post("/v1/admin/topologies", doc).json()["version"] == 2
    assert api.get("/v1/admin/topologies/2").json()["document"] == doc
    policy = {
        "funding_mode": "PLAYER_SELECTED",
        "deduction_order": ["VIP_CASH", "SPORTS_NORMAL"],
        "settlement_destinations": {"CASH": "VIP_CASH"},
    }
    # Bound to draft topology 2, where VIP_CASH exists.
    created = api.post(
        "/v1/admin/policies", {"provider_type": "SPORTS", "document": policy, "reason": "vip", "topology_version": 2}
    )
    assert created.status_code == 201, created.text
    assert created.json() == {"provider_type": "SPORTS", "version": 2, "status": "DRAFT", "topology_version": 2}
    # On its own it cannot be activated under topology 1.
    assert_problem(api.post("/v1/admin/policies/SPORTS/2/activate", {"reason": "early"}), 422, "POLICY_INVALID")
    assert (
        api.post(
            "/v1/admin/topologies/2/preview", {"policy_versions": [{"provider_type": "SPORTS", "version": 2}]}
        ).json()["blockers"]
        == []
    )
    r = api.post(
        "/v1/admin/topologies/2/activate",
        {"reason": "vip launch", "policy_versions": [{"provider_type": "SPORTS", "version": 2}]},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "version": 2,
        "status": "ACTIVE",
        "policies_activated": [{"provider_type": "SPORTS", "version": 2}],
    }
    versions = api.get("/v1/admin/policies?provider_type=SPORTS").json()["policies"]
    assert [(p["version"], p["status"]) for p in versions] == [(1, "RETIRED"), (2, "ACTIVE")]
    api.post("/v1/accounts", {"player_id": "p1", "currency": "KRW"}, scope="payments")
    adjusted = api.post(
        "/v1/admin/adjustments",
        {
            "adjustment_id": "a",
            "player_id": "p1",
            "bucket_type": "VIP_CASH",
            "amount": 5,
            "reason": "new bucket type is data",
        },
    )
    assert adjusted.status_code == 201, adjusted.text
    balances = api.get("/v1/players/p1/balances").json()
    assert balances["topology_version"] == 2
    assert {"bucket_type": "VIP_CASH", "kind": "CASH", "balance": 5} in balances["groups"][0]["buckets"]


def test_policy_faults_and_unknowns(api):
    body = assert_problem(
        api.post(
            "/v1/admin/policies",
            {
                "provider_type": "SPORTS",
                "document": {"funding_mode": "X", "deduction_order": ["GOLD"], "settlement_destinations": {}},
            },
        ),
        422,
        "POLICY_INVALID",
    )
    assert [e["path"] for e in body["errors"]] == ["funding_mode", "deduction_order[0]"]
    assert audit(api, "policy.create")[0]["outcome"] == "REFUSED"
    assert_problem(api.post("/v1/admin/policies/SPORTS/9/activate", {"reason": "x"}), 404, "POLICY_NOT_FOUND")
    assert_problem(api.post("/v1/admin/topologies/9/activate", {"reason": "x"}), 404, "TOPOLOGY_NOT_FOUND")
    assert_problem(api.get("/v1/admin/topologies/9"), 404, "TOPOLOGY_NOT_FOUND")
    assert_problem(api.post("/v1/admin/topologies/1/activate", {}), 422, "VALIDATION_FAILED")
    assert_problem(api.post("/v1/admin/policies", {"provider_type": "BINGO", "document": {}}), 422, "POLICY_INVALID")


def test_group_policy_lifecycle(api):
    created = api.post(
        "/v1/admin/group-policies",
        {
            "wallet_group": "CASINO",
            "document": {"deposit_rolling_bps": 30000, "auto_complete_below": 100},
            "reason": "3x rolling",
        },
    )
    assert created.status_code == 201 and created.json()["version"] == 2
    assert api.post("/v1/admin/group-policies/CASINO/2/activate", {"reason": "3x"}).json()["status"] == "ACTIVE"
    listed = api.get("/v1/admin/group-policies?wallet_group=CASINO").json()["policies"]
    assert [(p["version"], p["status"]) for p in listed] == [(1, "RETIRED"), (2, "ACTIVE")]
    assert_problem(
        api.post("/v1/admin/group-policies", {"wallet_group": "POKER", "document": {}}), 422, "POLICY_INVALID"
    )


def test_admin_routes_need_the_admin_scope(api):
    for scope in ("game", "payments", "promotion", "player"):
        assert_problem(api.get("/v1/admin/topologies", scope=scope), 403, "FORBIDDEN")
        assert_problem(api.post("/v1/admin/policies", {}, scope=scope), 403, "FORBIDDEN")


def test_audit_log_pages(api):
    for _ in range(3):
        api.post("/v1/admin/topologies", topology())
    first = api.get("/v1/admin/audit-log?limit=2").json()
    second = api.get(f"/v1/admin/audit-log?limit=2&before={first['next']}").json()
    ids = [e["audit_id"] for e in first["entries"] + second["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


@pytest.mark.parametrize("query", ["before=9223372036854775808", "before=0", "before=x", "limit=0", "limit=501"])
def test_audit_log_cursor_out_of_range_is_422(api, query):
    """Found by the fuzzer: a cursor beyond bigint was a 500."""
    assert_problem(api.get(f"/v1/admin/audit-log?{query}"), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("body", [[1, 2], "text", 5])
def test_topology_body_must_be_an_object(api, body):
    assert_problem(api.post("/v1/admin/topologies", body), 422, "VALIDATION_FAILED")
