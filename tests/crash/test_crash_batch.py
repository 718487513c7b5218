"""Crash safety of batch settlement (SPEC §5c): a batch of 1,000 settlements over 20 players is
sent to a real `ruby-wallet serve` (its own PostgreSQL, fsync on) and, while it is being applied,
the server is killed with SIGKILL (test 1) or PostgreSQL is restarted in immediate mode (test 2).
The API applies a batch 50 items per transaction, so the crash leaves some calls applied and the
rest not.  The caller does what it must: sends the same batch again until it is answered.

Then: every item is answered as a crash-free run answers it (the same batch sent to twin players
that saw no crash), every bet is settled exactly once (one ledger transaction, one event), the
batch once more answers byte for byte the same, and the books reconcile.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import httpx
import psycopg

from tests.crash.test_crash_safety import cluster, server  # the same fixtures: a private cluster, a served API
from tests.support.servers import ApiServer, CrashableCluster

__all__ = ["cluster", "server"]

PLAYERS = 20
ITEMS = 1000


def prepare(owner_url: str, prefix: str) -> list[dict[str, Any]]:
    """Players <prefix>0.. with a deposit each (a rolling obligation), ITEMS - 20 open bets among
    them, 10 settled already; the batch: each open bet settled (WIN, LOSS, VOID, CASHOUT), the
    settled ones settled again under other ids (409), and bets that do not exist (404)."""
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(
            """SELECT payments.open_account(%(p)s || i, 'KRW', 't'),
                      payments.deposit_create(%(p)s || 'd' || i, %(p)s || i, 50000, 'SPORTS_NORMAL', true, 't')
                 FROM generate_series(0, %(n)s - 1) i""",
            {"p": prefix, "n": PLAYERS},
        )
        conn.execute(
            """SELECT game.bet_authorize('b' || i, %(p)s || (i %% %(n)s), 'SPORTS', 'book', 10 + i %% 7, 2.0, NULL, 't')
                 FROM generate_series(0, %(k)s - 1) i""",
            {"p": prefix, "n": PLAYERS, "k": ITEMS - 10},
        )
        conn.execute(
            """SELECT game.bet_settle('b' || i, %(p)s || (i %% %(n)s), 'early' || i, 'LOSS', NULL, 't')
                 FROM generate_series(0, 9) i""",
            {"p": prefix, "n": PLAYERS},
        )
    items = []
    for i in range(ITEMS - 10):
        result = ("WIN", "LOSS", "VOID", "CASHOUT")[i % 4]
        item = {"bet_id": f"b{i}", "settlement_id": f"s{i}", "player_id": f"{prefix}{i % PLAYERS}", "result": result}
        if result in ("WIN", "CASHOUT"):
            item["payout"] = 25 + i % 5
        items.append(item)
    items += [
        {"bet_id": f"nope{i}", "settlement_id": f"n{i}", "player_id": f"{prefix}{i}", "result": "LOSS"}
        for i in range(10)
    ]
    return items  # b0..b9 are settled already: their items answer BET_ALREADY_SETTLED


def send_until_answered(base: str, key: str, items: list[dict[str, Any]], deadline: float = 90) -> httpx.Response:
    """The caller's duty: the same batch again until it is answered (no answer, a lost
    connection and 503 are not answers)."""
    until = time.monotonic() + deadline
    with httpx.Client(base_url=base, timeout=httpx.Timeout(30.0, connect=3.0)) as client:
        while True:
            try:
                response = client.post(
                    "/v1/bets/settlements", json={"settlements": items}, headers={"Authorization": f"Bearer {key}"}
                )
                if response.status_code != 503:
                    return response
            except httpx.TransportError:
                pass
            assert time.monotonic() < until, "the batch was never answered"
            time.sleep(0.1)


def in_twin_terms(text: str, prefix: str, ranks: dict[int, int]) -> str:
    """An answer with the twin's player ids and rolling ids (by rank in their account) replaced."""
    text = re.sub(rf"\b{prefix}(\d+)\b", r"P\1", text)
    return re.sub(r'"rolling_id": ?(\d+)', lambda m: f'"rolling_id": "#{ranks[int(m.group(1))]}"', text)


def rolling_ranks(conn: psycopg.Connection) -> dict[int, int]:
    return dict(
        conn.execute(
            "SELECT rolling_id, row_number() OVER (PARTITION BY account_id ORDER BY rolling_id) FROM wallet.rolling_obligation"
        ).fetchall()
    )


def run_with_crash(cluster: CrashableCluster, server: ApiServer, crash) -> dict[str, Any]:
    key = server.create_key("crash-batch", ["game"])
    reference_items = prepare(cluster.url, "y")
    items = prepare(cluster.url, "x")

    # The crash-free answers, from the twins.
    reference = send_until_answered(server.base, key, reference_items)
    assert reference.status_code == 200, reference.text

    # The batch, and the crash while it is applied (this first call is never answered).
    first: dict[str, Any] = {}

    def send_once() -> None:
        try:
            first["status"] = httpx.post(
                f"{server.base}/v1/bets/settlements",
                json={"settlements": items},
                headers={"Authorization": f"Bearer {key}"},
                timeout=30,
            ).status_code
        except httpx.TransportError as exc:
            first["status"] = type(exc).__name__

    sender = threading.Thread(target=send_once, daemon=True)
    with psycopg.connect(cluster.url, autocommit=True) as conn:

        def settled() -> int:
            return conn.execute(
                "SELECT count(*) FROM wallet.bet WHERE account_id LIKE 'x%' AND settlement_id LIKE 's%'"
            ).fetchone()[0]

        sender.start()
        until = time.monotonic() + 30
        while settled() < 100:
            assert time.monotonic() < until, "the batch never started"
            time.sleep(0.002)
    crash()
    sender.join(10)
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        before_retry = conn.execute(
            "SELECT count(*) FROM wallet.bet WHERE account_id LIKE 'x%' AND settlement_id LIKE 's%'"
        ).fetchone()[0]
    assert 0 < before_retry < ITEMS - 20, f"the crash did not land mid-batch: {before_retry} settled"

    retry = send_until_answered(server.base, key, items)
    assert retry.status_code == 200, retry.text
    again = send_until_answered(server.base, key, items)
    assert again.content == retry.content, "the batch once more must answer byte for byte the same"

    with psycopg.connect(cluster.url, autocommit=True) as conn:
        ranks = rolling_ranks(conn)
        ours = [in_twin_terms(line, "x", ranks) for line in _items(retry.text)]
        theirs = [in_twin_terms(line, "y", ranks) for line in _items(reference.text)]
        mismatched = [(i, a, b) for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
        assert mismatched == [], f"answers differ from a crash-free run: {mismatched[:5]}"
        statuses = [r["status"] for r in retry.json()["results"]]
        assert statuses == [409] * 10 + [200] * (ITEMS - 20) + [404] * 10

        for prefix in ("x", "y"):
            ledger = conn.execute(
                """SELECT count(*), count(DISTINCT ref) FROM wallet.ledger_txn
                    WHERE kind = 'BET_SETTLE' AND account_id LIKE %s""",
                (f"{prefix}%",),
            ).fetchone()
            events = conn.execute(
                "SELECT count(*) FROM wallet.outbox WHERE event_type = 'bet.settled' AND account_id LIKE %s",
                (f"{prefix}%",),
            ).fetchone()[0]
            assert ledger == (ITEMS - 10, ITEMS - 10) and events == ITEMS - 10, (prefix, ledger, events)
        twins = conn.execute(
            """SELECT x.bucket_type, x.balance, y.balance FROM wallet.bucket x
                 JOIN wallet.bucket y ON y.account_id = 'y' || substr(x.account_id, 2) AND y.bucket_type = x.bucket_type
                WHERE x.account_id LIKE 'x%' AND x.balance <> y.balance"""
        ).fetchall()
        assert twins == [], f"balances differ from the crash-free twins: {twins}"
        assert conn.execute("SELECT count(*) FROM ops.reconcile()").fetchone()[0] == 0
    return {"settled_before_retry": before_retry, "first_call": first.get("status")}


def _items(text: str) -> list[str]:
    """Each result of a batch answer as its own JSON text (the route writes them without spaces)."""
    body = text[len('{"results":[') : -2]
    return re.split(r',(?=\{"index":\d+,)', body)


def test_kill9_server_mid_batch(cluster, server):
    outcome = run_with_crash(cluster, server, lambda: (server.kill9(), server.start()))
    print(f"\nkill -9 server mid-batch: {outcome}, server starts {server.starts}")


def test_postgres_immediate_restart_mid_batch(cluster, server):
    outcome = run_with_crash(cluster, server, cluster.restart_immediate)
    print(f"\npostgres restart -m immediate mid-batch: {outcome}")
