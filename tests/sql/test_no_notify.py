"""A money transaction never calls NOTIFY (SPEC §6): a listener hears nothing while commands run,
and one notification per stamped batch when a reader orders the new events (events_read /
events_claim, in their own transaction)."""

import time

import psycopg

from ruby_wallet.dsn import with_role


def _notifications(conn: psycopg.Connection, wait: float = 0.3) -> list[psycopg.Notify]:
    """What arrived on the listening connection, waiting a little for stragglers."""
    got = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        got.extend(conn.notifies(timeout=0.05, stop_after=100))
    return got


def test_money_commands_notify_nobody_the_stamper_once_per_batch(db_url):
    with (
        psycopg.connect(db_url, autocommit=True) as listener,
        psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as dba,
    ):
        listener.execute("LISTEN wallet_events")
        dba.execute("SELECT payments.open_account('n1', 'KRW', 't')")
        dba.execute("SELECT payments.deposit_create('n1-d', 'n1', 10000, 'SPORTS_NORMAL', true, 't')")
        dba.execute("SELECT game.bet_authorize('n1-b', 'n1', 'SPORTS', 'book', 1000, NULL, NULL, 't')")
        dba.execute("SELECT game.bet_settle('n1-b', 'n1', 'n1-s', 'WIN', 2000, 't')")
        dba.execute("SELECT player.transfer_create('n1-t', 'n1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 100, 't')")
        assert _notifications(listener) == [], "a money transaction notified"

        stamped = dba.execute("SELECT events.events_read(0, 100)").fetchone()[0]
        heard = _notifications(listener)
        assert len(heard) == 1 and heard[0].channel == "wallet_events"
        assert int(heard[0].payload) == len(stamped["events"]) >= 5

        dba.execute("SELECT events.events_read(0, 100)")
        assert _notifications(listener) == [], "nothing new was stamped, so nobody is woken"
