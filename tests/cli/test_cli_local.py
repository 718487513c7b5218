"""The README's run command end to end: `ruby-wallet serve` with DATABASE_URL unset starts its
own PostgreSQL in the data folder, migrates it and serves; `apikey create` and `check` use the
same cluster; Ctrl-C stops the server and the cluster it started."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import psycopg

from ruby_wallet.localdb import LocalCluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "-m", "ruby_wallet.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def test_serve_on_local_postgres_then_stop_cleanly(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RUBY_WALLET_API_DATABASE_URL")}
    env["RUBY_WALLET_HOME"] = str(home)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ruby_wallet.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.3)

        key = _cli(env, "apikey", "create", "e2e", "--scopes", "payments,admin,player").stdout.strip()
        auth = {"Authorization": f"Bearer {key}"}
        r = httpx.post(f"{base}/v1/accounts", json={"player_id": "p1", "currency": "KRW"}, headers=auth)
        assert r.status_code == 201, r.text
        r = httpx.post(
            f"{base}/v1/admin/adjustments",
            headers=auth,
            json={
                "adjustment_id": "a1",
                "player_id": "p1",
                "bucket_type": "SPORTS_NORMAL",
                "amount": 2500,
                "reason": "e2e",
            },
        )
        assert r.status_code == 201 and r.json()["balance_after"] == 2500
        balances = httpx.get(f"{base}/v1/players/p1/balances", headers=auth).json()
        assert balances["groups"][0]["buckets"][0] == {"bucket_type": "SPORTS_NORMAL", "kind": "CASH", "balance": 2500}
        assert _cli(env, "check").returncode == 0
        assert _cli(env, "check", "--player", "p1").stdout.startswith("reconciliation clean: player p1:")
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert "local PostgreSQL stopped" in output
    assert not LocalCluster(home).running()


def test_one_shot_commands_start_and_stop_the_cluster(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["RUBY_WALLET_HOME"] = str(tmp_path / "home")
    migrate = _cli(env, "migrate")
    assert "migrations applied" in migrate.stderr
    assert "unchanged" in _cli(env, "migrate").stderr
    assert _cli(env, "check").stdout.startswith("reconciliation clean")
    assert not LocalCluster(tmp_path / "home").running()


def test_the_local_cluster_compares_text_byte_by_byte(tmp_path):
    """Its databases collate in byte order (docs/adr/0007-byte-order-collation.md) and keep
    UTF-8 character classes: the wallet's text keys compare through memcmp."""
    cluster = LocalCluster(tmp_path / "home")
    try:
        with psycopg.connect(cluster.ensure_running()) as conn:
            row = conn.execute(
                "SELECT datcollate, datctype, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"
            ).fetchone()
            assert row == ("C", "C.UTF-8", "UTF8")
            assert conn.execute("SELECT upper('é'), 'b' < 'é', 'Z' < 'a'").fetchone() == ("É", True, True)
    finally:
        cluster.stop()
