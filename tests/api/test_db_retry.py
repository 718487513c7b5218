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


@pytest.fixture
def conflicting(db, monkeypatch):
    db.execute(SETUP)
    monkeypatch.setitem(
        dbmodule.queries(),
        "conflicting",
        dbmodule.Query("conflicting", "SELECT public.conflicting(%(sqlstate)s, %(fail_times)s)", "wallet_api"),
    )
    return db


async def _call(db_url, sqlstate, fail_times):
    database = Database(db_url, min_size=0, max_size=2)
    await database.open()
    try:
        return await database.call("conflicting", sqlstate=sqlstate, fail_times=fail_times)
    finally:
        await database.close()


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
