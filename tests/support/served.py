"""A real server process on a fresh database of the shared test cluster, for tests that must go
through HTTP the way callers do (the server itself is tests/support/servers.ApiServer)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo
from pytest_postgresql.janitor import DatabaseJanitor

from tests.support.servers import ApiServer

ALL_SCOPES = ["game", "payments", "promotion", "player", "admin", "events", "casino"]


@dataclass
class Served:
    base_url: str
    database_url: str
    api_key: str  # every scope
    log_path: Path


@contextmanager
def served_api(postgresql_proc, name: str, extra_args: tuple[str, ...] = ()) -> Iterator[Served]:
    """Serve a fresh database; on the way out, stop the server, check reconciliation, drop it."""
    dbname = f"wallet_{name}{os.getpid()}"
    janitor = DatabaseJanitor(
        user=postgresql_proc.user,
        host=postgresql_proc.host,
        port=postgresql_proc.port,
        dbname=dbname,
        template_dbname=postgresql_proc.template_dbname,
        password=postgresql_proc.password,
    )
    janitor.init()
    url = make_conninfo(
        host=postgresql_proc.host,
        port=postgresql_proc.port,
        user=postgresql_proc.user,
        dbname=dbname,
        password=postgresql_proc.password or "",
    )
    with tempfile.TemporaryDirectory(prefix=f"ruby-wallet-{name}-") as logs:
        server = ApiServer(url, url, Path(logs) / "server.log", pool_max=4, extra_args=extra_args)
        try:
            server.start()
            yield Served(server.base, url, server.create_key(f"{name}-caller", ALL_SCOPES), server.log_path)
        finally:
            server.stop()
            with psycopg.connect(url, autocommit=True) as conn:
                discrepancies = conn.execute("SELECT * FROM ops.reconcile()").fetchall()
            janitor.drop()
    assert discrepancies == [], f"the books do not reconcile: {discrepancies}"
