"""Concurrency against a real PostgreSQL with several connections (issue 5): a hot player,
many players at once, opposite transfers on one player, and racing settle/rollback.  Every
command locks its account row first, so commands on one player serialize and nothing
deadlocks; these tests look for the symptoms: a negative balance, a deadlock or serialization
error reaching the caller, money moved twice, books that do not reconcile."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from ruby_wallet.dsn import with_role

WORKERS = 8
NOT_ALLOWED_TO_REACH_A_CALLER = ("40P01", "40001")  # deadlock, serialization failure


def run_all(db_url, jobs, workers=WORKERS):
    """Run (sql, params) jobs on `workers` connections; return each job's SQLSTATE (None: success)."""
    local = threading.local()
    connections = []
    lock = threading.Lock()

    def conn():
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True)
            with lock:
                connections.append(local.conn)
        return local.conn

    def one(job):
        sql, params = job
        try:
            conn().execute(sql, params)
            return None
        except psycopg.Error as exc:
            return exc.sqlstate

    try:
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(one, jobs))
    finally:
        for c in connections:
            c.close()


def balance(db, player, bucket):
    row = db.execute(
        "SELECT balance FROM wallet.bucket WHERE account_id = %s AND bucket_type = %s", (player, bucket)
    ).fetchone()
    return row[0] if row else 0


def test_hot_player_exactly_the_affordable_bets_succeed(db_url, db):
    db.execute("SELECT payments.open_account('hot', 'KRW', 't')")
    db.execute("SELECT admin.admin_adjust('seed', 'hot', 'SPORTS_NORMAL', 10000, 'seed', 't')")
    jobs = [
        ("SELECT game.bet_authorize(%s, 'hot', 'SPORTS', 'p', 500, NULL, NULL, 't')", (f"hb{i}",)) for i in range(60)
    ]
    outcomes = Counter(run_all(db_url, jobs))
    assert outcomes == {None: 20, "RW006": 40}  # 10000 / 500 affordable, the rest INSUFFICIENT_FUNDS
    assert balance(db, "hot", "SPORTS_NORMAL") == 0
    assert (
        db.execute(
            "SELECT min(balance_after) FROM wallet.ledger_entry WHERE account_id = 'hot' AND bucket_type IS NOT NULL"
        ).fetchone()[0]
        >= 0
    )
    settles = [("SELECT game.bet_settle(%s, 'hot', %s, 'WIN', 1000, 't')", (f"hb{i}", f"hs{i}")) for i in range(60)]
    outcomes = Counter(run_all(db_url, settles))
    assert outcomes == {None: 20, "RW013": 40}  # the refused bets never existed: BET_NOT_FOUND
    assert balance(db, "hot", "SPORTS_NORMAL") == 20000


def test_many_players_in_parallel(db_url, db):
    players = [f"mp{i}" for i in range(16)]
    run_all(db_url, [("SELECT payments.open_account(%s, 'KRW', 't')", (p,)) for p in players])
    jobs = []
    for round_ in range(5):
        for p in players:
            jobs += [
                ("SELECT payments.deposit_create(%s, %s, 1000, 'SPORTS_NORMAL', true, 't')", (f"{p}-d{round_}", p)),
                ("SELECT game.bet_authorize(%s, %s, 'SPORTS', 'p', 700, NULL, NULL, 't')", (f"{p}-b{round_}", p)),
                ("SELECT game.bet_settle(%s, %s, %s, 'WIN', 1400, 't')", (f"{p}-b{round_}", p, f"{p}-s{round_}")),
            ]
    # Commands of one player arrive in order per worker, but players are interleaved freely.
    by_player = {p: [j for j in jobs if j[1][1] == p] for p in players}

    def player_script(p):
        with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as conn:
            for sql, params in by_player[p]:
                conn.execute(sql, params)

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(player_script, players))
    for p in players:
        # 5 × (1000 deposited − 700 staked + 1400 won); the last deposit's rolling is met, so part is WITHDRAWABLE.
        assert balance(db, p, "SPORTS_NORMAL") + balance(db, p, "WITHDRAWABLE") == 5 * 1700


def test_opposite_transfers_on_one_player_never_deadlock(db_url, db):
    db.execute("SELECT payments.open_account('tw', 'KRW', 't')")
    db.execute("SELECT admin.admin_adjust('s1', 'tw', 'SPORTS_NORMAL', 5000, 'seed', 't')")
    db.execute("SELECT admin.admin_adjust('s2', 'tw', 'CASINO_NORMAL', 5000, 'seed', 't')")
    jobs = []
    for i in range(100):
        jobs.append(("SELECT player.transfer_create(%s, 'tw', 'SPORTS_NORMAL', 'CASINO_NORMAL', 37, 't')", (f"a{i}",)))
        jobs.append(("SELECT player.transfer_create(%s, 'tw', 'CASINO_NORMAL', 'SPORTS_NORMAL', 37, 't')", (f"b{i}",)))
    outcomes = run_all(db_url, jobs)
    assert not [o for o in outcomes if o in NOT_ALLOWED_TO_REACH_A_CALLER]
    assert outcomes == [None] * len(jobs)
    assert balance(db, "tw", "SPORTS_NORMAL") + balance(db, "tw", "CASINO_NORMAL") == 10000
    assert balance(db, "tw", "SPORTS_NORMAL") == 5000  # as many each way


@pytest.mark.parametrize("round_", range(6))
def test_settle_racing_rollback_applies_exactly_one_outcome(db_url, db, round_):
    player = f"race{round_}"  # a player per round: the Citus tier runs every round in one database
    db.execute("SELECT payments.open_account(%s, 'KRW', 't')", (player,))
    db.execute("SELECT admin.admin_adjust('seed', %s, 'SPORTS_NORMAL', 1000, 'seed', 't')", (player,))
    db.execute("SELECT game.bet_authorize('rb', %s, 'SPORTS', 'p', 400, NULL, NULL, 't')", (player,))
    barrier = threading.Barrier(2)
    results = {}

    def attempt(name, sql):
        with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as conn:
            barrier.wait()
            try:
                results[name] = conn.execute(sql, (player,)).fetchone()[0]
            except psycopg.Error as exc:
                results[name] = exc.sqlstate

    racers = [
        threading.Thread(target=attempt, args=("settle", "SELECT game.bet_settle('rb', %s, 'rs', 'WIN', 1000, 't')")),
        threading.Thread(target=attempt, args=("rollback", "SELECT game.bet_rollback('rb', %s, 'rr', NULL, 't')")),
    ]
    for t in racers if round_ % 2 else reversed(racers):
        t.start()
    for t in racers:
        t.join()

    assert results["rollback"]["status"] == "ROLLED_BACK"  # a rollback always applies
    if results["settle"] == "RW015":
        # The rollback came first: the settlement was refused and never paid.
        assert results["rollback"]["payout_reversed"] == []
    else:
        # The settlement came first: the rollback reversed its payout.
        assert results["settle"]["status"] == "SETTLED"
        assert results["rollback"]["payout_reversed"] == [{"bucket_type": "SPORTS_NORMAL", "amount": 1000}]
    assert balance(db, player, "SPORTS_NORMAL") == 1000  # either way the bet never happened


def test_duplicate_settlements_and_rollbacks_race(db_url, db):
    db.execute("SELECT payments.open_account('dup', 'KRW', 't')")
    db.execute("SELECT admin.admin_adjust('seed', 'dup', 'SPORTS_NORMAL', 1000, 'seed', 't')")
    db.execute("SELECT game.bet_authorize('d1', 'dup', 'SPORTS', 'p', 100, NULL, NULL, 't')")
    db.execute("SELECT game.bet_authorize('d2', 'dup', 'SPORTS', 'p', 100, NULL, NULL, 't')")
    settles = [("SELECT game.bet_settle('d1', 'dup', %s, 'WIN', 300, 't')", (f"s{i % 3}",)) for i in range(24)]
    outcomes = Counter(run_all(db_url, settles))
    assert outcomes[None] == 8 and outcomes["RW014"] == 16  # one settlement id wins; its replays succeed
    rollbacks = [("SELECT game.bet_rollback('d2', 'dup', %s, NULL, 't')", (f"r{i}",)) for i in range(24)]
    assert Counter(run_all(db_url, rollbacks)) == {None: 24}
    assert balance(db, "dup", "SPORTS_NORMAL") == 1000 - 100 + 300 - 100 + 100
