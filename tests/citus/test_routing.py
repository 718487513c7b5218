"""Single-shard routing, shown by what Citus itself reports (EXPLAIN on the coordinator, and the
commands every node logs with citus.log_remote_commands / log_local_commands): a one-account
command runs on the worker holding the account's shard, as one call, with no other node and no
two-phase commit — and what keeps the API's statements from running that way today."""

from __future__ import annotations

import re

import psycopg

from ruby_wallet.db import queries
from ruby_wallet.dsn import with_role
from tests.citus.conftest import trace

AUTHORIZE = "SELECT game.bet_authorize(%s, %s, 'SPORTS', 'book', 1000, 2.0)"


def _funded_player(citus, player: str) -> int:
    with citus.connect("wallet_dba") as conn:
        conn.execute("SELECT payments.open_account(%s, 'KRW')", (player,))
        conn.execute(
            "SELECT payments.deposit_create(%s, %s, 100000, 'SPORTS_NORMAL', true)", (f"{player}-fund", player)
        )
    return citus.node_of("wallet.account", player)


def _shards_of(citus, player: str) -> set[int]:
    """The player's shard of every account-keyed table, and every reference table's shard."""
    from ruby_wallet import distribute as placement

    with citus.connect() as conn:
        return {
            sid
            for (sid,) in conn.execute(
                """SELECT get_shard_id_for_distribution_column(t::regclass, %s::text) FROM unnest(%s::text[]) t
                   UNION SELECT shardid FROM pg_dist_shard WHERE logicalrelid = ANY (%s::regclass[])""",
                (player, list(placement.ACCOUNT_TABLES), list(placement.REFERENCE_TABLES)),
            )
        }


def test_explain_shows_one_task_on_the_accounts_worker(citus):
    home = _funded_player(citus, "route-explain")
    with citus.connect("wallet_game") as conn:
        plan = "\n".join(
            r[0] for r in conn.execute("EXPLAIN (VERBOSE) " + AUTHORIZE, ("route-explain-b1", "route-explain"))
        )
    assert "Task Count: 1" in plan, plan
    assert re.search(rf"Node: host=\S+ port={home} ", plan), plan
    assert "SELECT game.bet_authorize(" in plan, "the task is the whole call"


def _ran_alone(citus, ran, player: str) -> None:
    """`ran` shows one call forwarded to the player's worker, which ran every statement on its
    local shards of the player's shard group or of reference tables: no other node, no 2PC."""
    home = citus.node_of("wallet.account", player)
    assert ran.delegated_to == home, ran.summary()
    assert [t for _, t, _ in ran.issued] == [home], f"only the call itself crosses the network:\n{ran.summary()}"
    assert {p for p, _ in ran.local} == {home} and ran.local, ran.summary()
    assert not ran.two_phase
    allowed = _shards_of(citus, player)
    shards = (re.findall(r"wallet\.\w+?_(\d+)\b|for shard (\d+)", c) for _, c in ran.local)
    touched = {int(table or copy) for found in shards for table, copy in found}
    assert touched and touched <= allowed, f"shards outside the player's group: {touched - allowed}\n{ran.summary()}"


def test_open_account_runs_on_the_accounts_worker_alone(citus, traced):
    with citus.connect("wallet_payments") as conn:
        for n in range(4):
            player = f"route-open-{n}"
            with trace(conn, citus.cluster.coordinator.port) as ran:
                result = conn.execute("SELECT payments.open_account(%s, 'KRW')", (player,)).fetchone()[0]
            assert result["created"] is True
            _ran_alone(citus, ran, player)


def test_bet_authorize_runs_on_the_accounts_worker_alone(citus, traced):
    _funded_player(citus, "route-bet")
    with citus.connect("wallet_game") as conn:
        for n in range(3):
            with trace(conn, citus.cluster.coordinator.port) as ran:
                result = conn.execute(AUTHORIZE, (f"route-bet-b{n}", "route-bet")).fetchone()[0]
            assert result["status"] == "AUTHORIZED"
            _ran_alone(citus, ran, "route-bet")


def test_the_apis_statement_is_forwarded_whole(citus, traced):
    query = queries()["open_account"]
    with psycopg.connect(with_role(citus.url, query.role), autocommit=True) as conn:
        with trace(conn, citus.cluster.coordinator.port) as ran:
            conn.execute(query.sql, dict(player_id="route-api", currency="KRW", actor="api:test")).fetchone()
    assert ran.delegated_to == citus.node_of("wallet.account", "route-api"), (
        f"the coordinator ran the function itself:\n{ran.summary()}"
    )


def test_a_call_in_a_transaction_block_is_not_forwarded(citus, traced):
    """Citus forwards a call only outside a transaction block (without force_delegation):
    `BEGIN; SET LOCAL ROLE …; SELECT f(…); COMMIT` runs f on the coordinator (finding C20)."""
    with citus.connect() as conn:
        with trace(conn, citus.cluster.coordinator.port) as ran, conn.transaction():
            conn.execute("SET LOCAL ROLE wallet_payments")
            conn.execute("SELECT payments.open_account('route-block', 'KRW')").fetchone()
    assert ran.delegated_to is None
    assert ran.issued[0][2].startswith("BEGIN"), ran.summary()
    assert {t for _, t, _ in ran.issued} == {citus.node_of("wallet.account", "route-block")}, (
        "still one shard's node, statement by statement"
    )
