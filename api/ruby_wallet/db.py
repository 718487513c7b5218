"""The API's only door to the database: one pooled call of one wallet function per request.

Each named statement of queries.sql calls a function of one schema, and the schema says which
database role may run it (sql/bootstrap.sql): `game.bet_settle` runs as wallet_game,
`admin.topology_activate` as wallet_admin, `api.api_key_authenticate` as the API's own login
role wallet_api.  The API keeps one connection pool per role, each connection acting as its
role from the first statement, so a route can only ever run the functions of its own scope:
the database refuses anything else.

Serialization failures and deadlocks are retried a bounded number of times, then answered
503; wallet errors (SQLSTATE RWnnn) become WalletError; a lost connection, a lost Citus worker or
an exhausted pool is 503 (the caller retries with the same idempotency key and gets the same answer).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import weakref
from dataclasses import dataclass
from functools import cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.string import TextLoader
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ruby_wallet.dsn import with_role
from ruby_wallet.errors import WalletError, from_database, invalid

log = logging.getLogger("ruby_wallet.db")

RETRIES = 4
_RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


# The role that may execute the functions of each API schema (sql/bootstrap.sql).
SCHEMA_ROLES = {
    "game": "wallet_game",
    "payments": "wallet_payments",
    "promotion": "wallet_promotion",
    "player": "wallet_player",
    "events": "wallet_events",
    "casino": "wallet_casino",
    "admin": "wallet_admin",
    "api": "wallet_api",
}
_CALLED_SCHEMA = re.compile(r"\b(" + "|".join(SCHEMA_ROLES) + r")\.[a-z_]+\(")


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    role: str


@cache
def queries() -> dict[str, Query]:
    """Named statements of queries.sql, each with the role its function's schema runs as."""
    from importlib.resources import files

    text = files("ruby_wallet").joinpath("queries.sql").read_text()
    found: dict[str, Query] = {}
    for block in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        sql = body.strip()
        schemas = set(_CALLED_SCHEMA.findall(sql))
        if len(schemas) != 1:
            raise RuntimeError(
                f"queries.sql: {name.strip()} must call functions of exactly one API schema, not {schemas}"
            )
        found[name.strip()] = Query(name.strip(), sql, SCHEMA_ROLES[schemas.pop()])
    return found


# What an API process of an older version meets after a newer `ruby-wallet migrate` dropped or
# moved a function it calls: not the caller's fault, and fixed by restarting the process (its
# /readyz already answers 503, so a load balancer has stopped sending it requests).
_OTHER_VERSION = ("42883", "3F000")  # undefined_function, invalid_schema_name


# What Citus's coordinator raises when it loses a worker while a command runs or commits: no
# SQLSTATE of its own (XX000), so it is told by its message (citus 13.2).  Whether the command
# committed on the worker is unknown, so it is not retried here: the caller retries with the
# same key and gets the first answer, or the command runs then.
_NODE_LOST = re.compile(
    r"could not commit transaction for shard \d+ on at least one active node"
    r"|failed to prepare transaction '[^']*' on host "
    r"|failure on connection marked as essential: "
    r"|execution cannot recover from multiple connection failures\."
)


def translate(exc: psycopg.Error) -> WalletError | None:
    if exc.sqlstate == "XX000" and _NODE_LOST.match(exc.diag.message_primary or ""):
        log.warning("a database node was lost: %s", exc.diag.message_primary)
        return WalletError("SERVICE_UNAVAILABLE", "a database node was lost while the command ran; retry")
    if exc.sqlstate in _OTHER_VERSION:
        log.error("the database runs another version of the wallet's functions: %s", exc)
        return WalletError(
            "SERVICE_UNAVAILABLE",
            "the database was migrated to another version of the wallet: this API process must be restarted",
        )
    if exc.sqlstate is None and isinstance(exc, psycopg.DataError):
        # psycopg refused to send a value PostgreSQL cannot hold (a NUL character in a text
        # field or path segment): bad input, not a fault.
        return invalid([{"path": "", "message": str(exc)}])
    diag = exc.diag
    return from_database(exc.sqlstate, diag.message_primary, diag.message_detail, diag.constraint_name)


async def _json_as_text(conn: psycopg.AsyncConnection) -> None:
    """Every wallet function answers jsonb, which the API passes on as the database wrote it: the
    text arrives as text, never parsed and encoded again.  The statements are bare calls
    (`SELECT game.bet_settle(…)`, no `::text`), the form Citus forwards whole to the worker
    holding the player (docs/scaling.md, C19)."""
    conn.adapters.register_loader("jsonb", TextLoader)
    conn.adapters.register_loader("json", TextLoader)


class Database:
    """One pool per database role; a pool opens connections as its routes are called (up to
    max_size) and keeps min_size of them open."""

    def __init__(self, conninfo: str, *, min_size: int = 0, max_size: int = 8):
        self.pools = {
            role: AsyncConnectionPool(
                with_role(conninfo, role),
                min_size=min_size,
                max_size=max_size,
                open=False,
                kwargs={"autocommit": True},
                configure=_json_as_text,
                timeout=10,
                name=role,
                # The API's own pool (key lookups, /readyz) is used rarely, so its idle connections
                # are the ones a database restart leaves broken: check them before handing one out.
                # The scope pools find a broken connection by using it (the caller retries: 503).
                check=AsyncConnectionPool.check_connection if role == "wallet_api" else None,
            )
            for role in sorted(set(SCHEMA_ROLES.values()))
        }
        self._cursors: weakref.WeakKeyDictionary[psycopg.AsyncConnection, psycopg.AsyncCursor] = (
            weakref.WeakKeyDictionary()
        )

    async def open(self) -> None:
        for pool in self.pools.values():
            await pool.open(wait=False)

    async def close(self) -> None:
        for pool in self.pools.values():
            await pool.close()

    async def fetch(self, name: str, params: dict[str, Any] | None = None) -> list[tuple]:
        """The rows of the named statement, run on a connection of its role's pool.  The
        connection is taken and given back with getconn/putconn rather than `pool.connection()`,
        whose `async with conn` commits an autocommit connection for nothing, and each connection
        keeps one cursor for its statements (docs/benchmarks.md, "Twelfth session": a call cost
        the API 270k instructions the old way, 191k this way); putconn still drops a broken
        connection."""
        query = queries()[name]
        pool = self.pools[query.role]
        for attempt in range(RETRIES):
            try:
                conn = await pool.getconn()
                try:
                    cur = self._cursors.get(conn)
                    if cur is None:
                        cur = self._cursors[conn] = conn.cursor()
                    await cur.execute(query.sql, params or {})
                    return await cur.fetchall()
                finally:
                    await pool.putconn(conn)
            except _RETRYABLE:
                await asyncio.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
            except PoolTimeout:
                raise WalletError("SERVICE_UNAVAILABLE", "no database connection available") from None
            except psycopg.OperationalError as exc:
                log.warning("database unavailable: %s", exc)
                raise WalletError("SERVICE_UNAVAILABLE", "the database is unavailable") from None
            except psycopg.Error as exc:
                mapped = translate(exc)
                if mapped is None:
                    raise
                raise mapped from exc
        raise WalletError("SERVICE_UNAVAILABLE", "the command kept conflicting with concurrent ones; retry")

    async def call(self, name: str, **params: Any) -> str:
        """The single JSON text value of the named statement."""
        rows = await self.fetch(name, params)
        return rows[0][0]
