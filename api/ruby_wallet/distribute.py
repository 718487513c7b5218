"""`ruby-wallet distribute`: place a migrated wallet on a Citus cluster (run on the coordinator).

The placement is declared once, here: configuration tables become reference tables (a copy on
every node); the account-keyed tables — money, the outbox, the audit log, the resource
directory — are hash-distributed by `account_id` and colocated with `wallet.account`; every
command that names a player is a distributed function routed by its `p_player_id` argument, so
the coordinator forwards the whole call to the worker holding the player's shard, where it runs
as a local transaction.  `steps()` turns
the declaration into SQL; docs/scaling.md shows exactly that SQL (scripts/gen-docs writes it,
tests/docs/test_scaling_doc.py checks the page and the declaration against a migrated catalog).

Idempotent: what Citus's catalog already shows placed as declared is skipped, so a second run
executes nothing; something placed differently (another distribution column, another
colocation) is refused, never silently kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

# Colocation anchor: every account-keyed table lives on the shard of its account.
ACCOUNT_TABLE = "wallet.account"
ACCOUNT_COLUMN = "account_id"
PLAYER_ARGUMENT = "p_player_id"
OWNER = "wallet_owner"

# Small, read by every command, changed rarely by admins: a copy on every node.  Placed first,
# so foreign keys from distributed tables to them are allowed.
REFERENCE_TABLES = (
    "wallet.provider_type",
    "wallet.topology_version",
    "wallet.wallet_group",
    "wallet.bucket_type",
    "wallet.provider_mapping",
    "wallet.transfer_edge",
    "wallet.betting_policy",
    "wallet.group_policy",
    "wallet.error_code",
    "wallet.api_key",
    "wallet.relay_cursor",
    "wallet.casino_provider",
)

# Distributed by account_id, colocated with wallet.account.  Order matters: a table is
# distributed after every table its foreign keys point to.
ACCOUNT_TABLES = (
    "wallet.account",
    "wallet.resource_owner",
    "wallet.audit_log",
    "wallet.bucket",
    "wallet.ledger_txn",
    "wallet.adjustment",
    "wallet.repeat_key",
    "wallet.outbox",
    "wallet.coupon",
    "wallet.bet",
    "wallet.rolling_obligation",
    "wallet.rolling_progress",
    "wallet.deposit",
    "wallet.withdrawal",
    "wallet.withdrawal_source",
    "wallet.promotion_credit",
    "wallet.transfer",
    "wallet.relay_stream",
    "wallet.relay_parked",
    "wallet.bet_extra_payout",
    "wallet.casino_round",
    "wallet.casino_transaction",
    "wallet.game_session",
)


@dataclass(frozen=True)
class Change:
    """A schema change a table needs before Citus distributes it: `sql` runs while `pending`
    (a query) returns a row."""

    table: str
    why: str
    sql: str
    pending: str


# Run before the account tables are distributed.
ACCOUNT_TABLE_CHANGES = (
    Change(
        "wallet.resource_owner",
        "the resource directory lives with the accounts, so a command claims its ids on its own shard: the key "
        "of a claim is the account, the id a plain index for the routes that name only the id (a read across "
        "shards). On Citus an id is unique per player: two players' records may share one, and a route naming "
        "only that id refuses it as ambiguous (docs/scaling.md C15)",
        "ALTER TABLE wallet.resource_owner DROP CONSTRAINT resource_owner_pkey;\n"
        "ALTER TABLE wallet.resource_owner ADD PRIMARY KEY (account_id, resource_kind, resource_id);\n"
        "CREATE INDEX resource_owner_by_id ON wallet.resource_owner (resource_kind, resource_id);",
        "SELECT 1 FROM pg_constraint WHERE conname = 'resource_owner_pkey' AND conrelid = 'wallet.resource_owner'::regclass "
        "AND pg_get_constraintdef(oid) = 'PRIMARY KEY (resource_kind, resource_id)'",
    ),
)

# Every command that names a player, routed by p_player_id.  The signature is exactly what
# to_regprocedure() accepts; a function moving to another schema is a change of its one line.
PLAYER_FUNCTIONS = (
    "payments.open_account(text,text,text)",
    "admin.account_set_status(text,text,text,text)",
    "admin.admin_adjust(text,text,text,bigint,text,text)",
    "player.player_balances(text)",
    "player.ledger_history(text,integer,text)",
    "game.bet_authorize(text,text,text,text,bigint,numeric,text,text)",
    "game.bet_settle(text,text,text,text,bigint,text)",
    "game.bet_rollback(text,text,text,text,text)",
    "payments.deposit_create(text,text,bigint,text,boolean,text)",
    "payments.withdrawal_create(text,text,bigint,text)",
    "promotion.coupon_grant(text,text,bigint,text[],numeric,bigint,timestamp with time zone,boolean,text,integer,text)",
    "promotion.promotion_credit(text,text,text,bigint,text,integer,text)",
    "player.transfer_create(text,text,text,text,bigint,text)",
    "ops.reconcile_player(text)",
    "player.game_session_open(text,text,text,text,text,integer,text)",
    "casino.balance_get(text,text,text)",
    "casino.transactions_find(text,text,text,text,text)",
    "casino.round_get(text,text,text,text)",
    "casino.transaction_add(text,text,text,text,text,text,bigint,bigint,bigint,timestamp with time zone,text,text,text,"
    "boolean,jsonb,text,text)",
)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Step:
    """One placement and the SQL that makes it."""

    kind: str  # 'reference' | 'change' | 'distributed' | 'function'
    target: str
    detail: str | None  # distribution column or argument; a change's pending query
    sql: str


def steps() -> list[Step]:
    """The declaration as SQL, in the order it runs."""
    out = [Step("reference", t, None, f"SELECT create_reference_table({_lit(t)});") for t in REFERENCE_TABLES]
    out += [Step("change", c.table, c.pending, c.sql) for c in ACCOUNT_TABLE_CHANGES]
    for table in ACCOUNT_TABLES:
        colocate = "" if table == ACCOUNT_TABLE else f", colocate_with => {_lit(ACCOUNT_TABLE)}"
        out.append(
            Step(
                "distributed",
                table,
                ACCOUNT_COLUMN,
                f"SELECT create_distributed_table({_lit(table)}, {_lit(ACCOUNT_COLUMN)}{colocate});",
            )
        )
    out += [
        Step(
            "function",
            signature,
            PLAYER_ARGUMENT,
            f"SELECT create_distributed_function({_lit(signature)}, {_lit(PLAYER_ARGUMENT)}, "
            f"colocate_with => {_lit(ACCOUNT_TABLE)});",
        )
        for signature in PLAYER_FUNCTIONS
    ]
    return out


def statements() -> list[str]:
    return [step.sql for step in steps()]


@dataclass
class DistributeReport:
    executed: list[str] = field(default_factory=list)
    already: int = 0
    propagated: bool = False
    wrapped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.executed and not self.propagated and not self.wrapped:
            return [f"nothing to do: all {self.already} placements already in place"]
        out = [f"placed {len(self.executed)} ({self.already} already in place)"]
        if self.propagated:
            out.append("procedures and views re-applied, so Citus created them on every worker")
        if self.wrapped:
            out.append(f"analytics views read through their owner's functions: {', '.join(self.wrapped)}")
        if any("create_distributed_function" in sql for sql in self.executed):
            out.append("player commands distributed by p_player_id")
        return out


class PlacementConflict(Exception):
    """The catalog shows a table or function placed otherwise than declared."""


def _colocation(conn: psycopg.Connection, table: str) -> int | None:
    row = conn.execute(
        "SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = %s::regclass", (table,)
    ).fetchone()
    return row[0] if row else None


def _done(conn: psycopg.Connection, step: Step) -> bool:
    """Whether Citus's catalog already shows `step` done as declared (PlacementConflict if it
    shows it done differently)."""
    if step.kind == "change":
        assert step.detail is not None
        return not conn.execute(step.detail).fetchone()
    if step.kind == "function":
        row = conn.execute(
            """SELECT d.distribution_argument_index, d.colocationid,
                      (SELECT proargnames[d.distribution_argument_index + 1] FROM pg_proc WHERE oid = d.objid)
                 FROM pg_catalog.pg_dist_object d
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = to_regprocedure(%s)""",
            (step.target,),
        ).fetchone()
        if row is None or row[0] is None:
            return False
        if row[2] != step.detail or row[1] != _colocation(conn, ACCOUNT_TABLE):
            raise PlacementConflict(f"{step.target} is distributed by {row[2]}, colocation {row[1]}, not as declared")
        return True
    row = conn.execute(
        """SELECT partmethod, repmodel, column_to_column_name(logicalrelid, partkey), colocationid
             FROM pg_dist_partition WHERE logicalrelid = %s::regclass""",
        (step.target,),
    ).fetchone()
    if row is None:
        return False
    method, replication, column, colocation = row
    if step.kind == "reference":
        if (method, replication) != ("n", "t"):
            raise PlacementConflict(
                f"{step.target} is a Citus table (method {method}/{replication}), not a reference table"
            )
        return True
    if method != "h" or column != step.detail:
        raise PlacementConflict(f"{step.target} is distributed by {column!r} (method {method}), not by {step.detail}")
    if (
        step.detail == ACCOUNT_COLUMN
        and step.target != ACCOUNT_TABLE
        and colocation != _colocation(conn, ACCOUNT_TABLE)
    ):
        raise PlacementConflict(f"{step.target} is not colocated with {ACCOUNT_TABLE}")
    return True


def _foreign_keys_between(conn: psycopg.Connection, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of the foreign keys from one of `tables` to another."""
    return conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
            WHERE contype = 'f' AND conrelid = ANY (%(t)s::regclass[]) AND confrelid = ANY (%(t)s::regclass[])
            ORDER BY conrelid::regclass::text, conname""",
        {"t": tables},
    ).fetchall()


def _place_reference_tables(conn: psycopg.Connection, pending: list[Step], report: DistributeReport) -> None:
    """create_reference_table for each pending table, in one transaction, with the foreign keys
    between configuration tables dropped before and re-created after.

    Why: making a table a reference table while a plain table references it (or is referenced
    by it) turns that other table into a Citus local table, which Citus does by renaming the
    table to its shard and creating a new shell table in its place; a function declared
    RETURNS wallet.bucket_type then returns the shard's row type (`cannot change return type of
    existing function` on the next migrate, and the function never reaches the workers).
    Without foreign keys, each table keeps its identity; foreign keys between reference tables
    are then allowed again.
    """
    with conn.transaction():
        keys = _foreign_keys_between(conn, [s.target for s in pending])
        for table, name, _ in keys:
            conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name)))
        for step in pending:
            conn.execute(step.sql)
            report.executed.append(step.sql)
        for table, name, definition in keys:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                    sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
                )
            )


def unpropagated(conn: psycopg.Connection) -> list[str]:
    """Functions and views of the wallet that Citus has not created on the workers.

    Citus creates a function or view on every node when it is created, but only if everything
    it depends on is already known to Citus: the functions migrate created before the tables
    were distributed that name a table's row type (`RETURNS wallet.account`, an argument of
    type wallet.outbox), and the views over tables, exist on the coordinator only.
    """
    return [
        name
        for (name,) in conn.execute(
            """SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.proowner = %(owner)s::regrole AND p.prokind IN ('f', 'p')
                  AND NOT EXISTS (SELECT 1 FROM pg_dist_object d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid)
               UNION ALL
               SELECT c.oid::regclass::text FROM pg_class c
                WHERE c.relowner = %(owner)s::regrole AND c.relkind = 'v'
                  AND NOT EXISTS (SELECT 1 FROM pg_dist_object d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid)
               ORDER BY 1""",
            {"owner": OWNER},
        ).fetchall()
    ]


# The analytics views an analyst reads run, on Citus, as shard queries on the workers under the
# analyst's own role, which may not read the wallet's tables (C24: `permission denied for schema
# wallet`, on a worker).  On a distributed wallet each one becomes a view over a SECURITY DEFINER
# function of the owner's that holds the view's query, so the shard queries run as the owner
# and the analyst keeps SELECT on the views only.  Views named `_…` are the wallet's own (read by
# its SECURITY DEFINER functions, which keep their filters reaching the tables) and stay as they are.
ANALYTICS_SCHEMA = "analytics"
ANALYTICS_READERS = ("wallet_analyst", "wallet_dba")


def _wrapper(view: str) -> str:
    return f"{ANALYTICS_SCHEMA}._{view}"


def unwrapped_analytics_views(conn: psycopg.Connection) -> list[str]:
    """Public analytics views that still hold their own query (not yet reading their function)."""
    return [
        name
        for (name, definition) in conn.execute(
            "SELECT viewname::text, definition FROM pg_views WHERE schemaname = %s AND viewname !~ '^_' ORDER BY 1",
            (ANALYTICS_SCHEMA,),
        ).fetchall()
        if f"{_wrapper(name)}()" not in definition
    ]


def _one(conn: psycopg.Connection, query: str, params: tuple[object, ...]) -> str:
    row = conn.execute(query, params).fetchone()
    assert row is not None and row[0] is not None, (query, params)
    return str(row[0])


def wrap_analytics_views(conn: psycopg.Connection) -> list[str]:
    """Make every unwrapped public analytics view a view over a SECURITY DEFINER function holding
    its query (same columns, comment and grants); returns the views changed.  Idempotent."""
    done = []
    for view in unwrapped_analytics_views(conn):
        with conn.transaction():
            # Every name in the definition schema-qualified: the function's search_path is its own.
            conn.execute("SET LOCAL search_path = pg_catalog")
            qualified = f"{ANALYTICS_SCHEMA}.{view}"
            definition = _one(conn, "SELECT pg_get_viewdef(%s::regclass)", (qualified,))
            columns = _one(
                conn,
                """SELECT string_agg(format('%%I %%s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
                     FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped""",
                (qualified,),
            )
            function = _wrapper(view)
            # A wrapper left from before (migrate drops the views, not their wrappers) may return
            # other column types than the view now has, which CREATE OR REPLACE cannot change: it
            # is dropped and created anew (nothing depends on it once its view was created again).
            conn.execute(sql.SQL("DROP FUNCTION IF EXISTS {}()").format(sql.SQL(function)))
            conn.execute(
                sql.SQL(
                    "CREATE FUNCTION {}() RETURNS TABLE ({}) LANGUAGE sql STABLE SECURITY DEFINER "
                    "SET search_path = wallet, pg_temp AS {}"
                ).format(sql.SQL(function), sql.SQL(columns), sql.Literal(definition.rstrip().rstrip(";")))
            )
            conn.execute(
                sql.SQL("COMMENT ON FUNCTION {}() IS {}").format(
                    sql.SQL(function),
                    sql.Literal(
                        f"The query of the view {qualified}, run as its owner (on Citus: docs/scaling.md C24)."
                    ),
                )
            )
            conn.execute(
                sql.SQL("REVOKE ALL ON FUNCTION {}() FROM PUBLIC; GRANT EXECUTE ON FUNCTION {}() TO {}").format(
                    sql.SQL(function), sql.SQL(function), sql.SQL(", ").join(map(sql.Identifier, ANALYTICS_READERS))
                )
            )
            conn.execute(
                sql.SQL("CREATE OR REPLACE VIEW {} AS SELECT * FROM {}()").format(sql.SQL(qualified), sql.SQL(function))
            )
        done.append(qualified)
    return done


def is_distributed(conn: psycopg.Connection) -> bool:
    """Whether this database is a Citus coordinator whose wallet has been distributed."""
    if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone():
        return False
    return bool(
        conn.execute(
            "SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = to_regclass(%s)", (ACCOUNT_TABLE,)
        ).fetchone()
    )


def place(conn: psycopg.Connection) -> DistributeReport:
    """Everything `distribute` does, on `conn` (autocommit, holding migrate's advisory lock):

    1. tables (reference, changes, account tables) not yet placed — with
       the analytics views dropped first: a view over a table that calls a function taking the
       table's row type (analytics.coupon_liability and wallet._coupon_usable(wallet.coupon))
       is a cycle Citus refuses (`Citus can not handle circular dependencies between
       distributed objects`);
    2. the code re-applied when a table was placed or some function or view is unknown to Citus
       (C5 of docs/scaling.md): migrate drops and re-creates every function, so it runs before
    3. the distributed functions.
    """
    from ruby_wallet.migrate import apply_code

    report = DistributeReport()
    conn.execute("SET ROLE wallet_owner")
    try:
        # The append-only and sums-to-zero triggers only look at the rows being written (NEW,
        # the statement's transition table), which live on the same shard: safe.
        conn.execute("SET citus.enable_unsafe_triggers = on")
        all_steps = steps()
        tables = [s for s in all_steps if s.kind != "function"]
        pending = [s for s in tables if not _done(conn, s)]
        report.already += len(tables) - len(pending)
        if pending:
            for (view,) in conn.execute(
                "SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname = 'analytics'"
            ).fetchall():
                conn.execute(f"DROP VIEW IF EXISTS {view} CASCADE")
            pending_reference = [s for s in pending if s.kind == "reference"]
            if pending_reference:
                _place_reference_tables(conn, pending_reference, report)
            for step in pending:
                if step.kind != "reference":
                    conn.execute(step.sql)
                    report.executed.append(step.sql)
        if pending or unpropagated(conn):
            with conn.transaction():
                apply_code(conn)
            report.propagated = True
        report.wrapped = wrap_analytics_views(conn)
        for step in all_steps:
            if step.kind != "function":
                continue
            if _done(conn, step):
                report.already += 1
                continue
            conn.execute(step.sql)
            report.executed.append(step.sql)
    finally:
        conn.execute("RESET citus.enable_unsafe_triggers")
        conn.execute("RESET ROLE")
    return report


def distribute(database_url: str) -> DistributeReport:
    """Run every declared placement not yet in place, as wallet_owner (the tables' owner), on
    the coordinator of `database_url`, under migrate's advisory lock."""
    from ruby_wallet.migrate import MIGRATE_LOCK

    with psycopg.connect(database_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone():
            raise SystemExit(
                "ruby-wallet distribute: this database has no citus extension; run it on a Citus coordinator "
                "(CREATE EXTENSION citus, workers added) after ruby-wallet migrate"
            )
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
        try:
            return place(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))
