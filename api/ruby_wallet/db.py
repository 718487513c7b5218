"""The API's only door to the database: one pooled call of one wallet function per request.

Serialization failures and deadlocks are retried a bounded number of times, then answered
503; wallet errors (SQLSTATE RWnnn) become WalletError; a lost connection or an exhausted pool
is 503 (the caller retries with the same idempotency key and gets the same answer).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from functools import cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ruby_wallet.dsn import with_role
from ruby_wallet.errors import WalletError, from_database, invalid

log = logging.getLogger("ruby_wallet.db")

RETRIES = 4
_RETRYABLE = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


@cache
def queries() -> dict[str, str]:
    """Named statements of queries.sql."""
    from importlib.resources import files

    text = files("ruby_wallet").joinpath("queries.sql").read_text()
    found: dict[str, str] = {}
    for block in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        found[name.strip()] = body.strip()
    return found


def translate(exc: psycopg.Error) -> WalletError | None:
    if exc.sqlstate is None and isinstance(exc, psycopg.DataError):
        # psycopg refused to send a value PostgreSQL cannot hold (a NUL character in a text
        # field or path segment): bad input, not a fault.
        return invalid([{"path": "", "message": str(exc)}])
    diag = exc.diag
    return from_database(exc.sqlstate, diag.message_primary, diag.message_detail, diag.constraint_name)


class Database:
    def __init__(self, conninfo: str, *, min_size: int = 2, max_size: int = 8):
        # The API acts as wallet_api whatever login it is given (a role granted wallet_api).
        self.pool = AsyncConnectionPool(
            with_role(conninfo, "wallet_api"),
            min_size=min_size,
            max_size=max_size,
            open=False,
            kwargs={"autocommit": True},
            timeout=10,
        )

    async def open(self) -> None:
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def fetch(self, name: str, params: dict[str, Any] | None = None) -> list[tuple]:
        sql = queries()[name]
        for attempt in range(RETRIES):
            try:
                async with self.pool.connection() as conn:
                    cur = await conn.execute(sql, params or {})
                    return await cur.fetchall()
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
