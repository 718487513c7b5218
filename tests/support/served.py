"""A real server process for tests that must go through HTTP the way callers do: uvicorn
serving ruby_wallet.asgi:app on a free port, on a fresh migrated database of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import psycopg
from psycopg.conninfo import make_conninfo
from pytest_postgresql.janitor import DatabaseJanitor

ALL_SCOPES = ["game", "payments", "promotion", "player", "admin", "events"]


@dataclass
class Served:
    base_url: str
    database_url: str
    api_key: str  # every scope


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_api(postgresql_proc, name: str) -> Iterator[Served]:
    """Serve a fresh database; on the way out, stop the server, check reconciliation, drop it."""
    dbname = f"wallet_{name}{os.getpid()}"
    janitor = DatabaseJanitor(user=postgresql_proc.user, host=postgresql_proc.host, port=postgresql_proc.port,
                              dbname=dbname, template_dbname=postgresql_proc.template_dbname,
                              password=postgresql_proc.password)
    janitor.init()
    url = make_conninfo(host=postgresql_proc.host, port=postgresql_proc.port, user=postgresql_proc.user, dbname=dbname,
                        password=postgresql_proc.password or "")
    with psycopg.connect(url, autocommit=True) as conn:
        key = conn.execute("SELECT wallet.api_key_create(%s, %s)", (f"{name}-caller", ALL_SCOPES)).fetchone()[0]
    port = free_port()
    env = {**os.environ, "RUBY_WALLET_API_DATABASE_URL": url, "RUBY_WALLET_POOL_MAX": "4"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "ruby_wallet.asgi:app", "--port", str(port),
                               "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield Served(base, url, key)
    finally:
        server.terminate()
        server.wait(timeout=30)
        with psycopg.connect(url, autocommit=True) as conn:
            discrepancies = conn.execute("SELECT * FROM wallet.reconcile()").fetchall()
        janitor.drop()
        assert discrepancies == [], f"the books do not reconcile: {discrepancies}"
