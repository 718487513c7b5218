"""The Citus placement `ruby-wallet distribute` runs (ruby_wallet.distribute) against the schema,
without Citus: checked on the catalog of a migrated single-node database, so the declaration
cannot drift from the tables and functions.  docs/scaling.md shows the same statements
(written by scripts/gen-docs) and documents every finding the Citus tier's xfails name.
tests/citus/ runs the placement on a real cluster."""

import re

from ruby_wallet import distribute
from tests.citus.findings import FINDINGS
from tests.support import scaling_doc

DOC = scaling_doc.PAGE.read_text()


def test_the_page_shows_the_statements_distribute_runs():
    assert set(scaling_doc.sections(DOC)) == {"reference", "changes", "accounts", "functions"}
    assert scaling_doc.woven(DOC) == DOC, "docs/scaling.md is stale: run scripts/gen-docs"


def test_every_finding_the_tests_name_is_documented():
    documented = set(re.findall(r"^#### (C\d+)\b", DOC, re.M))
    assert set(FINDINGS) <= documented


def test_every_table_is_placed_exactly_once(db):
    tables = {
        f"wallet.{t}"
        for (t,) in db.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'wallet'::regnamespace AND relkind = 'r'"
        ).fetchall()
    }
    placed = [*distribute.REFERENCE_TABLES, *distribute.ACCOUNT_TABLES]
    assert sorted(placed) == sorted(set(placed)), "a table is placed twice"
    assert set(placed) == tables


def test_account_tables_lead_their_primary_key_with_the_account(db):
    """Every account table's primary key starts with the account id — as migrated, or once the
    change distribute makes to it before placing it (the resource directory's, C15)."""
    rekeyed = {
        c.table for c in distribute.ACCOUNT_TABLE_CHANGES if f"PRIMARY KEY ({distribute.ACCOUNT_COLUMN}," in c.sql
    }
    for table in distribute.ACCOUNT_TABLES:
        if table in rekeyed:
            continue
        first_pk_column = db.execute(
            """SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                WHERE i.indrelid = %s::regclass AND i.indisprimary""",
            (table,),
        ).fetchone()[0]
        assert first_pk_column == distribute.ACCOUNT_COLUMN, table
    assert rekeyed == {"wallet.resource_owner"}


def test_account_tables_come_after_what_their_foreign_keys_point_to(db):
    """create_distributed_table needs the referenced table distributed (or a reference table)."""
    order = {table: n for n, table in enumerate(distribute.ACCOUNT_TABLES)}
    for table in distribute.ACCOUNT_TABLES:
        for (target,) in db.execute(
            "SELECT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            (table,),
        ).fetchall():
            assert target in distribute.REFERENCE_TABLES or order[target] < order[table], (table, target)


def test_pending_changes_exist(db):
    for change in distribute.ACCOUNT_TABLE_CHANGES:
        assert db.execute(change.pending).fetchone(), f"the schema no longer needs this change, remove it: {change.sql}"


def test_every_player_command_is_distributed_by_its_player_argument(db):
    declared = {}
    for signature in distribute.PLAYER_FUNCTIONS:
        row = db.execute(
            "SELECT to_regprocedure(%s)::text, (SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure(%s))",
            (signature, signature),
        ).fetchone()
        assert row[0] is not None, f"{signature} does not exist"
        assert distribute.PLAYER_ARGUMENT in row[1], f"{signature} has no argument {distribute.PLAYER_ARGUMENT}"
        declared[row[0]] = signature
    with_player = {
        name
        for (name,) in db.execute(
            """SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.proowner = 'wallet_owner'::regrole AND p.proname !~ '^_' AND %s = ANY (p.proargnames)""",
            (distribute.PLAYER_ARGUMENT,),
        ).fetchall()
    }
    assert set(declared) == with_player
