"""API fuzzing with schemathesis against the OpenAPI schema the real server serves: every
operation gets schema-valid and schema-breaking requests (bodies, paths, queries, headers).
No request may get a 5xx, and every error must be an RFC 9457 problem with a stable code from
the error table.  The server is a real uvicorn process on its own database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import psycopg
import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from psycopg.conninfo import make_conninfo
from pytest_postgresql.janitor import DatabaseJanitor

from ruby_wallet.errors import error_codes

ALL_SCOPES = ["game", "payments", "promotion", "player", "admin", "events"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_api(postgresql_proc):
    """(base URL, API key with every scope) of a uvicorn process on a fresh migrated database."""
    name = f"wallet_fuzz{os.getpid()}"
    janitor = DatabaseJanitor(user=postgresql_proc.user, host=postgresql_proc.host, port=postgresql_proc.port,
                              dbname=name, template_dbname=postgresql_proc.template_dbname,
                              password=postgresql_proc.password)
    janitor.init()
    url = make_conninfo(host=postgresql_proc.host, port=postgresql_proc.port, user=postgresql_proc.user, dbname=name,
                        password=postgresql_proc.password or "")
    with psycopg.connect(url, autocommit=True) as conn:
        key = conn.execute("SELECT wallet.api_key_create('fuzzer', %s)", (ALL_SCOPES,)).fetchone()[0]
        # Something for the fuzzer to find: a funded player and a few records.
        conn.execute("SELECT wallet.open_account('p1', 'KRW', 't')")
        conn.execute("SELECT wallet.deposit_create('d1', 'p1', 100000, 'SPORTS_NORMAL', true, 't')")
        conn.execute("SELECT wallet.coupon_grant('c1', 'p1', 500, ARRAY['SPORTS'], p_actor => 't')")
    port = _free_port()
    env = {**os.environ, "RUBY_WALLET_API_DATABASE_URL": url, "RUBY_WALLET_POOL_MAX": "4"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "ruby_wallet.asgi:app", "--port", str(port),
                               "--log-level", "warning"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
        yield base, key
    finally:
        server.terminate()
        server.wait(timeout=30)
        with psycopg.connect(url, autocommit=True) as conn:
            discrepancies = conn.execute("SELECT * FROM wallet.reconcile()").fetchall()
        janitor.drop()
        assert discrepancies == [], f"fuzzing left the books wrong: {discrepancies}"


@pytest.fixture(scope="module")
def api_schema(served_api):
    base, _ = served_api
    return schemathesis.openapi.from_url(f"{base}/schema/openapi.json")


CODES = set(error_codes())
# Per operation and generation mode; two modes × ~45 operations.  derandomize: the same cases
# every run, so a failure here is reproducible; new cases come from changing the schema.
EXAMPLES = 25


def _check(case, base: str, key: str) -> None:
    headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
    response = case.call(base_url=base, headers=headers, timeout=30)
    where = f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:300]} -> {response.status_code}: {response.text[:500]}"
    assert response.status_code < 500, where
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), where
        body = response.json()
        assert body["status"] == response.status_code and body["code"] in CODES and body["title"] and body["detail"], where


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["schema-valid", "schema-breaking"])
def test_no_5xx_and_every_error_is_a_problem(api_schema, served_api, mode):
    base, key = served_api
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30, "the served schema lost its operations"
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case):
            _check(case, base, key)

        try:
            fuzz()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, f"no valid request for {operation.path}"  # nothing to break
        except AssertionError as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)
