"""The relay's SQL (procedures/events/relays.sql, docs/relay.md) against a real PostgreSQL:
per-account order, leases, SKIP LOCKED between relays claiming at once, redelivery after a
lease expires, parking with the reason, and the outbox figures of /metrics."""

from __future__ import annotations

import threading
from collections import Counter

import psycopg
import pytest

from ruby_wallet.dsn import with_role


@pytest.fixture
def dba(db_url):
    with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as conn:
        yield conn


def _events(db, player: str, n: int) -> None:
    """n events for `player`: an account opened, then n - 1 adjustments."""
    db.execute("SELECT payments.open_account(p_player_id => %s, p_currency => 'KRW', p_actor => 't')", (player,))
    for i in range(n - 1):
        db.execute(
            "SELECT admin.admin_adjust(p_adjustment_id => %s, p_player_id => %s, p_bucket_type => 'SPORTS_NORMAL',"
            " p_amount => 10, p_reason => 't', p_actor => 't')",
            (f"{player}-a{i}", player),
        )


def claim(db, relay="r1", limit=100, lease=60):
    return db.execute(
        "SELECT account_id, delivery_id, attempts, event FROM ops.relay_claim(p_relay => %s, p_limit => %s,"
        " p_lease_seconds => %s)",
        (relay, limit, lease),
    ).fetchall()


def ack(db, relay, account, delivery):
    return db.execute(
        "SELECT ops.relay_ack(p_relay => %s, p_account_id => %s, p_delivery_id => %s)", (relay, account, delivery)
    ).fetchone()[0]


def fail(db, relay, account, delivery, reason="HTTP 500", retry_in=0.0, park=False):
    return db.execute(
        "SELECT ops.relay_fail(p_relay => %s, p_account_id => %s, p_delivery_id => %s, p_reason => %s,"
        " p_retry_in_seconds => %s, p_park => %s)",
        (relay, account, delivery, reason, retry_in, park),
    ).fetchone()[0]


def drain_system_stream(db):
    """The default topology and policies wrote events of the system stream ('') at migrate."""
    while True:
        batch = [row for row in claim(db, "setup") if row[0] == ""]
        if not batch:
            return
        for account, delivery, _, _ in batch:
            assert ack(db, "setup", account, delivery)


def test_one_event_per_account_at_a_time_in_order(dba):
    drain_system_stream(dba)
    _events(dba, "p1", 3)
    _events(dba, "p2", 2)
    seen: dict[str, list[int]] = {"p1": [], "p2": []}
    feed = dba.execute("SELECT events.events_read(p_after => 0, p_limit => 1000)").fetchone()[0]["events"]
    by_id = {e["id"]: e for e in feed}
    for _ in range(3):
        batch = [row for row in claim(dba) if row[0] in seen]
        assert sorted(a for a, *_ in batch) == sorted({a for a, *_ in batch}), "two events of one account at once"
        # nothing more while the heads are leased
        assert [row for row in claim(dba, "r2") if row[0] in seen] == []
        for account, delivery, attempts, event in batch:
            assert attempts == 1
            assert event == by_id[delivery], "the body is the event as GET /v1/events lists it"
            seen[account].append(delivery)
            assert ack(dba, "r1", account, delivery)
    assert len(seen["p1"]) == 3 and len(seen["p2"]) == 2
    for ids in seen.values():
        assert ids == sorted(ids)
    assert claim(dba) == []
    published = dba.execute("SELECT count(*) FROM wallet.outbox WHERE published_at IS NULL").fetchone()[0]
    assert published == 0


def test_a_failed_event_holds_its_account_until_retried_or_parked(dba, db):
    drain_system_stream(dba)
    _events(dba, "p1", 2)
    _events(dba, "p2", 2)
    batch = {row[0]: row for row in claim(dba)}
    first = batch["p1"]
    assert fail(dba, "r1", "p1", first[1], "HTTP 503: busy", retry_in=3600) == "RETRY"
    assert ack(dba, "r1", "p2", batch["p2"][1])
    # p1 waits (its head is due in an hour); p2 is not held up by it
    assert [row[0] for row in claim(dba)] == ["p2"]
    stream = dba.execute(
        "SELECT head, attempts, last_error, lease_owner FROM wallet.relay_stream WHERE account_id = 'p1'"
    ).fetchone()
    assert stream == (first[1], 1, "HTTP 503: busy", None)
    # due again: the same event, second try
    db.execute("UPDATE wallet.relay_stream SET next_attempt_at = now() WHERE account_id = 'p1'")
    (again,) = [row for row in claim(dba) if row[0] == "p1"]
    assert again[1] == first[1] and again[2] == 2
    assert fail(dba, "r1", "p1", again[1], "HTTP 410: gone", park=True) == "PARKED"
    parked = dba.execute("SELECT delivery_id, attempts, reason, parked_by FROM wallet.relay_parked").fetchall()
    assert parked == [(first[1], 2, "HTTP 410: gone", "r1")]
    # the account's next event goes now
    (nxt,) = [row for row in claim(dba) if row[0] == "p1"]
    assert nxt[1] > first[1] and nxt[2] == 1
    stats = dba.execute("SELECT ops.outbox_stats()").fetchone()[0]
    assert stats["parked"] == 1 and stats["pending"] >= 1 and stats["lag_seconds"] >= 0


def test_an_expired_lease_is_delivered_again_and_the_late_ack_is_refused(dba, db):
    drain_system_stream(dba)
    _events(dba, "p1", 1)
    (first,) = [row for row in claim(dba, "dead", lease=1) if row[0] == "p1"]
    db.execute("UPDATE wallet.relay_stream SET lease_until = now() - interval '1 second' WHERE account_id = 'p1'")
    (again,) = [row for row in claim(dba, "alive") if row[0] == "p1"]
    assert again[1] == first[1] and again[2] == 2
    assert ack(dba, "dead", "p1", first[1]) is False, "the dead relay's lease is gone"
    assert fail(dba, "dead", "p1", first[1]) == "LOST"
    assert ack(dba, "alive", "p1", again[1]) is True


def test_release_gives_leases_back_at_once(dba):
    drain_system_stream(dba)
    _events(dba, "p1", 1)
    (first,) = [row for row in claim(dba, "stopping") if row[0] == "p1"]
    assert dba.execute("SELECT ops.relay_release(p_relay => 'stopping')").fetchone()[0] == 1
    (again,) = [row for row in claim(dba, "other") if row[0] == "p1"]
    assert again[1] == first[1] and again[2] == 1, "a released claim is not a failed try"


def test_relays_claiming_at_once_never_get_the_same_event(db_url, dba):
    drain_system_stream(dba)
    for p in range(30):
        _events(dba, f"p{p}", 3)
    got: list[tuple[str, int]] = []
    lock = threading.Lock()
    errors = []

    def relay(name: str) -> None:
        try:
            with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as conn:
                idle = 0
                while idle < 3:
                    batch = claim(conn, name, limit=7)
                    idle = idle + 1 if not batch else 0
                    for account, delivery, _, _ in batch:
                        with lock:
                            got.append((account, delivery))
                        assert ack(conn, name, account, delivery)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=relay, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    counts = Counter(got)
    assert all(n == 1 for n in counts.values()), [k for k, n in counts.items() if n > 1]
    expected = dba.execute("SELECT count(*) FROM wallet.outbox WHERE account_id LIKE 'p%'").fetchone()[0]
    assert len(got) == expected == 90
    for p in range(30):
        ids = [d for a, d in got if a == f"p{p}"]
        assert ids == sorted(ids), f"p{p} out of order: {ids}"


def test_outbox_stats_when_nothing_waits(dba):
    drain_system_stream(dba)
    assert dba.execute("SELECT ops.outbox_stats()").fetchone()[0] == {"lag_seconds": 0, "pending": 0, "parked": 0}
    _events(dba, "p1", 1)
    stats = dba.execute("SELECT ops.outbox_stats()").fetchone()[0]
    assert stats["pending"] == 1 and stats["lag_seconds"] >= 0


def test_the_api_role_reads_the_stats_and_nothing_of_the_relay(db_url):
    with psycopg.connect(with_role(db_url, "wallet_api"), autocommit=True) as api:
        assert set(api.execute("SELECT api.outbox_stats()").fetchone()[0]) == {"lag_seconds", "pending", "parked"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            api.execute("SELECT * FROM ops.relay_claim(p_relay => 'x')")
