"""Batch settlement under concurrency (SPEC §5c): several clients send batches over the same
players — each batch's items in a random order of players, so only the function's own account
order keeps them from deadlocking — while other clients authorize and settle single bets and
roll bets back on the same players.  No call may fail (no deadlock or serialization error
reaching a caller), batch items may only be refused with the 409s the races make (another
settlement or a rollback came first), every bet ends settled at most once, and the books
reconcile and add up to what the bets say."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg

from ruby_wallet.dsn import with_role

PLAYERS = [f"cc{i}" for i in range(8)]
SEED = 1_000_000
OPEN_BETS = 60  # per player, authorized before the race
STAKE = 100
RACE_SECONDS = 8
EXPECTED_REFUSALS = {"BET_ALREADY_SETTLED", "BET_ALREADY_ROLLED_BACK"}


def connect(db_url: str) -> psycopg.Connection:
    return psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True)


def test_batches_single_bets_and_rollbacks_on_the_same_players(db_url, db):
    for p in PLAYERS:
        db.execute("SELECT payments.open_account(%s, 'KRW', 't')", (p,))
        db.execute("SELECT admin.admin_adjust(%s, %s, 'SPORTS_NORMAL', %s, 'seed', 't')", (f"seed-{p}", p, SEED))
        db.execute(
            """SELECT game.bet_authorize(%s || '-o' || i, %s, 'SPORTS', 'book', %s, 2.0, NULL, 't')
                 FROM generate_series(1, %s) i""",
            (p, p, STAKE, OPEN_BETS),
        )
    open_bets = [(p, f"{p}-o{i}") for p in PLAYERS for i in range(1, OPEN_BETS + 1)]
    deadline = time.monotonic() + RACE_SECONDS
    lock = threading.Lock()
    outcomes: Counter = Counter()
    failures: list[str] = []
    settled_by: dict[str, set[str]] = {}  # bet -> settlement ids answered 200

    def record(kind: str, outcome: str) -> None:
        with lock:
            outcomes[f"{kind}: {outcome}"] += 1

    def batches(worker: int) -> None:
        rnd = random.Random(worker)
        with connect(db_url) as conn:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                with lock:
                    chosen = rnd.sample(open_bets, rnd.randint(5, 40))  # players in no particular order
                items = [
                    {
                        "bet_id": b,
                        "settlement_id": f"bs{worker}-{n}-{b}",
                        "player_id": p,
                        "result": "WIN",
                        "payout": 150,
                    }
                    if rnd.random() < 0.5
                    else {"bet_id": b, "settlement_id": f"bs{worker}-{n}-{b}", "player_id": p, "result": "LOSS"}
                    for p, b in chosen
                ]
                try:
                    rows = conn.execute(
                        "SELECT index, status, body FROM game.bet_settle_batch(%s::jsonb, 't')", (json.dumps(items),)
                    ).fetchall()
                except psycopg.Error as exc:
                    failures.append(f"batch call failed: {exc.sqlstate} {exc}")
                    continue
                for index, status, body in rows:
                    code = "OK" if status == 200 else body["code"]
                    record("batch item", code)
                    if status == 200:
                        with lock:
                            settled_by.setdefault(items[index]["bet_id"], set()).add(items[index]["settlement_id"])
                    elif code not in EXPECTED_REFUSALS:
                        failures.append(f"batch item {items[index]}: {status} {body}")

    def singles(worker: int) -> None:
        rnd = random.Random(100 + worker)
        with connect(db_url) as conn:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                p = rnd.choice(PLAYERS)
                bet_id = f"{p}-s{worker}-{n}"
                authorize = "SELECT game.bet_authorize(%s, %s, 'SPORTS', 'book', %s, 2.0, NULL, 't')"
                steps = [("single bet", authorize, (bet_id, p, STAKE))]
                if n % 2:  # settled at once; the others are left for the batches
                    settle = "SELECT game.bet_settle(%s, %s, %s, 'WIN', 200, 't')"
                    steps.append(("single settle", settle, (bet_id, p, f"ss-{bet_id}")))
                for kind, sql, args in steps:
                    try:
                        conn.execute(sql, args)
                        record(kind, "OK")
                    except psycopg.Error as exc:
                        failures.append(f"{kind} {args}: {exc.sqlstate} {exc}")
                if n % 2 == 0:
                    with lock:
                        open_bets.append((p, bet_id))
                # and one of the open bets, racing the batches
                with lock:
                    p, b = rnd.choice(open_bets)
                try:
                    conn.execute("SELECT game.bet_settle(%s, %s, %s, 'LOSS', NULL, 't')", (b, p, f"so-{worker}-{n}"))
                    record("single settle of an open bet", "OK")
                    with lock:
                        settled_by.setdefault(b, set()).add(f"so-{worker}-{n}")
                except psycopg.Error as exc:
                    record("single settle of an open bet", exc.sqlstate or "?")
                    if exc.sqlstate not in ("RW014", "RW015"):  # BET_ALREADY_SETTLED, BET_ALREADY_ROLLED_BACK
                        failures.append(f"single settle {b}: {exc.sqlstate} {exc}")

    def rollbacks(worker: int) -> None:
        rnd = random.Random(200 + worker)
        with connect(db_url) as conn:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                with lock:
                    p, b = rnd.choice(open_bets)
                try:
                    conn.execute("SELECT game.bet_rollback(%s, %s, %s, NULL, 't')", (b, p, f"rb{worker}-{n}"))
                    record("rollback", "OK")
                except psycopg.Error as exc:
                    failures.append(f"rollback {b}: {exc.sqlstate} {exc}")
                time.sleep(0.02)

    with ThreadPoolExecutor(8) as pool:
        jobs = [pool.submit(batches, w) for w in range(4)]
        jobs += [pool.submit(singles, w) for w in range(2)]
        jobs += [pool.submit(rollbacks, w) for w in range(2)]
        for job in jobs:
            job.result()

    print(f"\nbatch concurrency: {dict(sorted(outcomes.items()))}")
    assert failures == [], "\n".join(failures[:20])
    assert outcomes["batch item: OK"] > 0 and outcomes["rollback: OK"] > 0 and outcomes["single bet: OK"] > 0
    assert outcomes["batch item: BET_ALREADY_SETTLED"] > 0, "the batches never raced each other"

    # Every bet settled at most once: one settlement id answered 200, one ledger transaction.
    assert {b: ids for b, ids in settled_by.items() if len(ids) > 1} == {}
    twice = db.execute(
        """SELECT ref, count(*) FROM wallet.ledger_txn WHERE kind = 'BET_SETTLE' GROUP BY ref HAVING count(*) > 1"""
    ).fetchall()
    assert twice == []
    for bet_id, ids in settled_by.items():
        (stored,) = db.execute("SELECT settlement_id FROM wallet.bet WHERE bet_id = %s", (bet_id,)).fetchone()
        assert {stored} == ids, bet_id

    # The money adds up to what the bets say (payouts of rolled-back bets were reversed).
    for p in PLAYERS:
        expected = (
            SEED
            + db.execute(
                """SELECT coalesce(sum(CASE status WHEN 'AUTHORIZED' THEN -stake WHEN 'SETTLED' THEN payout - stake ELSE 0 END), 0)
                 FROM wallet.bet WHERE account_id = %s""",
                (p,),
            ).fetchone()[0]
        )
        cash = db.execute(
            "SELECT coalesce(sum(balance), 0) FROM wallet.bucket WHERE account_id = %s AND bucket_type IN ('SPORTS_NORMAL', 'WITHDRAWABLE')",
            (p,),
        ).fetchone()[0]
        assert cash == expected, p
    assert db.execute("SELECT count(*) FROM ops.reconcile()").fetchone()[0] == 0
