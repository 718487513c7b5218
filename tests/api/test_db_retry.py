"""The API's database door: serialization failures and deadlocks are retried a bounded number
of times, then answered 503 SERVICE_UNAVAILABLE (never a 500); a failure that clears on retry
is invisible to the caller."""

import asyncio

import pytest

from ruby_wallet import db as dbmodule
from ruby_wallet.db import RETRIES, Database
from ruby_wallet.errors import WalletError

SETUP = """
CREATE SEQUENCE public.attempts;
CREATE FUNCTION public.conflicting(p_sqlstate text, p_fail_times integer) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    -- nextval survives the rollback of a failed attempt: it counts attempts.
    IF nextval('public.attempts') <= p_fail_times THEN
        RAISE EXCEPTION 'simulated conflict' USING ERRCODE = p_sqlstate;
    END IF;
    RETURN 'done';
END $$;
GRANT USAGE ON SEQUENCE public.attempts TO wallet_api;
"""


def _register(monkeypatch, name: str, sql: str) -> None:
    """A named statement for the API's door, as queries.sql would give it (run as wallet_api)."""
    monkeypatch.setitem(dbmodule.queries(), name, dbmodule.Query(name, sql, "wallet_api"))


async def _run(db_url, name: str, **params):
    """One call of a named statement through a Database of its own, as a route makes it."""
    database = Database(db_url, min_size=0, max_size=2)
    await database.open()
    try:
        return await database.call(name, **params)
    finally:
        await database.close()


@pytest.fixture
def conflicting(db, monkeypatch):
    db.execute(SETUP)
    _register(monkeypatch, "conflicting", "SELECT public.conflicting(%(sqlstate)s, %(fail_times)s)")
    return db


async def _call(db_url, sqlstate, fail_times):
    return await _run(db_url, "conflicting", sqlstate=sqlstate, fail_times=fail_times)


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_a_conflict_that_clears_is_retried_invisibly(db_url, conflicting, sqlstate):
    assert asyncio.run(_call(db_url, sqlstate, RETRIES - 1)) == "done"
    assert conflicting.execute("SELECT last_value FROM public.attempts").fetchone()[0] == RETRIES


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_a_conflict_that_persists_is_503_after_bounded_retries(db_url, conflicting, sqlstate):
    with pytest.raises(WalletError) as exc:
        asyncio.run(_call(db_url, sqlstate, 1000))
    assert exc.value.error.code == "SERVICE_UNAVAILABLE" and exc.value.status == 503
    assert conflicting.execute("SELECT last_value FROM public.attempts").fetchone()[0] == RETRIES


# What Citus's coordinator raises, with no SQLSTATE of its own (XX000), when it loses a worker
# while a command runs or commits (citus 13.2: placement_connection.c, remote_transaction.c,
# adaptive_executor.c).  Raised here by a real PostgreSQL with the same code and message.
NODE_LOST = [
    "could not commit transaction for shard 102008 on at least one active node",
    "failed to prepare transaction 'citus_0_1234_5_6' on host localhost:9701",
    "failure on connection marked as essential: localhost:9702",
    "execution cannot recover from multiple connection failures. Last node failed localhost:9701",
]

RAISING = """
CREATE FUNCTION public.raising(p_message text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('public.attempts');
    RAISE EXCEPTION '%', p_message USING ERRCODE = 'XX000';
END $$;
"""


@pytest.fixture
def raising(conflicting, monkeypatch):
    conflicting.execute(RAISING)
    _register(monkeypatch, "raising", "SELECT public.raising(%(message)s)")
    return conflicting


async def _raise(db_url, message):
    return await _run(db_url, "raising", message=message)


@pytest.mark.parametrize("message", NODE_LOST)
def test_a_lost_node_is_503_once_for_the_caller_to_retry(db_url, raising, message):
    """Whether the command committed is unknown when a node is lost: the API does not retry it
    itself, the caller does with the same key and gets the first answer (or the command runs)."""
    with pytest.raises(WalletError) as exc:
        asyncio.run(_raise(db_url, message))
    assert exc.value.error.code == "SERVICE_UNAVAILABLE" and exc.value.status == 503
    assert raising.execute("SELECT last_value FROM public.attempts").fetchone()[0] == 1


def test_another_internal_error_is_not_mistaken_for_a_lost_node(db_url, raising):
    import psycopg

    with pytest.raises(psycopg.errors.InternalError_):
        asyncio.run(_raise(db_url, "could not commit transaction: something else"))
