"""`ruby-wallet worker`: the housekeeping jobs of SPEC §11, each a wallet function run on a
schedule (`--once`: every job once, exit 1 when one failed).  Where pg_cron is installed the
same functions can be scheduled there instead (docs/operations.md); both may run at once,
since every job is safe to run concurrently with itself.

Each job is one statement that does a bounded amount of work in its own transaction and
returns how much it did; a job is *drained*: called again until it returns 0 (or the worker
stops), so a backlog is worked off in small transactions that never hold a lock for long.
Coupon expiry works on one account per call (the account lock, then its coupons: SPEC §2's
one-account rule), so a running bet on that account waits one short transaction at most.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("ruby_wallet.worker")


@dataclass(frozen=True)
class Job:
    name: str
    statement: str | None  # None: not available in this database, skipped with a note
    every_seconds: float
    description: str


# The jobs and their statements (SQL in procedures/; docs/operations.md).
COUPON_EXPIRY = Job(
    "coupon_expiry",
    "SELECT ops.coupon_expire_next()",
    60,
    "coupons past their expiry: EXPIRED, remaining 0, COUPON_EXPIRE ledger transaction back to "
    "PROMOTION, outbox coupon.expired (one account per call)",
)
OUTBOX_PRUNING = Job(
    "outbox_pruning",
    "SELECT ops.outbox_prune(p_limit => 5000)",
    3600,
    "delivered outbox events older than wallet.retention_days (default 180)",
)
# Idempotency lives in each command's own record (ADR 0005), which is never pruned; what ages
# out is the repeat keys (a second rollback or reversal under a key of its own), whose replay is
# then answered from the record they repeated.
IDEMPOTENCY_RETENTION = Job(
    "idempotency_retention",
    "SELECT ops.idempotency_prune(p_limit => 5000)",
    3600,
    "repeat keys older than wallet.retention_days (the records holding every other key are kept)",
)

JOBS: tuple[Job, ...] = (COUPON_EXPIRY, OUTBOX_PRUNING, IDEMPOTENCY_RETENTION)

MAX_CALLS_PER_RUN = 100_000  # a drained job yields to the others after this many calls


@dataclass
class JobResult:
    job: str
    done: int = 0
    calls: int = 0
    error: str | None = None
    skipped: bool = False


async def run_job(conn: Any, job: Job, stopping: asyncio.Event | None = None) -> JobResult:
    """Call the job's statement until it reports 0 (drained), the worker stops, or it fails."""
    result = JobResult(job.name)
    if job.statement is None:
        result.skipped = True
        return result
    started = time.monotonic()
    try:
        while result.calls < MAX_CALLS_PER_RUN and not (stopping and stopping.is_set()):
            cur = await conn.execute(job.statement)
            row = await cur.fetchone()
            result.calls += 1
            done = int(row[0] or 0) if row else 0
            result.done += done
            if done == 0:
                break
    except Exception as exc:
        if getattr(conn, "broken", False) or getattr(conn, "closed", False):
            raise  # the connection is gone: the process exits non-zero and its supervisor restarts it
        result.error = f"{type(exc).__name__}: {exc}".strip()
        log.error("job %s failed after %s calls: %s", job.name, result.calls, result.error)
        return result
    log.info("job %s: %s done in %s calls, %.2f s", job.name, result.done, result.calls, time.monotonic() - started)
    return result


async def run_once(conn: Any, jobs: Sequence[Job] = JOBS) -> list[JobResult]:
    return [await run_job(conn, job) for job in jobs]


async def run_forever(conn: Any, stopping: asyncio.Event, jobs: Sequence[Job] = JOBS) -> None:
    """Each job on its own interval; a failed job is logged and tried again at its next turn."""
    due = dict.fromkeys((j.name for j in jobs), 0.0)
    for job in jobs:
        if job.statement is None:
            log.info("job %s: not available yet (%s)", job.name, job.description)
    while not stopping.is_set():
        for job in jobs:
            if job.statement is not None and time.monotonic() >= due[job.name] and not stopping.is_set():
                await run_job(conn, job, stopping)
                due[job.name] = time.monotonic() + job.every_seconds
        waits = [due[j.name] - time.monotonic() for j in jobs if j.statement is not None]
        try:
            await asyncio.wait_for(stopping.wait(), timeout=max(0.5, min(waits, default=60.0)))
        except TimeoutError:
            pass


async def main(database_url: str, once: bool, jobs: Sequence[Job] = JOBS) -> int:
    import psycopg

    from ruby_wallet.dsn import with_role

    async with await psycopg.AsyncConnection.connect(with_role(database_url, "wallet_dba"), autocommit=True) as conn:
        if once:
            results = await run_once(conn, jobs)
            for r in results:
                state = "skipped (not available yet)" if r.skipped else (f"FAILED: {r.error}" if r.error else "ok")
                print(f"{r.job}: {state}; {r.done} done in {r.calls} calls")
            return 1 if any(r.error for r in results) else 0
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await run_forever(conn, stopping, jobs)
        return 0
