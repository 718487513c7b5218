"""`ruby-wallet serve` on its private PostgreSQL (DATABASE_URL unset) stops that PostgreSQL on
SIGTERM (what systemd, Docker and Kubernetes send) exactly as on SIGINT (Ctrl-C), with one
worker and with several; with several, /metrics adds up every worker's numbers.  Real
processes, real signals: the postmaster's pid must be gone afterwards."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ruby_wallet.localdb import LocalCluster
from tests.support.servers import free_port


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """One data folder for the module: initdb and the first migration once."""
    return tmp_path_factory.mktemp("serve-signals") / "home"


def _serve(home: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RUBY_WALLET_API_DATABASE_URL")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(RUBY_WALLET_HOME=str(home), PYTHONUNBUFFERED="1")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ruby_wallet.cli", "serve", "--port", str(port), "--log-level", "warning", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{process.stdout.read()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "serve did not become ready"
        time.sleep(0.3)


def _postmaster_pid(home: Path) -> int:
    return int((LocalCluster(home).data / "postmaster.pid").read_text().splitlines()[0])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _requests_counted(base: str, route: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("ruby_wallet_http_requests_total{") and f'route="{route}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.parametrize("workers", [1, 2], ids=["one-worker", "two-workers"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_serve_and_the_postgresql_it_started(home, sig, workers):
    process, base = _serve(home, "--workers", str(workers))
    try:
        postmaster = _postmaster_pid(home)
        assert _alive(postmaster)
        if workers > 1:
            # Each worker keeps its own numbers; any worker's scrape reports them all.
            for _ in range(40):
                assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
            counts = {_requests_counted(base, "/healthz") for _ in range(6)}
            assert counts == {40.0}, counts
    finally:
        process.send_signal(sig)
        try:
            output, _ = process.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, output
    assert "local PostgreSQL stopped" in output, output
    deadline = time.monotonic() + 10
    while _alive(postmaster) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(postmaster), f"the postmaster (pid {postmaster}) outlived serve"
    assert not LocalCluster(home).running()
    assert not re.search(r"Traceback", output), output
