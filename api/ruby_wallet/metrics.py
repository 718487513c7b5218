"""Prometheus metrics (SPEC §11): `GET /metrics`, no API key, the text exposition format.

Every label value comes from a closed set: the route *template* (`/v1/players/{player_id}/balances`,
never the path a caller sent), the HTTP method (unknown ones are `OTHER`), the status code, the
handler name of a command and the `code` of the error table.  A player id, a key or any other
caller-supplied text never becomes a label (tests/api/test_metrics.py checks it).

Several worker processes (`ruby-wallet serve --workers N`, or any ASGI server started with
PROMETHEUS_MULTIPROC_DIR set) use prometheus-client's multiprocess mode: each process writes its
numbers to memory-mapped files in that folder and a scrape, answered by any one worker, adds
them up.  Gauges of the connection pool are summed over the live workers; files of workers that
died are dropped at the next scrape.  `serve` creates, sets and removes the folder itself.

What comes from the database (outbox lag, events parked by the relay) is read at scrape time,
through one call of `api.outbox_stats()`, with a short timeout; when it fails the scrape still
answers and `ruby_wallet_outbox_stats_up` is 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import glob
import logging
import os
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("ruby_wallet.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

# Seconds: a wallet command is a few milliseconds; the tail up to the 10 s pool timeout.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_ROUNDTRIP_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)

HTTP_REQUESTS = Counter(
    "ruby_wallet_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "ruby_wallet_http_request_duration_seconds",
    "Time from receiving a request to sending the end of its answer, by method, route template and status code.",
    ["method", "route", "status"],
    buckets=_LATENCY_BUCKETS,
)
COMMANDS = Counter(
    "ruby_wallet_commands_total",
    "Wallet commands (every route that is not a GET) by command and outcome: OK, or the error code it was refused with.",
    ["command", "outcome"],
)
# The API keeps one pool per database role (ruby_wallet.db): `pool` is that role's name.
POOL_CONNECTIONS = Gauge(
    "ruby_wallet_db_pool_connections",
    "Database connections of the API's pools (all live workers), by pool (database role) and state: "
    "open (in the pool), in_use (lent to a request), idle.",
    ["pool", "state"],
    multiprocess_mode="livesum",
)
POOL_MAX = Gauge(
    "ruby_wallet_db_pool_max_connections",
    "Most connections the API's pools may open (all live workers), by pool.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "ruby_wallet_db_pool_requests_waiting",
    "Requests waiting for a database connection (all live workers), by pool.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_TIMEOUTS = Counter(
    "ruby_wallet_db_pool_timeouts_total",
    "Requests that got no database connection within the pool timeout (answered 503), by pool.",
    ["pool"],
)
DB_ROUNDTRIP = Histogram(
    "ruby_wallet_db_roundtrip_seconds",
    "Round trip of a trivial statement (SELECT 1) on a pooled connection, measured every few seconds by each worker.",
    buckets=_ROUNDTRIP_BUCKETS,
)
DB_PROBE_FAILURES = Counter(
    "ruby_wallet_db_probe_failures_total",
    "Round-trip probes that failed (database unreachable, or no connection within 2 s).",
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"
# Litestar writes a typed path parameter as {name:type}; the label keeps the name only.
_PARAM_TYPE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):[^}]*\}")


def method_label(method: str) -> str:
    return method if method in _METHODS else "OTHER"


@functools.cache
def route_label(path_template: str | None) -> str:
    """The label of a route template (a closed set, so each is worked out once)."""
    if not path_template:
        return UNMATCHED_ROUTE
    return _PARAM_TYPE.sub(r"{\1}", path_template)


# The series of each label set met so far (labels are closed sets, so these stay small): asking a
# metric for its child by labels every request was most of the metrics' cost.
_REQUEST_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_COMMAND_SERIES: dict[tuple[str, str], Any] = {}


def observe_request(
    method: str, route: str, status: int, seconds: float, command: str | None, code: str | None
) -> None:
    """One answered request; `command` is the handler name of a wallet command (not a read)."""
    series = _REQUEST_SERIES.get((method, route, status))
    if series is None:
        status_label = str(status)
        series = _REQUEST_SERIES[(method, route, status)] = (
            HTTP_REQUESTS.labels(method, route, status_label),
            HTTP_LATENCY.labels(method, route, status_label),
        )
    series[0].inc()
    series[1].observe(seconds)
    if command is not None:
        outcome = "OK" if status < 400 else (code or f"HTTP_{status}")
        counter = _COMMAND_SERIES.get((command, outcome))
        if counter is None:
            counter = _COMMAND_SERIES[(command, outcome)] = COMMANDS.labels(command, outcome)
        counter.inc()


# -- the pool and the round trip, sampled by each worker ----------------------------------------

PROBE_SECONDS = 5.0


class PoolSampler:
    """Copies the pools' figures into the gauges every second and probes the round trip every
    PROBE_SECONDS (on the API's own pool, `probe_pool`); started and stopped with the app."""

    def __init__(self, pools: dict[str, Any], probe_pool: str = "wallet_api"):
        self.pools = pools
        self.probe_pool = pools.get(probe_pool) or next(iter(pools.values()))
        self._errors_seen: dict[str, int] = {}

    def sample(self) -> None:
        for name, pool in self.pools.items():
            stats = pool.get_stats()
            size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
            POOL_CONNECTIONS.labels(name, "open").set(size)
            POOL_CONNECTIONS.labels(name, "idle").set(available)
            POOL_CONNECTIONS.labels(name, "in_use").set(max(0, size - available))
            POOL_MAX.labels(name).set(stats.get("pool_max", 0))
            POOL_WAITING.labels(name).set(stats.get("requests_waiting", 0))
            errors, seen = stats.get("requests_errors", 0), self._errors_seen.get(name, 0)
            if errors > seen:
                POOL_TIMEOUTS.labels(name).inc(errors - seen)
            self._errors_seen[name] = errors

    async def probe(self) -> None:
        try:
            async with self.probe_pool.connection(timeout=2.0) as conn:
                started = time.perf_counter()
                await conn.execute("SELECT 1")
                DB_ROUNDTRIP.observe(time.perf_counter() - started)
        except Exception as exc:  # the probe reports, never raises
            DB_PROBE_FAILURES.inc()
            log.debug("database round-trip probe failed: %s", exc)

    async def run(self, stop: asyncio.Event) -> None:
        next_probe = 0.0
        while not stop.is_set():
            self.sample()
            if time.monotonic() >= next_probe:
                next_probe = time.monotonic() + PROBE_SECONDS
                await self.probe()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Samples while the app runs.  On the way out the sampler is asked to stop and given
        time to finish a probe in flight: cancelling a query midway could leave its pooled
        connection busy while the pool closes."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop), name="ruby-wallet-pool-sampler")
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=5.0)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


# -- the scrape ---------------------------------------------------------------------------------

OUTBOX_TIMEOUT_SECONDS = 2.0


class _Snapshot:
    """Collector of figures read once, at scrape time."""

    def __init__(self, families: list[GaugeMetricFamily]):
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families


def outbox_families(stats: dict[str, Any] | None) -> list[GaugeMetricFamily]:
    """The database's figures for the relay (SPEC §11); `stats` None when they could not be read."""
    up = GaugeMetricFamily(
        "ruby_wallet_outbox_stats_up", "1 when this scrape read the outbox figures from the database, else 0."
    )
    up.add_metric([], 0 if stats is None else 1)
    if stats is None:
        return [up]
    lag = GaugeMetricFamily(
        "ruby_wallet_outbox_lag_seconds",
        "Age of the oldest outbox event no relay has acknowledged or parked yet; 0 when none waits.",
    )
    lag.add_metric([], float(stats.get("lag_seconds") or 0))
    pending = GaugeMetricFamily("ruby_wallet_outbox_pending_events", "Outbox events not yet acknowledged or parked.")
    pending.add_metric([], float(stats.get("pending") or 0))
    parked = GaugeMetricFamily(
        "ruby_wallet_outbox_parked_events",
        "Outbox events the relay parked after its last retry (each with its reason), waiting for an operator.",
    )
    parked.add_metric([], float(stats.get("parked") or 0))
    return [up, lag, pending, parked]


def _forget_dead_workers(folder: str) -> None:
    """Drop the live-gauge files of worker processes that no longer run (a worker restarted by
    the server, or killed): their last pool figures must not be summed forever."""
    for path in glob.glob(os.path.join(folder, "gauge_live*_*.db")):
        try:
            pid = int(path.rsplit("_", 1)[1].split(".", 1)[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, folder)
        except PermissionError:
            pass  # alive, another user's


def render(outbox: dict[str, Any] | None) -> bytes:
    """The exposition text: this process's metrics (or every worker's), then the database's."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        _forget_dead_workers(folder)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(_Snapshot(outbox_families(outbox)))
    return text + generate_latest(database)
