"""`ruby-wallet migrate`: bring a database to the wallet's current schema and code.

1. sql/bootstrap.sql, as the connecting user: roles and schemas (idempotent).
2. yoyo-migrations applies pending files of migrations/ (versioned DDL), connected with
   `-c role=wallet_owner` so every object belongs to the owner role; yoyo keeps its own
   bookkeeping in schema wallet_meta.
3. When the digest of procedures/, sql/error_codes.tsv and sql/NN_*.sql differs from the one
   recorded in wallet_meta.code_state (or with force=True), in one transaction as
   wallet_owner: drop the analytics views and every function of the code schemas, create the
   functions of procedures/ layer by layer (procedures/layers.txt) with check_function_bodies
   on, load the error codes, run sql/NN_*.sql (seeds, views, grants) and record the digest.
   Unchanged code is not touched: a second migrate is a no-op.
4. On a Citus coordinator whose wallet has been distributed, place it again
   (ruby_wallet.distribute.place): a function dropped and created again has lost its
   distribution, and a new table must be placed before it is used.

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
    distributed: list[str] = field(default_factory=list)  # on Citus: what placing again did

    def lines(self) -> list[str]:
        out = [f"migrations applied: {', '.join(self.migrations_applied) or 'none pending'}"]
        out.append("procedures, views and grants: " + ("re-applied" if self.code_applied else "unchanged"))
        if self.functions_dropped:
            out.append(f"functions no longer defined, dropped: {', '.join(self.functions_dropped)}")
        out += [f"Citus: {line}" for line in self.distributed]
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


# Every schema whose functions come from procedures/ (sql/bootstrap.sql creates them).
CODE_SCHEMAS = ("wallet", "game", "payments", "promotion", "player", "events", "casino", "admin", "api", "ops")

# Functions a migration owns: trigger functions, and functions a constraint depends on (the
# ledger's row check).  They are defined with the objects that use them and never dropped here.
MIGRATION_OWNED = """(p.prorettype = 'trigger'::regtype
     OR EXISTS (SELECT 1 FROM pg_depend d
                 WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid AND d.classid = 'pg_constraint'::regclass))"""

_CODE_FUNCTIONS = f"""
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace::regnamespace::text = ANY (%s) AND p.prokind = 'f' AND NOT {MIGRATION_OWNED}
     ORDER BY 1"""


def _apply_code(conn: psycopg.Connection, report: MigrateReport) -> None:
    for view in conn.execute(
        "SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname = 'analytics'"
    ).fetchall():
        conn.execute(f"DROP VIEW IF EXISTS {view[0]} CASCADE")
    # Every function is dropped and defined again from the files, so a function may change its
    # return type or move, and nothing a file no longer defines survives.  No CASCADE: an object
    # that depends on a function (a constraint, an index) makes migrate fail loudly instead of
    # disappearing with it.  Migration-owned functions (MIGRATION_OWNED) stay.
    before = [row[0] for row in conn.execute(_CODE_FUNCTIONS, (list(CODE_SCHEMAS),)).fetchall()]
    for signature in before:
        conn.execute(f"DROP FUNCTION {signature}")
    # Layer by layer (procedures/layers.txt), with bodies checked as they are created: a
    # LANGUAGE sql function naming a function or table that does not exist yet fails here.
    conn.execute("SET LOCAL check_function_bodies = on")
    for path in paths.procedure_files():
        try:
            conn.execute(path.read_text())
        except psycopg.Error as exc:
            raise RuntimeError(f"{path.relative_to(paths.sql_root())}: {exc}") from exc
    after = {row[0] for row in conn.execute(_CODE_FUNCTIONS, (list(CODE_SCHEMAS),)).fetchall()}
    report.functions_dropped = [signature for signature in before if signature not in after]
    _load_error_codes(conn)
    for path in paths.sql_files():
        conn.execute(path.read_text())


def apply_code(conn: psycopg.Connection) -> MigrateReport:
    """Re-apply every procedure, view and grant now, in the caller's transaction and role
    (wallet_owner); `ruby-wallet distribute` uses it so Citus creates them on the workers."""
    report = MigrateReport(code_applied=True)
    _apply_code(conn, report)
    return report


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
                # A migration may drop what the code defines (views over a table it replaces):
                # whenever one ran, the code is applied again whatever its digest.
                if force or report.migrations_applied or row is None or row[0] != digest:
                    _apply_code(conn, report)
                    conn.execute(
                        """INSERT INTO wallet_meta.code_state (digest) VALUES (%s)
                           ON CONFLICT (singleton) DO UPDATE SET digest = excluded.digest, applied_at = now()""",
                        (digest,),
                    )
                    report.code_applied = True
            if report.code_applied or report.migrations_applied:
                from ruby_wallet import distribute

                # On a distributed wallet (Citus), re-applied functions have lost their
                # distribution (docs/scaling.md): place them again, in the same lock.
                if distribute.is_distributed(conn):
                    report.distributed = distribute.place(conn).lines()
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))
    return report
