"""`ruby-wallet worker --once` as a real process expiring a real coupon: EXPIRED with remaining
0, a COUPON_EXPIRE ledger transaction back to PROMOTION, outbox coupon.expired, the snapshot
and the liability view no longer offer it, the books reconcile; delivered events past the
retention window are pruned; a failing job makes the run exit 1.  And the same jobs through
ops.housekeeping_run (what pg_cron schedules)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import psycopg

from ruby_wallet import worker
from ruby_wallet.dsn import with_role


def _worker(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBY_WALLET_")}
    env["DATABASE_URL"] = db_url
    return subprocess.run(
        [sys.executable, "-m", "ruby_wallet.cli", "worker", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _coupon(db, coupon_id: str, amount: int, seconds: float, player: str = "p1") -> None:
    db.execute(
        "SELECT promotion.coupon_grant(p_coupon_id => %s, p_player_id => %s, p_amount => %s, p_provider_types => ARRAY['SPORTS'],"
        " p_expires_at => now() + make_interval(secs => %s), p_actor => 't')",
        (coupon_id, player, amount, seconds),
    )


def test_worker_once_expires_a_real_coupon(db_url, db):
    db.execute("SELECT payments.open_account(p_player_id => 'p1', p_currency => 'KRW', p_actor => 't')")
    _coupon(db, "c-soon", 500, 1.0)
    _coupon(db, "c-later", 300, 3600)
    # a bet takes part of c-soon before it expires: the open bet keeps its stake
    bet = db.execute(
        "SELECT game.bet_authorize(p_bet_id => 'b1', p_player_id => 'p1', p_provider_type => 'SPORTS',"
        " p_provider_id => 'sb', p_stake => 200, p_actor => 't')"
    ).fetchone()[0]
    assert bet["funding"] == [{"source": "coupon:c-soon", "amount": 200}]
    time.sleep(1.2)

    run = _worker(db_url, "--once")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "coupon_expiry: ok; 1 done" in run.stdout
    assert "idempotency_retention: ok; 0 done" in run.stdout

    assert db.execute("SELECT status, remaining, expired FROM wallet.coupon WHERE coupon_id = 'c-soon'").fetchone() == (
        "EXPIRED",
        0,
        300,
    )
    assert db.execute("SELECT status, remaining FROM wallet.coupon WHERE coupon_id = 'c-later'").fetchone() == (
        "ACTIVE",
        300,
    )
    entries = db.execute(
        """SELECT e.coupon_id, e.pocket, e.amount FROM wallet.ledger_entry e JOIN wallet.ledger_txn t USING (account_id, txn_id)
            WHERE t.kind = 'COUPON_EXPIRE' ORDER BY e.amount"""
    ).fetchall()
    assert entries == [("c-soon", None, -300), (None, "PROMOTION", 300)]
    (payload,) = db.execute("SELECT payload FROM wallet.outbox WHERE event_type = 'coupon.expired'").fetchone()
    assert payload["coupon_id"] == "c-soon" and payload["expired"] == 300 and payload["consumed"] == 200
    assert payload["wallet_group"] == "SPORTS" and payload["topology_version"] == 1
    snapshot = db.execute("SELECT player.player_balances(p_player_id => 'p1')").fetchone()[0]
    assert [c["coupon_id"] for c in snapshot["coupons"]] == ["c-later"]
    assert db.execute("SELECT coupon_id FROM analytics.coupon_liability").fetchall() == [("c-later",)]

    # the open bet settles normally; a rollback of another would send the coupon share to PROMOTION
    db.execute("SELECT game.bet_rollback(p_bet_id => 'b1', p_rollback_id => 'r1', p_player_id => 'p1', p_actor => 't')")
    assert db.execute("SELECT remaining FROM wallet.coupon WHERE coupon_id = 'c-soon'").fetchone() == (0,)
    # a reversal after the expiry reverses nothing; consumed is what bets took from the coupon,
    # not its expired part (the rolled-back stake went to PROMOTION, not back to the coupon)
    rev = db.execute(
        "SELECT promotion.coupon_reverse(p_coupon_id => 'c-soon', p_reversal_id => 'rv1', p_actor => 't')"
    ).fetchone()[0]
    assert rev == {"coupon_id": "c-soon", "reversed": 0, "consumed": 200, "status": "REVERSED"}

    # a second run finds nothing to do
    again = _worker(db_url, "--once")
    assert again.returncode == 0 and "coupon_expiry: ok; 0 done" in again.stdout
    assert db.execute("SELECT count(*) FROM wallet.ledger_txn WHERE kind = 'COUPON_EXPIRE'").fetchone() == (1,)


def test_delivered_events_past_retention_are_pruned(db_url, db):
    db.execute("SELECT payments.open_account(p_player_id => 'p1', p_currency => 'KRW', p_actor => 't')")
    db.execute("SELECT payments.open_account(p_player_id => 'p2', p_currency => 'KRW', p_actor => 't')")
    db.execute("SELECT events.events_read(p_after => 0, p_limit => 1000)")  # stamps delivery ids
    db.execute("UPDATE wallet.outbox SET published_at = now() - interval '200 days' WHERE account_id = 'p1'")
    db.execute("UPDATE wallet.outbox SET published_at = now() - interval '100 days' WHERE account_id = 'p2'")
    run = _worker(db_url, "--once")
    assert run.returncode == 0, run.stdout + run.stderr
    left = {a for (a,) in db.execute("SELECT DISTINCT account_id FROM wallet.outbox").fetchall()}
    assert "p1" not in left and "p2" in left, "older than 180 days pruned, younger kept"
    assert "" in left, "events never delivered are never pruned"
    # the window is the database setting wallet.retention_days
    dbname = db.execute("SELECT current_database()").fetchone()[0]
    db.execute(f'ALTER DATABASE "{dbname}" SET wallet.retention_days = 30')
    assert _worker(db_url, "--once").returncode == 0
    assert "p2" not in {a for (a,) in db.execute("SELECT DISTINCT account_id FROM wallet.outbox").fetchall()}


def test_repeat_keys_past_retention_are_pruned_and_still_answered(db_url, db):
    db.execute("SELECT payments.open_account(p_player_id => 'p1', p_currency => 'KRW', p_actor => 't')")
    db.execute(
        "SELECT payments.deposit_create(p_deposit_id => 'd1', p_player_id => 'p1', p_amount => 1000,"
        " p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 't')"
    )
    db.execute(
        "SELECT game.bet_authorize(p_bet_id => 'b1', p_player_id => 'p1', p_provider_type => 'SPORTS',"
        " p_provider_id => 'sb', p_stake => 400, p_actor => 't')"
    )
    rollback = "SELECT game.bet_rollback(p_bet_id => 'b1', p_rollback_id => %s, p_player_id => 'p1', p_actor => 't')"
    first = db.execute(rollback, ("r1",)).fetchone()[0]
    assert db.execute(rollback, ("r-old",)).fetchone()[0] == first  # a repeat under a key of its own
    db.execute(rollback, ("r-new",))
    db.execute("UPDATE wallet.repeat_key SET created_at = now() - interval '200 days' WHERE key = 'r-old'")
    txns = db.execute("SELECT count(*) FROM wallet.ledger_txn").fetchone()

    run = _worker(db_url, "--once")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "idempotency_retention: ok; 1 done" in run.stdout
    assert db.execute("SELECT key FROM wallet.repeat_key ORDER BY key").fetchall() == [("r-new",)]
    # the keys in the records are never pruned, and the pruned key is answered from the bet
    assert db.execute("SELECT rollback_id FROM wallet.bet WHERE bet_id = 'b1'").fetchone() == ("r1",)
    assert db.execute(rollback, ("r-old",)).fetchone()[0] == first
    assert db.execute(rollback, ("r1",)).fetchone()[0] == first
    assert db.execute("SELECT count(*) FROM wallet.ledger_txn").fetchone() == txns, "nothing applied twice"
    assert db.execute("SELECT sum(balance) FROM wallet.bucket WHERE account_id = 'p1'").fetchone() == (1000,)


def test_a_failing_job_makes_the_run_exit_1(db_url):
    broken = worker.Job("broken", "SELECT 1 / 0", 60, "always fails")
    assert asyncio.run(worker.main(db_url, once=True, jobs=[worker.COUPON_EXPIRY, broken])) == 1
    assert asyncio.run(worker.main(db_url, once=True, jobs=[worker.COUPON_EXPIRY])) == 0


def test_housekeeping_run_is_what_pg_cron_calls(db_url, db):
    db.execute("SELECT payments.open_account(p_player_id => 'p1', p_currency => 'KRW', p_actor => 't')")
    db.execute("SELECT payments.open_account(p_player_id => 'p2', p_currency => 'KRW', p_actor => 't')")
    _coupon(db, "c1", 100, 0.5, "p1")
    _coupon(db, "c2", 100, 0.5, "p2")
    time.sleep(0.7)
    with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as dba:
        result = dba.execute("SELECT ops.housekeeping_run(p_accounts => 20, p_events => 100)").fetchone()[0]
        assert result == {"coupons_expired": 2, "events_pruned": 0, "keys_pruned": 0}
    assert db.execute("SELECT coupon_id, status FROM wallet.coupon ORDER BY 1").fetchall() == [
        ("c1", "EXPIRED"),
        ("c2", "EXPIRED"),
    ]


def test_expiry_skips_an_account_another_transaction_holds(db_url, db):
    db.execute("SELECT payments.open_account(p_player_id => 'p1', p_currency => 'KRW', p_actor => 't')")
    _coupon(db, "c1", 100, 0.3)
    time.sleep(0.5)
    with psycopg.connect(db_url) as holder:
        holder.execute("SELECT 1 FROM wallet.account WHERE account_id = 'p1' FOR UPDATE")
        with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as dba:
            started = time.monotonic()
            assert dba.execute("SELECT ops.coupon_expire_next()").fetchone() == (0,)
            assert time.monotonic() - started < 2, "waited for a held account"
        holder.rollback()
    with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as dba:
        assert dba.execute("SELECT ops.coupon_expire_next()").fetchone() == (1,)
