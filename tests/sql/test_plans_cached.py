"""A command's statements are planned once per connection and then run from the plan cache:
PL/pgSQL caches the plan of every statement it runs, while PostgreSQL 15 parses and plans the
body of a LANGUAGE sql function again on every call that does not inline it.  So every command
(a VOLATILE function of an API schema) is PL/pgSQL.  Found by measurement (docs/benchmarks.md):
payments.withdrawal_complete and admin.rolling_waive, one-line SQL wrappers, planned their call
on every call (46-47 us each)."""

from ruby_wallet.db import SCHEMA_ROLES


def test_every_command_is_plpgsql(db):
    sql_commands = db.execute(
        """SELECT format('%%s.%%s', p.pronamespace::regnamespace, p.proname) FROM pg_proc p
             JOIN pg_language l ON l.oid = p.prolang
            WHERE p.pronamespace::regnamespace::text = ANY (%s) AND p.provolatile = 'v'
              AND l.lanname <> 'plpgsql'
            ORDER BY 1""",
        (list(SCHEMA_ROLES),),
    ).fetchall()
    assert [name for (name,) in sql_commands] == []


def test_the_rule_sees_the_commands(db):
    """The query above finds commands at all (a schema list gone wrong would pass it vacuously)."""
    (count,) = db.execute(
        """SELECT count(*) FROM pg_proc p WHERE p.pronamespace::regnamespace::text = ANY (%s)
              AND p.provolatile = 'v'""",
        (list(SCHEMA_ROLES),),
    ).fetchone()
    assert count >= 30
