"""The committed schema snapshot (sql/schema.snapshot.sql) is what migrating an empty database
gives: a migration that changes the schema without the snapshot fails here, so a reviewer sees
every change to tables, constraints, indexes, types, views and grants as a diff of that file.
Rewrite it with `python -m tests.support.schema_snapshot` (scripts/gen-docs does)."""

import difflib

from psycopg.conninfo import make_conninfo

from tests.support.schema_snapshot import SNAPSHOT, fresh_snapshot


def test_migrations_give_the_committed_schema(postgresql_proc):
    url = make_conninfo(
        host=postgresql_proc.host,
        port=postgresql_proc.port,
        user=postgresql_proc.user,
        dbname="postgres",
        password=postgresql_proc.password or "",
    )
    actual = fresh_snapshot(url)
    expected = SNAPSHOT.read_text()
    diff = "".join(
        difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "committed", "migrated", n=2)
    )
    assert actual == expected, f"the schema changed: run python -m tests.support.schema_snapshot\n{diff[:6000]}"
