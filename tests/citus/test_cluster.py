"""The cluster ruby_wallet.citus builds, and what `ruby-wallet migrate` and `ruby-wallet
distribute` leave on it: every placement as ruby_wallet.distribute declares it, every function
and view on every node, and a second run of either changing nothing."""

from __future__ import annotations

import psycopg
import pytest

from ruby_wallet import distribute as placement
from ruby_wallet.migrate import migrate


def test_three_nodes_registered_and_reachable(citus):
    with citus.connect() as conn:
        nodes = conn.execute("SELECT groupid, nodeport FROM pg_dist_node WHERE isactive ORDER BY groupid").fetchall()
        health = conn.execute("SELECT bool_and(result) FROM citus_check_cluster_node_health()").fetchone()[0]
    assert [g for g, _ in nodes] == [0, 1, 2]
    assert sorted(p for _, p in nodes) == sorted(citus.node_urls())
    assert health, "a node cannot reach another"


def test_placement_is_the_declared_one(citus):
    with citus.connect() as conn:
        tables = {
            name: (kind, column, colocation)
            for name, kind, column, colocation in conn.execute(
                "SELECT table_name::text, citus_table_type, distribution_column, colocation_id FROM citus_tables"
            )
        }
        functions = dict(
            conn.execute(
                """SELECT d.objid::regprocedure::text, p.proargnames[d.distribution_argument_index + 1]
                     FROM pg_dist_object d JOIN pg_proc p ON p.oid = d.objid
                    WHERE d.classid = 'pg_proc'::regclass AND d.distribution_argument_index IS NOT NULL"""
            ).fetchall()
        )
        declared_functions = {
            conn.execute("SELECT to_regprocedure(%s)::text", (s,)).fetchone()[0]: placement.PLAYER_ARGUMENT
            for s in placement.PLAYER_FUNCTIONS
        }
    for table in placement.REFERENCE_TABLES:
        assert tables.pop(table)[0] == "reference", table
    anchor = tables[placement.ACCOUNT_TABLE][2]
    for table in placement.ACCOUNT_TABLES:
        assert tables.pop(table) == ("distributed", placement.ACCOUNT_COLUMN, anchor), table
    assert tables == {}, "tables Citus knows that the declaration does not place"
    assert functions == declared_functions


def test_distribute_again_does_nothing(citus):
    report = placement.distribute(citus.url)
    assert report.executed == [] and not report.propagated
    assert report.lines() == [f"nothing to do: all {len(placement.steps())} placements already in place"]


def test_every_function_and_view_is_on_every_node(citus):
    with citus.connect() as conn:
        assert placement.unpropagated(conn) == []
    counts = set()
    for url in citus.node_urls().values():
        with psycopg.connect(url) as conn:
            counts.add(
                conn.execute(
                    """SELECT count(*) FILTER (WHERE p.oid IS NOT NULL) FROM pg_proc p
                        WHERE p.proowner = 'wallet_owner'::regrole"""
                ).fetchone()[0]
            )
    assert len(counts) == 1, f"the nodes hold different numbers of wallet functions: {counts}"


def test_no_function_returns_a_shards_row_type(citus):
    """Distributing must not turn a table into a Citus local table: Citus renames such a table
    to its shard, and functions declared with its row type would keep the shard's (docs/scaling.md C4)."""
    with citus.connect() as conn:
        bad = conn.execute(
            r"""SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_type t ON t.oid = p.prorettype OR t.oid = ANY (p.proargtypes)
                 WHERE p.proowner = 'wallet_owner'::regrole AND t.typname ~ '_[0-9]+$'"""
        ).fetchall()
    assert bad == []


def test_migrate_again_and_forced_keeps_the_cluster_whole(citus):
    again = migrate(citus.url)
    assert again.migrations_applied == [] and not again.code_applied
    forced = migrate(citus.url, force=True)
    assert forced.code_applied and forced.functions_dropped == []
    with citus.connect() as conn:
        assert placement.unpropagated(conn) == [], "re-applied code did not reach the workers"
    assert placement.distribute(citus.url).executed == []


def test_ledger_rules_hold_on_the_shards(citus):
    """The row checks of wallet.ledger_txn (double entry, with the migration-owned
    wallet._array_sum) and its append-only trigger run on every shard."""
    with citus.connect() as conn:
        conn.execute("SELECT payments.open_account('ledger-1', 'KRW')")
        with pytest.raises(psycopg.errors.CheckViolation) as unbalanced:
            conn.execute(
                """INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, targets, amounts, balances_after)
                   VALUES ('ledger-1', 1, 'TEST', 'x', 'x', ARRAY['SPORTS_NORMAL', '@HOUSE'], ARRAY[5, -4]::bigint[],
                           ARRAY[5, NULL]::bigint[])"""
            )
        # The coordinator relays a worker's error with its SQLSTATE, message, detail, hint and
        # context only: the constraint's name is in the message, not in its own field (C27).
        assert 'violates check constraint "ledger_txn_entries_sum_to_zero"' in unbalanced.value.diag.message_primary
        assert unbalanced.value.diag.constraint_name is None
        conn.execute("SELECT payments.deposit_create('ledger-1-d', 'ledger-1', 10, 'SPORTS_NORMAL', true)")
        with pytest.raises(psycopg.Error) as changed:
            conn.execute("UPDATE wallet.ledger_txn SET ref = ref WHERE account_id = 'ledger-1'")
        assert changed.value.sqlstate == "RW900"


def test_a_backstop_violation_on_a_worker_maps_to_its_wallet_error(citus):
    from ruby_wallet.errors import from_database

    with citus.connect() as conn:
        conn.execute("SELECT payments.open_account('ledger-2', 'KRW')")
        with pytest.raises(psycopg.errors.CheckViolation) as unbalanced:
            conn.execute(
                """INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, targets, amounts, balances_after)
                   VALUES ('ledger-2', 1, 'TEST', 'x', 'x', ARRAY['SPORTS_NORMAL', '@HOUSE'], ARRAY[5, -4]::bigint[],
                           ARRAY[5, NULL]::bigint[])"""
            )
    diag = unbalanced.value.diag
    mapped = from_database(unbalanced.value.sqlstate, diag.message_primary, diag.message_detail, diag.constraint_name)
    assert mapped is not None and mapped.error.code == "LEDGER_UNBALANCED"
