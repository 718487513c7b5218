"""A real PostgreSQL for the tests: one temporary cluster per run (pytest-postgresql), a
template database migrated once, and a fresh clone of it for every test that asks.

As root, the cluster runs as the `postgres` OS user through ruby_wallet.pgctl, which this
module hands to pytest-postgresql as its pg_ctl.  fsync is off: these clusters are thrown away
(crash-safety tests start their own with fsync on).  Every cloned database is reconciled when
its test ends: a test that leaves the books wrong fails even if its own asserts passed.
"""

from __future__ import annotations

import itertools
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from pytest_postgresql import factories
from pytest_postgresql.janitor import DatabaseJanitor

from ruby_wallet.dsn import with_role
from ruby_wallet.localdb import find_bindir
from ruby_wallet.migrate import migrate

BINDIR = find_bindir()
PGTAP_HELPERS = Path(__file__).resolve().parents[1] / "sql" / "pgtap" / "support" / "helpers.sql"


def _pg_ctl_wrapper() -> str:
    folder = Path(tempfile.mkdtemp(prefix="ruby-wallet-pgctl-"))
    wrapper = folder / "pg_ctl"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ruby_wallet.pgctl "{BINDIR / "pg_ctl"}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper)


def _load_wallet(host: str, port: int, user: str, dbname: str, password: str | None, **_: object) -> None:
    url = make_conninfo(host=host, port=port, user=user, dbname=dbname, password=password or "")
    migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgtap")
        conn.execute(PGTAP_HELPERS.read_text())


postgresql_proc = factories.postgresql_proc(
    executable=_pg_ctl_wrapper(),
    dbname="wallet_test",
    load=[_load_wallet],
    # pg_stat_statements: tests/sql/test_plans_per_call.py counts plans per call.
    postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    " -c shared_preload_libraries=pg_stat_statements",
)

_names = itertools.count()


def _url(proc, dbname: str) -> str:
    return make_conninfo(host=proc.host, port=proc.port, user=proc.user, dbname=dbname, password=proc.password or "")


@pytest.fixture
def db_url(postgresql_proc) -> Iterator[str]:
    """Superuser URL of a fresh, migrated database; reconciliation must be clean at the end."""
    name = f"wallet_t{os.getpid()}_{next(_names)}"
    janitor = DatabaseJanitor(
        user=postgresql_proc.user,
        host=postgresql_proc.host,
        port=postgresql_proc.port,
        dbname=name,
        template_dbname=postgresql_proc.template_dbname,
        password=postgresql_proc.password,
    )
    janitor.init()
    url = _url(postgresql_proc, name)
    try:
        yield url
        with psycopg.connect(url, autocommit=True) as conn:
            discrepancies = conn.execute("SELECT * FROM ops.reconcile()").fetchall()
        assert discrepancies == [], f"reconciliation not clean after the test: {discrepancies}"
    finally:
        janitor.drop()


@pytest.fixture
def db(db_url) -> Iterator[psycopg.Connection]:
    """Superuser connection (autocommit) to the test's database."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def dba_db(db_url) -> Iterator[psycopg.Connection]:
    """Connection acting as wallet_dba, as a DBA in psql: every scope's functions, and no table it
    could write (what each scope role may run is tests/sql/pgtap/01_structure.sql's business)."""
    with psycopg.connect(with_role(db_url, "wallet_dba"), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def session_db_url(postgresql_proc) -> Iterator[str]:
    """One clone for the whole run, for tests that leave nothing behind (pgTAP files roll back)."""
    name = f"wallet_s{os.getpid()}"
    janitor = DatabaseJanitor(
        user=postgresql_proc.user,
        host=postgresql_proc.host,
        port=postgresql_proc.port,
        dbname=name,
        template_dbname=postgresql_proc.template_dbname,
        password=postgresql_proc.password,
    )
    janitor.init()
    try:
        yield _url(postgresql_proc, name)
    finally:
        janitor.drop()
