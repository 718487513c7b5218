"""docs/scaling.md gives Citus distribution statements for this schema: every table is
distributed or a reference table, every player command is distributed by its p_player_id
argument, and each statement names something that exists.  (No Citus here: the statements are
checked against the catalog of a migrated database.)"""

import re
from pathlib import Path

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scaling.md").read_text()
DISTRIBUTED = re.findall(r"create_distributed_table\('([\w.]+)', '(\w+)'", DOC)
REFERENCE = re.findall(r"create_reference_table\('([\w.]+)'\)", DOC)
FUNCTIONS = re.findall(r"create_distributed_function\('([^']+)', '(\w+)'", DOC)
DROPPED = re.findall(r"ALTER TABLE ([\w.]+) DROP CONSTRAINT (\w+);", DOC)


def test_every_table_is_placed_exactly_once(db):
    tables = {
        f"wallet.{t}"
        for (t,) in db.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'wallet'::regnamespace AND relkind = 'r'"
        ).fetchall()
    }
    placed = [t for t, _ in DISTRIBUTED] + REFERENCE
    assert sorted(placed) == sorted(set(placed)), "a table is placed twice"
    assert set(placed) == tables


def test_distributed_tables_use_an_existing_leading_key(db):
    for table, column in DISTRIBUTED:
        first_pk_column = db.execute(
            """
            SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = %s::regclass AND i.indisprimary""",
            (table,),
        ).fetchone()[0]
        if table == "wallet.resource_owner":
            assert column == "resource_id"
        else:
            assert (column, first_pk_column) == ("account_id", "account_id"), table


def test_dropped_constraints_exist(db):
    for table, constraint in DROPPED:
        assert db.execute(
            "SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s", (table, constraint)
        ).fetchone(), (table, constraint)


def test_every_player_command_is_distributed_by_its_player_argument(db):
    documented = {}
    for signature, argument in FUNCTIONS:
        row = db.execute(
            "SELECT to_regprocedure(%s)::text, (SELECT proargnames FROM pg_proc WHERE oid = to_regprocedure(%s))",
            (signature, signature),
        ).fetchone()
        assert row[0] is not None, f"{signature} does not exist"
        assert argument in row[1], f"{signature} has no argument {argument}"
        documented[row[0]] = argument
    with_player = {
        name
        for (name,) in db.execute("""
        SELECT p.oid::regprocedure::text FROM pg_proc p
         WHERE p.pronamespace::regnamespace::text IN ('game', 'payments', 'promotion', 'player', 'events', 'casino', 'admin', 'ops')
           AND 'p_player_id' = ANY (p.proargnames)""").fetchall()
    }
    assert set(documented) == with_player
