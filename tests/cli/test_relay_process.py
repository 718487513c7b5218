"""A real `ruby-wallet relay` process (two of them side by side) against a local webhook
receiver that refuses some deliveries: every event arrives, signed, its body exactly as
GET /v1/events lists it; per player in order; none acknowledged twice; an event refused on
every try is parked with its reason and its player's later events still go; SIGTERM stops a
relay cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ruby_wallet.relay import verify_signature
from tests.support.servers import free_port

SECRET = "relay-test-secret-0123456789"


class Receiver:
    """Refuses the first delivery of every third event (HTTP 500), and every delivery of the
    events in `always_refuse` (HTTP 422); records every POST it got, in arrival order."""

    def __init__(self, always_refuse: set[int]):
        self.log: list[tuple[int, int, dict, bool]] = []  # (event id, status, event, signature ok)
        self.always_refuse = always_refuse
        self.refused_once: set[int] = set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = json.loads(body)
                event_id = int(self.headers["X-Ruby-Wallet-Event-Id"])
                signed = verify_signature(SECRET, self.headers["X-Ruby-Wallet-Signature"], body)
                with receiver.lock:
                    if event_id in receiver.always_refuse:
                        status = 422
                    elif event_id % 3 == 0 and event_id not in receiver.refused_once:
                        receiver.refused_once.add(event_id)
                        status = 500
                    else:
                        status = 200
                    receiver.log.append((event_id, status, event, signed))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/wallet"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _relay(db_url: str, url: str, name: str, log_path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBY_WALLET_")}
    env.update(DATABASE_URL=db_url, RUBY_WALLET_WEBHOOK_SECRET=SECRET, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ruby_wallet.cli",
            "relay",
            "--webhook",
            url,
            "--relay-id",
            name,
            "--max-attempts",
            "3",
            "--max-backoff",
            "0.3",
            "--poll-interval",
            "0.1",
            "--batch",
            "5",
        ],
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )


def test_two_relays_deliver_everything_in_order_once_each_and_park_the_refused(db_url, db, tmp_path):
    for p in range(6):
        db.execute("SELECT payments.open_account(p_player_id => %s, p_currency => 'KRW', p_actor => 't')", (f"p{p}",))
        for i in range(4):
            db.execute(
                "SELECT admin.admin_adjust(p_adjustment_id => %s, p_player_id => %s, p_bucket_type => 'SPORTS_NORMAL',"
                " p_amount => 10, p_reason => 't', p_actor => 't')",
                (f"p{p}-{i}", f"p{p}"),
            )
    feed = db.execute("SELECT events.events_read(p_after => 0, p_limit => 1000)").fetchone()[0]["events"]
    by_id = {e["id"]: e for e in feed}
    # p2's second event is refused on every try: parked, and p2's later events still go
    p2 = sorted(e["id"] for e in feed if e["player_id"] == "p2")
    bad = p2[1]
    receiver = Receiver({bad})
    relays = [_relay(db_url, receiver.url, f"relay-{i}", tmp_path / f"relay-{i}.log") for i in range(2)]
    try:
        deadline = time.monotonic() + 90
        while True:
            with receiver.lock:
                acked = {eid for eid, status, _, _ in receiver.log if status == 200}
            parked = db.execute("SELECT delivery_id, attempts, reason FROM wallet.relay_parked").fetchall()
            if acked == set(by_id) - {bad} and parked:
                break
            for r in relays:
                assert r.poll() is None, (tmp_path / "relay-0.log").read_text() + (tmp_path / "relay-1.log").read_text()
            assert time.monotonic() < deadline, f"not all delivered: missing {sorted(set(by_id) - {bad} - acked)}"
            time.sleep(0.2)
    finally:
        for r in relays:
            r.send_signal(signal.SIGTERM)
        codes = [r.wait(timeout=30) for r in relays]
        receiver.close()
    assert codes == [0, 0], [(tmp_path / f"relay-{i}.log").read_text() for i in range(2)]

    log = receiver.log
    assert all(signed for *_, signed in log), "a delivery whose signature does not verify"
    for eid, _, event, _ in log:
        assert event == by_id[eid], "the body is the event as GET /v1/events lists it"
    ok = defaultdict(int)
    for eid, status, _, _ in log:
        ok[eid] += status == 200
    assert all(n == 1 for n in ok.values() if n), {e: n for e, n in ok.items() if n > 1}
    # every third event was refused once, then delivered on its second try
    assert {eid for eid, status, _, _ in log if status == 500} == {e for e in by_id if e % 3 == 0 and e != bad}
    # per player: what arrived (tries included) never goes back to an earlier event
    arrivals = defaultdict(list)
    for eid, _, event, _ in log:
        arrivals[event["player_id"]].append(eid)
    for player, ids in arrivals.items():
        assert ids == sorted(ids), f"{player}: {ids}"
    assert [eid for eid, *_ in log].count(bad) == 3
    assert parked == [(bad, 3, "HTTP 422")]
    stats = db.execute("SELECT api.outbox_stats()").fetchone()[0]
    assert stats == {"lag_seconds": 0, "pending": 0, "parked": 1}
    assert db.execute("SELECT count(*) FROM wallet.relay_stream WHERE lease_owner IS NOT NULL").fetchone()[0] == 0


def test_relay_needs_its_secret(db_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBY_WALLET_")}
    env["DATABASE_URL"] = db_url
    r = subprocess.run(
        [sys.executable, "-m", "ruby_wallet.cli", "relay", "--webhook", "http://127.0.0.1:9/x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "RUBY_WALLET_WEBHOOK_SECRET" in r.stderr


def test_relay_once_stops_when_nothing_waits(db_url, db, tmp_path):
    db.execute("SELECT payments.open_account(p_player_id => 'p1', p_currency => 'KRW', p_actor => 't')")
    receiver = Receiver(set())
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUBY_WALLET_")}
        env.update(DATABASE_URL=db_url, RUBY_WALLET_WEBHOOK_SECRET=SECRET)
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruby_wallet.cli",
                "relay",
                "--webhook",
                receiver.url,
                "--once",
                "--max-backoff",
                "0.2",
                "--poll-interval",
                "0.1",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        receiver.close()
    assert r.returncode == 0, r.stdout + r.stderr
    assert db.execute("SELECT count(*) FROM wallet.outbox WHERE published_at IS NULL").fetchone()[0] == 0
    assert any(e["player_id"] == "p1" for _, status, e, _ in receiver.log if status == 200)
