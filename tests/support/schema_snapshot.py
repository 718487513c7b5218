"""The schema snapshot: what a freshly migrated database holds (tables, types, sequences,
constraints, indexes, triggers and their functions, views, schemas, owners and grants), as
pg_dump writes it, committed as sql/schema.snapshot.sql.  The functions of procedures/ are left
out (their files are their source, and their privileges follow their schema); trigger functions,
which migrations define, stay in.

    python -m tests.support.schema_snapshot     rewrite sql/schema.snapshot.sql from a fresh database
    (tests/sql/test_schema_snapshot.py fails when migrations change the schema without it)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ruby_wallet.localdb import find_bindir
from ruby_wallet.migrate import migrate

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "sql" / "schema.snapshot.sql"
_SECTION = re.compile(r"^--\n-- (Name: .*)\n--\n", re.M)


def normalise(dump: str) -> str:
    """pg_dump's output without what varies between runs and versions, and without the functions
    of procedures/ (a section `Type: FUNCTION` that is not a trigger function, and their ACLs)."""
    # pg_dump 15.14+ brackets its output in \restrict / \unrestrict with a random key.
    dump = "\n".join(line for line in dump.splitlines() if not line.startswith(("\\restrict", "\\unrestrict")))
    parts = _SECTION.split(dump)
    keep = []
    for header, body in zip(parts[1::2], parts[2::2], strict=True):
        is_function = "; Type: FUNCTION;" in header
        is_function_acl = header.startswith("Name: FUNCTION ") and "; Type: ACL;" in header
        if (is_function and "RETURNS trigger" not in body) or (is_function_acl and "trigger" not in header):
            continue
        keep.append(f"--\n-- {header}\n--\n{body.strip()}\n")
    return "-- The schema of a migrated database (python -m tests.support.schema_snapshot writes it).\n\n" + "\n".join(
        keep
    )


def dump(database_url: str) -> str:
    params = conninfo_to_dict(database_url)
    env = {"PGPASSWORD": str(params.get("password") or "")}
    result = subprocess.run(
        [
            str(find_bindir() / "pg_dump"),
            "--schema-only",
            "--no-comments",
            "--exclude-schema=tap_helpers",
            "-d",
            make_conninfo(**{k: v for k, v in params.items() if k != "password"}),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    return normalise(result.stdout)


def fresh_snapshot(server_url: str, dbname: str = "wallet_schema_snapshot") -> str:
    """Migrate a new database from template0 on the server of server_url and dump it."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(dbname)))
    url = make_conninfo(server_url, dbname=dbname)
    try:
        migrate(url)
        return dump(url)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


if __name__ == "__main__":
    from ruby_wallet.localdb import LocalCluster

    home = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".ruby-wallet"
    cluster = LocalCluster(home)
    url = cluster.ensure_running()
    try:
        SNAPSHOT.write_text(fresh_snapshot(url))
        print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
    finally:
        if cluster.started_here:
            cluster.stop()
