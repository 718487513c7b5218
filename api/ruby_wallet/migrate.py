"""`ruby-wallet migrate`: bring a database to the wallet's current schema and code.

1. sql/bootstrap.sql, as the connecting user: roles and schemas (idempotent).
2. yoyo-migrations applies pending files of migrations/ (versioned DDL), connected with
   `-c role=wallet_owner` so every object belongs to the owner role; yoyo keeps its own
   bookkeeping in schema wallet_meta.
3. When the digest of procedures/, sql/error_codes.tsv and sql/NN_*.sql differs from the one
   recorded in wallet_meta.code_state (or with force=True), in one transaction as
   wallet_owner: drop the analytics views, re-create every function of procedures/, drop
   functions no file defines any more, load the error codes, run sql/NN_*.sql (seeds, views,
   grants) and record the digest.  Unchanged code is not touched: a second migrate is a no-op.

A session-level advisory lock keeps two migrates from interleaving.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import psycopg
from psycopg.conninfo import conninfo_to_dict
from yoyo import read_migrations
from yoyo.backends.core.postgresql import PostgresqlPsycopgBackend
from yoyo.connections import DatabaseURI

from ruby_wallet import paths
from ruby_wallet.dsn import with_role

MIGRATE_LOCK = 7263_0001  # pg_advisory_lock key, any constant unique to the wallet


@dataclass
class MigrateReport:
    migrations_applied: list[str] = field(default_factory=list)
    code_applied: bool = False
    functions_dropped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"migrations applied: {', '.join(self.migrations_applied) or 'none pending'}"]
        out.append("procedures, views and grants: " + ("re-applied" if self.code_applied else "unchanged"))
        if self.functions_dropped:
            out.append(f"functions no longer defined, dropped: {', '.join(self.functions_dropped)}")
        return out


def _yoyo_backend(database_url: str) -> PostgresqlPsycopgBackend:
    params = conninfo_to_dict(with_role(database_url, "wallet_owner"))
    params["schema"] = "wallet_meta"
    uri = DatabaseURI("postgresql+psycopg", None, None, None, None, None, params)
    backend = PostgresqlPsycopgBackend(uri, "_yoyo_migration")
    backend.init_database()
    return backend


def _apply_migrations(database_url: str) -> list[str]:
    backend = _yoyo_backend(database_url)
    migrations = read_migrations(str(paths.migrations_dir()))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    backend.connection.close()
    return [m.id for m in pending]


def _load_error_codes(conn: psycopg.Connection) -> None:
    with paths.error_codes_file().open(newline="") as f:
        rows = [
            (r["code"], r["sqlstate"] or None, int(r["http_status"]), r["title"], r["description"])
            for r in csv.DictReader(f, delimiter="\t")
        ]
    conn.execute("DELETE FROM wallet.error_code")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO wallet.error_code (code, sqlstate, http_status, title, description) VALUES (%s, %s, %s, %s, %s)",
            rows,
        )


def _apply_code(conn: psycopg.Connection, report: MigrateReport) -> None:
    for view in conn.execute(
        "SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname = 'analytics'"
    ).fetchall():
        conn.execute(f"DROP VIEW IF EXISTS {view[0]} CASCADE")
    # As pg_dump does: functions may refer to functions defined later in the files.
    conn.execute("SET LOCAL check_function_bodies = off")
    for path in paths.procedure_files():
        conn.execute(path.read_text())
    # CREATE OR REPLACE rewrites each defined function's pg_proc row in this transaction; a
    # function whose row this transaction did not write is defined by no file any more.
    stale = conn.execute(
        """SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'wallet'::regnamespace
              AND p.prorettype <> 'trigger'::regtype
              AND p.xmin::text::bigint <> (pg_current_xact_id()::text::bigint % 4294967296)"""
    ).fetchall()
    for (signature,) in stale:
        conn.execute(f"DROP FUNCTION {signature}")
        report.functions_dropped.append(signature)
    _load_error_codes(conn)
    for path in paths.sql_files():
        conn.execute(path.read_text())


def migrate(database_url: str, *, force: bool = False) -> MigrateReport:
    report = MigrateReport()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
        try:
            conn.execute(paths.bootstrap_file().read_text())
            report.migrations_applied = _apply_migrations(database_url)
            digest = paths.code_digest()
            with conn.transaction():
                conn.execute("SET LOCAL ROLE wallet_owner")
                row = conn.execute("SELECT digest FROM wallet_meta.code_state").fetchone()
                if force or row is None or row[0] != digest:
                    _apply_code(conn, report)
                    conn.execute(
                        """INSERT INTO wallet_meta.code_state (digest) VALUES (%s)
                           ON CONFLICT (singleton) DO UPDATE SET digest = excluded.digest, applied_at = now()""",
                        (digest,),
                    )
                    report.code_applied = True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))
    return report
