"""Ruby Wallet benchmarks: one command, its own throwaway PostgreSQL, a table at the end.

    bench/run --quick          # about 5 minutes
    bench/run                  # the full run (about 20 minutes, more on a busy machine)
    bench/run --help           # durations, clients, players, what to skip

What it does, in order (docs/benchmarks.md explains each figure):
  1. a throwaway cluster (initdb into a temp folder, fsync on, PostgreSQL defaults except what
     the output lists), `ruby_wallet.migrate.migrate`, N players seeded through the wallet's
     own functions, `pgbench -i -s 10` in the same database, and a twin database
     ruby_wallet_small seeded the same way (it is never grown);
  2. pgbench built-in tpcb-like, then the wallet scripts bench/*.sql on random players, the
     hot player, tpcb-like again (drift check; ratios use the mean of the two);
  3. the HTTP API (uvicorn and granian, 2 workers each) under wrk, 16 connections;
  4. the ledger grown to the history target by real authorize+settle calls (random players and
     one player, "whale"), then bet authorize on the big and the small database alternately;
  5. profile: pg_stat_statements (track = all, track_planning) and pg_stat_user_functions for
     bet authorize and bet settle, auto_explain (EXPLAIN ANALYZE of every nested statement);
  6. with --citus only: a throwaway Citus cluster (a coordinator and 2 workers on this machine,
     ruby_wallet.citus, PostgreSQL defaults), migrated and distributed, the same players seeded
     through the coordinator, then bet authorize and authorize+settle through the coordinator
     (each call forwarded to the player's worker), next to the single-node figures of step 2;
Everything it started is stopped and the temp folder removed, on success, error or Ctrl-C.
Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from ruby_wallet.citus import CitusCluster, CitusUnavailable
from ruby_wallet.localdb import DATABASE, LocalCluster, _free_port, find_bindir
from ruby_wallet.migrate import migrate

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = Path(sys.executable).parent
PG_LOG_KEPT = 4 * 1024 * 1024  # the last 4 MiB of PostgreSQL's log go to --out's logs/

# The only server settings bench/run changes (ALTER SYSTEM); everything else is PostgreSQL's
# default.  LocalCluster also sets port, listen_addresses=127.0.0.1, unix_socket_directories and
# scram-sha-256 authentication.  The profile phase later sets pg_stat_statements.track = all
# and track_functions = all (both only for that phase).
SERVER_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    # Times each WAL write and flush (pg_stat_wal), for every SQL row's commit-flush figures
    # (Bench.wal_flushes): two clock reads a flush, the same for tpcb-like and the wallet.
    "track_wal_io_timing": "on",
}

SMALL_DB = "ruby_wallet_small"  # the never-grown twin of DATABASE (history phase)
PLAYERS_SEED_BALANCE = 1_000_000_000  # per player, in SPORTS_NORMAL and in CASINO_NORMAL
HOT_SEED_BALANCE = 1_000_000_000_000  # the hot player's and the whale's SPORTS_NORMAL
WHALE_START_PAIRS = 2_200  # authorize+settle pairs: about 10k ledger rows


def script_role(path: Path) -> str:
    """The database role a pgbench script runs as: the role of the API schema it calls, as the
    API's pool for that schema would (ruby_wallet.db.SCHEMA_ROLES)."""
    from ruby_wallet.db import SCHEMA_ROLES

    schemas = set(re.findall(r"\b(" + "|".join(SCHEMA_ROLES) + r")\.[a-z_]+\(", path.read_text()))
    if len(schemas) != 1:
        raise SystemExit(f"{path.name} must call the functions of exactly one API schema, not {schemas}")
    return SCHEMA_ROLES[schemas.pop()]


class Interrupted(Exception):
    pass


def _on_sigterm(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def _cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = fields[3] + fields[4]
    return idle, sum(fields)


def cpu_busy(interval: float = 1.0) -> float:
    """% of all cores busy over `interval` seconds (anything on the machine)."""
    try:
        i0, t0 = _cpu_times()
        time.sleep(interval)
        i1, t1 = _cpu_times()
        return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))
    except (OSError, ValueError, IndexError):
        return float("nan")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def role_cpu(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far: by the whole machine ('machine', every core's non-idle time), by
    PostgreSQL ('database': every process named postgres alive now) and by the API server
    ('server': server_pid and its descendants alive now).  Deltas of two calls around a run
    split the run's CPU; a process that starts and ends between them (wrk) is in 'machine' only."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[str, int, float]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        head, _, tail = stat.rpartition(")")
        f = tail.split()
        procs[int(d.name)] = (head.partition("(")[2], int(f[1]), (int(f[11]) + int(f[12])) / tick)
    server = {server_pid}
    grew = True
    while grew:
        more = {pid for pid, (_, ppid, _) in procs.items() if ppid in server} - server
        server |= more
        grew = bool(more)
    idle, total = _cpu_times()
    return {
        "machine": (total - idle) / tick,
        "database": sum(cpu for comm, _, cpu in procs.values() if comm == "postgres"),
        "server": sum(procs[pid][2] for pid in server if pid in procs),
    }


def cpu_split(before: dict[str, float], after: dict[str, float], items: int) -> str:
    """The CPU of a run an item, by role (role_cpu), in microseconds."""
    if items <= 0:
        return "-"
    us = {k: 1e6 * (after[k] - before[k]) / items for k in before}
    rest = us["machine"] - us["database"] - us["server"]
    return (
        f"machine CPU {us['machine']:,.0f} µs an item: PostgreSQL {us['database']:,.0f}, the API server "
        f"{us['server']:,.0f}, the rest (wrk, anything else) {rest:,.0f}"
    )


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Result:
    section: str
    name: str
    clients: int | str
    per_s: float | None = None  # commands/s (SQL) or requests/s (HTTP)
    unit: str = "cmd/s"
    avg_ms: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int | None = None
    ratio: float | None = None
    ratio_to: str = ""
    load1: float | None = None
    busy_before: float | None = None  # % CPU busy in the second before the run (others' work)
    client_cpu: float | None = None  # load generator CPU, % of all cores
    note: str = ""
    extra: dict = field(default_factory=dict)

    def add_note(self, text: str) -> None:
        """Appends one more remark to the row's notes column, "; " between remarks."""
        self.note = f"{self.note}; {text}" if self.note else text


def wrk_result(proc: subprocess.CompletedProcess) -> dict | None:
    """The BENCHJSON line the bench's wrk scripts print at the end (None, said, when wrk failed)."""
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        say(f"wrk failed: {proc.stdout[-1000:]} {proc.stderr[-1000:]}")
        return None
    return json.loads(line[len("BENCHJSON ") :])


def wrk_errors(d: dict) -> int:
    """Every request of a wrk run that did not get a 2xx: wrong status, socket errors, timeouts."""
    return d["non2xx"] + d["connect"] + d["read"] + d["write"] + d["timeout"]


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="ruby-wallet-bench-"))
        self.work = self.tmp / "work"
        self.work.mkdir()
        self.cluster = LocalCluster(self.tmp)
        self.bindir = find_bindir()
        self.results: list[Result] = []
        self.servers: list[subprocess.Popen] = []
        self.tag = 0
        self.profile_text: list[str] = []
        self.info: dict = {}
        self.tpcb_ref: float | None = None
        self.ref_16: dict[str, float] = {}
        self.ref_16_p99: dict[str, float] = {}
        self.api_key: str | None = None
        self.citus: CitusCluster | None = None
        self.citus_url: str | None = None
        self.reconcile_failed = False

    # -- plumbing -----------------------------------------------------------------------------
    def su(self, db: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(self.cluster.url(db), autocommit=True)

    def next_tag(self) -> int:
        self.tag += 1
        return self.tag

    def pg_env(
        self, user: str, db: str = DATABASE, role: str | None = None, cluster: LocalCluster | None = None
    ) -> dict[str, str]:
        """libpq settings for pgbench; `role`: the scope role the API's login acts as (ADR 0004);
        `cluster`: another server than the single-node one (the Citus coordinator)."""
        cluster = cluster or self.cluster
        env = dict(os.environ)
        password_file = "superuser.password" if user == "postgres" else "api.password"
        env.update(
            PGHOST="127.0.0.1",
            PGPORT=str(cluster.port),
            PGUSER=user,
            PGDATABASE=db,
            PGPASSWORD=(cluster.root / password_file).read_text().strip(),
        )
        if role:
            env["PGOPTIONS"] = f"-c role={role}"
        return env

    def count(self, table: str, db: str = DATABASE, where: str = "") -> int:
        with self.su(db) as conn:
            return conn.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]

    def entries(self, db: str = DATABASE, where: str = "") -> int:
        """Ledger entries: one ledger_txn row holds all of a transaction's (ADR 0005)."""
        with self.su(db) as conn:
            return conn.execute(
                f"SELECT coalesce(sum(cardinality(targets)), 0) FROM wallet.ledger_txn {where}"
            ).fetchone()[0]

    # -- setup --------------------------------------------------------------------------------
    def setup(self) -> None:
        say(f"temp folder {self.tmp}")
        self.cluster.ensure_running()
        with self.su() as conn:
            for name, value in SERVER_SETTINGS.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        self.cluster.stop()
        self.cluster.ensure_running()
        say(f"PostgreSQL up on 127.0.0.1:{self.cluster.port}")
        report = migrate(self.cluster.url())
        for line in report.lines():
            say(f"migrate: {line}")
        self.cluster.grant_api_login()
        with self.su() as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self.info["server_version"] = conn.execute("SHOW server_version").fetchone()[0]
            self.info["settings"] = conn.execute(
                """SELECT name, current_setting(name), CASE WHEN setting = boot_val THEN ' = default, written by initdb' ELSE '' END, source FROM pg_settings
                    WHERE source NOT IN ('default', 'override', 'client', 'session')
                      AND name NOT IN ('application_name', 'client_encoding', 'DateStyle', 'TimeZone', 'log_timezone',
                                       'lc_messages', 'lc_monetary', 'lc_numeric', 'lc_time',
                                       'default_text_search_config')
                    ORDER BY name"""
            ).fetchall()
            for name in (
                "fsync",
                "synchronous_commit",
                "full_page_writes",
                "wal_sync_method",
                "shared_buffers",
                "max_connections",
                "max_wal_size",
                "checkpoint_timeout",
                "autovacuum",
                "jit",
            ):
                self.info.setdefault("key_settings", []).append((name, conn.execute(f"SHOW {name}").fetchone()[0]))
        self.seed(DATABASE)
        # The small-ledger twin: same schema, same seed, never grown.  The history phase
        # alternates runs on the two databases, so machine drift hits both alike.
        with self.su("postgres") as conn:
            conn.execute(f"CREATE DATABASE {SMALL_DB}")
        migrate(self.cluster.url(SMALL_DB))
        self.seed(SMALL_DB)
        say("pgbench -i -s 10")
        subprocess.run(
            [str(self.bindir / "pgbench"), "-i", "-s", "10", "-q"],
            env=self.pg_env("postgres"),
            check=True,
            capture_output=True,
        )
        with self.su() as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")

    def seed(self, db: str) -> None:
        n = self.args.players
        say(
            f"seeding {db}: {n} players (open_account + auto-approved deposits to SPORTS_NORMAL and CASINO_NORMAL), "
            "'hot', 'whale' (with about 10k ledger rows of history)"
        )
        t0 = time.monotonic()
        with self.su(db) as conn:
            conn.execute(
                "SELECT count(payments.open_account('p' || i, 'KRW', 'bench')) FROM generate_series(1, %s) i", (n,)
            )
            for bucket, short in (("SPORTS_NORMAL", "s"), ("CASINO_NORMAL", "c")):
                conn.execute(
                    f"""SELECT count(payments.deposit_create('seed-{short}-' || i, 'p' || i, %s, '{bucket}', true, 'bench'))
                          FROM generate_series(1, %s) i""",
                    (PLAYERS_SEED_BALANCE, n),
                )
            conn.execute("SELECT payments.open_account('hot', 'KRW', 'bench')")
            conn.execute(
                "SELECT payments.deposit_create('seed-hot', 'hot', %s, 'SPORTS_NORMAL', true, 'bench')",
                (HOT_SEED_BALANCE,),
            )
            conn.execute("SELECT payments.open_account('whale', 'KRW', 'bench')")
            conn.execute(
                "SELECT payments.deposit_create('seed-whale', 'whale', %s, 'SPORTS_NORMAL', true, 'bench')",
                (HOT_SEED_BALANCE,),
            )
            # whale's own history: about 10k ledger rows to start with
            conn.execute(self.growth_sql("whale", "'whale'", WHALE_START_PAIRS))
        say(f"seeded in {time.monotonic() - t0:.1f} s")

    # -- pgbench ------------------------------------------------------------------------------
    def pgbench(
        self,
        section: str,
        name: str,
        *,
        script: str | None = None,
        builtin: str | None = None,
        clients: int = 8,
        duration: int | None = None,
        transactions: int | None = None,
        defines: dict | None = None,
        cmds_per_txn: int = 1,
        user: str = "wallet_api",
        note: str = "",
        record: bool = True,
        expect_clean: bool = True,
        db: str = DATABASE,
        cluster: LocalCluster | None = None,
    ) -> Result:
        a = self.args
        tag = self.next_tag()
        prefix = self.work / f"pgb{tag}"
        cmd = [
            str(self.bindir / "pgbench"),
            "-c",
            str(clients),
            "-j",
            str(min(clients, a.jobs)),
            "-M",
            a.protocol,
            "-r",
            "-l",
            f"--log-prefix={prefix}",
        ]
        if duration is not None:
            cmd += ["-T", str(duration)]
        else:
            cmd += ["-t", str(transactions)]
        if builtin:
            cmd += ["-b", builtin]
        else:
            cmd += ["-n", "-f", str(BENCH / script)]
            variables = {"players": a.players, "tag": tag, "n": 0, **(defines or {})}
            for k, v in variables.items():
                cmd += ["-D", f"{k}={v}"]
        busy = self.wait_quiet() if record else None
        load = loadavg()
        watch_wal = record and cluster is None
        if watch_wal:
            self.reset_wal_stats()
        cpu0 = children_cpu()
        t0 = time.monotonic()
        role = script_role(BENCH / script) if script and user != "postgres" else None
        proc = subprocess.run(cmd, env=self.pg_env(user, db, role, cluster), capture_output=True, text=True)
        wall = time.monotonic() - t0
        wal = self.wal_flushes() if watch_wal else None
        cpu = children_cpu() - cpu0
        out = proc.stdout
        tps = _float(r"^tps = ([0-9.]+) \(without initial connection time\)", out)
        lat = _float(r"^latency average = ([0-9.]+) ms", out)
        failed = int(_float(r"^number of failed transactions: (\d+)", out) or 0)
        aborted = len(re.findall(r"client \d+ aborted", proc.stderr))
        errors = failed + aborted + (0 if proc.returncode == 0 else 1 if not (failed or aborted) else 0)
        if proc.returncode != 0 or tps is None:
            say(f"pgbench {name}: exit {proc.returncode}\n{proc.stderr[-1500:]}")
        latencies = []
        for path in glob.glob(f"{prefix}*"):
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 3 and parts[2].isdigit():
                        latencies.append(int(parts[2]) / 1000.0)
            os.unlink(path)
        latencies.sort()
        stmt_lat = _statement_latencies(out)
        res = Result(
            section,
            name,
            clients,
            per_s=(tps * cmds_per_txn) if tps else None,
            avg_ms=(lat / cmds_per_txn) if lat else None,
            p50_ms=percentile(latencies, 0.50),
            p99_ms=percentile(latencies, 0.99),
            errors=errors,
            load1=load,
            busy_before=busy,
            client_cpu=100.0 * cpu / wall / (os.cpu_count() or 1),
            note=note,
            extra={
                "tps": tps,
                "statement_ms": stmt_lat,
                "cmds_per_txn": cmds_per_txn,
                "transactions": _float(r"^number of transactions actually processed: (\d+)", out),
            },
        )
        txns = res.extra["transactions"]
        if wal and txns and wal["flushes"]:
            # Why a short command's rate at 8 clients falls below its one-connection rate: each
            # commit waits for the WAL flush that covers it (docs/benchmarks.md, "Where the 8
            # clients' time goes").
            res.extra["wal"] = wal
            res.add_note(
                f"WAL {wal['bytes'] / txns / 1024:.2f} KB a transaction, {txns / wal['flushes']:.1f} commits a flush, "
                f"{wal['sync_ms'] / wal['flushes'] * 1000:.0f} us a flush"
            )
        if cmds_per_txn > 1:
            res.add_note(f"{cmds_per_txn} commands per pgbench transaction; p50/p99 are per pair")
        if expect_clean and errors:
            res.add_note((proc.stderr.strip().splitlines() or ["?"])[-1][:160])
        if record:
            self.results.append(res)
        say(
            f"{section} / {name} @{clients}: {res.per_s and round(res.per_s)} {res.unit}, avg {res.avg_ms and round(res.avg_ms, 2)} ms, "
            f"p99 {res.p99_ms and round(res.p99_ms, 2)} ms, errors {errors}, load1 {load}"
        )
        return res

    def reset_wal_stats(self) -> None:
        with self.su() as conn:
            conn.execute("SELECT pg_stat_reset_shared('wal')")

    def wal_flushes(self) -> dict | None:
        """The cluster's WAL since reset_wal_stats: bytes, flushes (fdatasync calls) and the
        milliseconds they took (track_wal_io_timing), summed over every backend."""
        with self.su() as conn:
            row = conn.execute("SELECT wal_bytes, wal_sync, wal_sync_time FROM pg_stat_wal").fetchone()
        if row is None:
            return None
        return {"bytes": float(row[0]), "flushes": int(row[1]), "sync_ms": float(row[2])}

    def wait_quiet(self) -> float:
        """Before a measured run: wait (up to --wait-quiet seconds) until the machine is idle
        enough (CPU busy below --quiet-below %, sampled over 1 s); return the last sample."""
        busy = cpu_busy()
        deadline = time.monotonic() + self.args.wait_quiet
        waited = False
        while busy > self.args.quiet_below and time.monotonic() < deadline:
            if not waited:
                say(
                    f"machine {busy:.0f}% busy before a run: waiting up to {self.args.wait_quiet} s for < {self.args.quiet_below}%"
                )
                waited = True
            busy = cpu_busy(2.0)
        return busy

    # -- phases -------------------------------------------------------------------------------
    def history_phase(self) -> None:
        """Bet authorize on the grown database and on its never-grown twin, alternated
        (small, big, small, big, ...) so that drift of the machine hits both alike."""
        a = self.args
        for db in (DATABASE, SMALL_DB):
            with self.su(db) as conn:
                conn.execute("VACUUM ANALYZE")
        with self.su() as conn:
            conn.execute("CHECKPOINT")
        kinds = [
            ("random players, 1 client", "authorize.sql", 1, a.latency_txns),
            ("whale, 1 client", "whale_authorize.sql", 1, a.latency_txns),
            ("random players, 8 clients", "authorize.sql", 8, max(1, a.latency_txns // 8)),
        ]
        runs: dict[tuple[str, str], list[Result]] = {}
        sizes: dict[str, tuple[int, int]] = {}
        for rnd in range(1, a.history_rounds + 1):
            for kind, script, clients, txns in kinds:
                for label, db in (("small", SMALL_DB), ("big", DATABASE)):
                    entries = self.entries(db)
                    whale = self.entries(db, "WHERE account_id = 'whale'")
                    sizes.setdefault(label, (entries, whale))
                    r = self.pgbench(
                        "history",
                        f"authorize, {kind}, {label} ledger (round {rnd})",
                        script=script,
                        clients=clients,
                        transactions=txns,
                        db=db,
                        note=f"{entries:,} ledger entries (whale {whale:,}) before the run",
                    )
                    runs.setdefault((kind, label), []).append(r)
        for kind, _, clients, _ in kinds:
            small = [r.avg_ms for r in runs[(kind, "small")] if r.avg_ms]
            big = [r.avg_ms for r in runs[(kind, "big")] if r.avg_ms]
            if not small or not big:
                continue
            # Best of N (the least disturbed run of each): on a shared machine the noise only
            # ever adds latency.  The medians are in the note.
            best_small, best_big = min(small), min(big)
            med_small, med_big = statistics.median(small), statistics.median(big)
            row = "whale's own entries" if kind.startswith("whale") else "ledger entries"
            idx = 1 if kind.startswith("whale") else 0
            self.results.append(
                Result(
                    "history summary",
                    f"authorize, {kind}: big vs small ledger",
                    clients,
                    avg_ms=best_big,
                    ratio=best_big / best_small,
                    ratio_to="small-ledger latency, best of each (1.00 = flat)",
                    note=f"best of {len(big)} alternated runs each: {best_small:.2f} ms with {sizes['small'][idx]:,} {row}, "
                    f"{best_big:.2f} ms with {sizes['big'][idx]:,}; medians {med_small:.2f} / {med_big:.2f} ms",
                )
            )

    def sql_phase(self) -> None:
        a = self.args
        d = a.duration
        say(f"warm-up {a.warmup} s (tpcb-like and authorize, not recorded)")
        self.pgbench(
            "warmup", "tpcb-like", builtin="tpcb-like", clients=8, duration=a.warmup, user="postgres", record=False
        )
        self.pgbench("warmup", "authorize", script="authorize.sql", clients=8, duration=a.warmup, record=False)
        tpcb = self.pgbench(
            "sql",
            "pgbench tpcb-like (scale 10)",
            builtin="tpcb-like",
            clients=8,
            duration=d,
            user="postgres",
            note="5 statements in BEGIN/END per transaction; counted as 1",
        )
        tpcb.unit = "txn/s"
        self.tpcb_ref = tpcb.per_s
        runs = [
            ("bet authorize", "authorize.sql", 1),
            ("bet authorize + settle", "authorize_settle.sql", 2),
            ("deposit (auto-approved)", "deposit.sql", 1),
            ("transfer SPORTS<->CASINO", "transfer.sql", 1),
        ]
        for name, script, k in runs:
            r = self.pgbench("sql", name, script=script, clients=8, duration=d, cmds_per_txn=k)
            self._ratio(r)
        with self.su() as conn:
            self.info["rolling_after_sql"] = conn.execute(
                """SELECT round(avg(n), 1), max(n) FROM (SELECT account_id, count(*) AS n FROM wallet.rolling_obligation
                    WHERE status = 'ACTIVE' AND account_id LIKE 'p%' GROUP BY account_id) x"""
            ).fetchone()
        hot = self.pgbench(
            "sql",
            "hot player: bet authorize, all clients on 'hot'",
            script="hot_authorize.sql",
            clients=8,
            duration=d,
            note="one account row lock serializes every command",
        )
        self._ratio(hot)
        tpcb2 = self.pgbench(
            "sql", "pgbench tpcb-like again (drift check)", builtin="tpcb-like", clients=8, duration=d, user="postgres"
        )
        tpcb2.unit = "txn/s"
        if tpcb.per_s and tpcb2.per_s:
            tpcb2.ratio = tpcb2.per_s / tpcb.per_s
            tpcb2.ratio_to = "first tpcb-like"
            # Every ratio to tpcb-like uses the mean of the two runs that bracket the wallet runs.
            self.tpcb_ref = (tpcb.per_s + tpcb2.per_s) / 2
            for r in self.results:
                if r.ratio_to == "tpcb-like":
                    self._ratio(r)

    def citus_phase(self) -> None:
        """Bet authorize and authorize+settle through a Citus coordinator (--citus), each call
        forwarded whole to the worker holding the player (docs/scaling.md), with the same
        scripts, clients and duration as the single-node runs; the ratio is to the single-node
        figure of the same command in this run."""
        a = self.args
        self.citus = CitusCluster(self.tmp / "citus-home")
        try:
            url = self.citus.up()
            self.citus_url = url
        except CitusUnavailable as exc:
            say(f"citus: skipped, {exc}")
            return
        say(f"Citus up: coordinator on 127.0.0.1:{self.citus.coordinator.port}, 2 workers")
        n = a.players
        say(f"seeding the Citus wallet: {n} players (open_account + auto-approved deposits), each call forwarded")
        t0 = time.monotonic()
        with psycopg.connect(url, autocommit=True) as conn:
            cur = conn.cursor()
            cur.executemany("SELECT payments.open_account(%s, 'KRW', 'bench')", [(f"p{i}",) for i in range(1, n + 1)])
            for bucket, short in (("SPORTS_NORMAL", "s"), ("CASINO_NORMAL", "c")):
                cur.executemany(
                    f"SELECT payments.deposit_create(%s, %s, {PLAYERS_SEED_BALANCE}, '{bucket}', true, 'bench')",
                    [(f"seed-{short}-{i}", f"p{i}") for i in range(1, n + 1)],
                )
            conn.execute("VACUUM ANALYZE")
        say(f"seeded in {time.monotonic() - t0:.1f} s")
        coordinator = self.citus.coordinator
        self.pgbench(
            "warmup", "citus authorize", script="authorize.sql", duration=a.warmup, record=False, cluster=coordinator
        )
        single = {r.name: r for r in self.results if r.section == "sql"}
        for name, script, k in (
            ("bet authorize", "authorize.sql", 1),
            ("bet authorize + settle", "authorize_settle.sql", 2),
        ):
            r = self.pgbench(
                "citus",
                f"{name} via the coordinator",
                script=script,
                clients=8,
                duration=a.duration,
                cmds_per_txn=k,
                cluster=coordinator,
                note="coordinator + 2 workers on this machine",
            )
            one = single.get(name)
            if r.per_s and one and one.per_s:
                r.ratio = r.per_s / one.per_s
                r.ratio_to = "single node"

    def _ratio(self, r: Result) -> None:
        if r.per_s and self.tpcb_ref:
            r.ratio = r.per_s / self.tpcb_ref
            r.ratio_to = "tpcb-like"

    # -- HTTP ---------------------------------------------------------------------------------
    def create_api_key(self) -> str:
        with self.su() as conn:
            conn.execute("SET ROLE wallet_dba")  # ops.* is the DBA's (ADR 0004)
            return conn.execute("SELECT ops.api_key_create('bench', ARRAY['game'])").fetchone()[0]

    def start_server(self, kind: str) -> tuple[subprocess.Popen, int]:
        port = _free_port()
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.update(
            RUBY_WALLET_API_DATABASE_URL=self.cluster.api_url(),
            RUBY_WALLET_POOL_MIN=str(self.args.pool),
            RUBY_WALLET_POOL_MAX=str(self.args.pool),
        )
        w = str(self.args.workers)
        if kind == "serve" or kind.startswith("serve-"):
            # As a user starts it: DATABASE_URL, nothing else (serve-N: and --workers N;
            # serve-poolP: and --pool-max P).
            env.pop("RUBY_WALLET_POOL_MIN")
            env.pop("RUBY_WALLET_POOL_MAX")
            env.update(DATABASE_URL=self.cluster.url(), RUBY_WALLET_API_DATABASE_URL=self.cluster.api_url())
            cmd = [str(VENV_BIN / "ruby-wallet"), "serve", "--host", "127.0.0.1", "--port", str(port)]
            if kind.startswith("serve-pool"):
                cmd += ["--pool-max", kind.removeprefix("serve-pool")]
            elif kind != "serve":
                cmd += ["--workers", kind.removeprefix("serve-")]
        elif kind == "uvicorn":
            cmd = [
                str(VENV_BIN / "uvicorn"),
                "ruby_wallet.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                w,
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ]
        else:
            cmd = [
                str(VENV_BIN / "granian"),
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                w,
                "--loop",
                "uvloop",
                "--no-access-log",
                "--log-level",
                "warning",
                "ruby_wallet.asgi:app",
            ]
        log = open(self.work / f"{kind}.log", "a")  # every start of one kind in one file (--out: logs/)
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.work, start_new_session=True
        )
        self.servers.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} exited: {(self.work / f'{kind}.log').read_text()[-2000:]}")
            try:
                # /healthz, not /readyz: readyz compares the database's code digest with the
                # checkout's, which the what-if phase (and a colleague editing procedures/) changes.
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return proc, port
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{kind} did not become ready: {(self.work / f'{kind}.log').read_text()[-2000:]}")

    def stop_server(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        if proc in self.servers:
            self.servers.remove(proc)

    def smoke(self, port: int) -> str | None:
        body = json.dumps(
            {
                "bet_id": f"smoke-{self.next_tag()}",
                "player_id": "p1",
                "provider_type": "SPORTS",
                "provider_id": "bench",
                "stake": 1,
                "odds": "2.0",
            }
        ).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/bets",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return None if r.status == 201 else f"HTTP {r.status}"
        except urllib.error.HTTPError as exc:
            return f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except OSError as exc:
            return str(exc)

    def wrk(self, port: int, mode: str, duration: int, record: bool, kind: str) -> Result | None:
        a = self.args
        tag = self.next_tag()
        env = dict(
            os.environ, BENCH_KEY=self.api_key, BENCH_PLAYERS=str(a.players), BENCH_TAG=str(tag), BENCH_MODE=mode
        )
        cmd = [
            "wrk",
            "-t",
            str(a.wrk_threads),
            "-c",
            str(a.http_clients),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH / "wrk_bets.lua"),
            f"http://127.0.0.1:{port}",
        ]
        busy = self.wait_quiet() if record else None
        load = loadavg()
        cpu0 = children_cpu()
        t0 = time.monotonic()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.monotonic() - t0
        cpu = children_cpu() - cpu0
        d = wrk_result(proc)
        if d is None or not record:
            return None
        errors = wrk_errors(d)
        per_s = d["requests"] / (d["duration_us"] / 1e6)
        name = ("POST /v1/bets" if mode == "authorize" else "POST /v1/bets + /settle (mixed)") + f" [{kind}]"
        res = Result(
            "http",
            name,
            a.http_clients,
            per_s=per_s,
            unit="req/s",
            avg_ms=d["mean_us"] / 1000,
            p50_ms=d["p50_us"] / 1000,
            p99_ms=d["p99_us"] / 1000,
            errors=errors,
            load1=load,
            busy_before=busy,
            client_cpu=100.0 * cpu / wall / (os.cpu_count() or 1),
            note=f"{d['ok_authorize']} authorized, {d['ok_settle']} settled",
            extra=d,
        )
        script = "authorize.sql" if mode == "authorize" else "authorize_settle.sql"
        ref = self.ref_16.get(script)
        if ref:
            res.ratio = per_s / ref
            res.ratio_to = f"same commands, pgbench @{a.http_clients}"
        if self.tpcb_ref:
            res.note += f"; {per_s / self.tpcb_ref:.2f}x tpcb-like"
        ref_p99 = self.ref_16_p99.get(script)
        if ref_p99:
            unit = "command" if mode == "authorize" else "authorize+settle pair"
            res.note += f"; p99 {res.p99_ms / ref_p99:.2f}x the SQL reference's ({ref_p99:.2f} ms per {unit})"
        if proc.stderr.strip():
            res.note += "; " + proc.stderr.strip().splitlines()[0][:160]
        self.results.append(res)
        say(f"http / {name}: {per_s:.0f} req/s, p50 {res.p50_ms:.2f} ms, p99 {res.p99_ms:.2f} ms, errors {errors}")
        return res

    def http_phase(self) -> None:
        a = self.args
        if not shutil.which("wrk"):
            say("wrk missing: apt-get install -y wrk")
            subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True)
        if not shutil.which("wrk"):
            say("wrk unavailable: HTTP phase skipped")
            self.results.append(Result("http", "HTTP phase skipped: wrk not installed", "-"))
            return
        self.api_key = self.create_api_key()
        # For each workload the SQL reference (pgbench, same commands, same client count) runs
        # right before the HTTP runs, so a ratio never compares runs far apart in time.  One
        # server at a time: each keeps a pool per database role, and four side by side would
        # take more connections than max_connections.
        kinds = []
        for kind in a.servers:
            if not (VENV_BIN / ("ruby-wallet" if kind.startswith("serve") else kind)).exists():
                say(f"{kind} not installed in {VENV_BIN}: skipped (pip install -r bench/requirements.txt)")
                self.results.append(Result("http", f"{kind}: not installed, skipped", "-"))
            else:
                kinds.append(kind)
        for mode, name, script, k in (
            ("authorize", "bet authorize", "authorize.sql", 1),
            ("mixed", "bet authorize + settle", "authorize_settle.sql", 2),
        ):
            r = self.pgbench(
                "http",
                f"{name} (pgbench: the SQL reference)",
                script=script,
                clients=a.http_clients,
                duration=a.http_duration,
                cmds_per_txn=k,
                note="reference for the next HTTP rows",
            )
            self._ratio(r)
            self.ref_16[script] = r.per_s or 0
            if r.p99_ms:
                self.ref_16_p99[script] = r.p99_ms
            for kind in kinds:
                proc, port = self.start_server(kind)
                try:
                    problem = self.smoke(port)
                    if problem:
                        say(f"{kind}: POST /v1/bets smoke call failed: {problem}")
                        self.results.append(Result("http", f"{kind}: POST /v1/bets failed ({problem[:80]})", "-"))
                        continue
                    self.wrk(port, mode, a.warmup, record=False, kind=kind)
                    self.wrk(port, mode, a.http_duration, record=True, kind=kind)
                finally:
                    self.stop_server(proc)

    # -- batch settlement ---------------------------------------------------------------------
    def batch_phase(self) -> None:
        """POST /v1/bets/settlements (issue 12): 8 connections sending batches of --batch-size
        settlements of bets authorized beforehand, next to single settles of the same kind of
        bets (one per request), and single bets (POST /v1/bets on random players, 2 connections)
        alone and during the batches.  The batches in flight never share a player (bench/wrk_batch.lua)."""
        a = self.args
        if not shutil.which("wrk"):
            self.results.append(Result("batch", "batch phase skipped: wrk not installed", "-"))
            return
        kind = next(
            (k for k in a.servers if (VENV_BIN / ("ruby-wallet" if k.startswith("serve") else k)).exists()), None
        )
        if kind is None:
            self.results.append(Result("batch", "batch phase skipped: no server installed", "-"))
            return
        if self.tpcb_ref is None:
            tpcb = self.pgbench(
                "batch",
                "pgbench tpcb-like (scale 10)",
                builtin="tpcb-like",
                clients=8,
                duration=a.duration,
                user="postgres",
            )
            tpcb.unit = "txn/s"
            self.tpcb_ref = tpcb.per_s
        if not self.api_key:
            with self.su() as conn:  # as the superuser: ops.api_key_create is wallet_dba's (ADR 0004)
                self.api_key = conn.execute("SELECT ops.api_key_create('bench-batch', ARRAY['game'])").fetchone()[0]
        half = a.players // 2

        def authorize(count: int) -> str:
            """bb<tag>-<thread>-1..count for wrk threads 1 and 2 (odd and even players: the two
            sessions never lock the same account)."""
            tag = str(self.next_tag())

            def work(thread: int) -> None:
                with self.su() as conn:
                    conn.execute(f"""
DO $b$
BEGIN
    FOR i IN 1..{count} LOOP
        PERFORM game.bet_authorize('bb{tag}-{thread}-' || i, 'p' || ({thread} + 2 * ((i - 1) % {half})),
                                   'SPORTS', 'bench', 1 + i % 1000, 2.0, NULL, 'bench');
    END LOOP;
END
$b$""")

            threads = [threading.Thread(target=work, args=(t,)) for t in (1, 2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return tag

        def wrk(script: str, env: dict[str, str], connections: int, threads: int, duration: int) -> dict | None:
            cmd = [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--timeout",
                "30s",
                "-s",
                str(BENCH / script),
                f"http://127.0.0.1:{port}",
            ]
            proc = subprocess.run(
                cmd, env=dict(os.environ, BENCH_KEY=self.api_key, **env), capture_output=True, text=True
            )
            d = wrk_result(proc)
            return None if d is None else d | {"stderr": proc.stderr.strip()}

        def probe(duration: int) -> dict | None:
            env = {"BENCH_PLAYERS": str(a.players), "BENCH_TAG": str(self.next_tag()), "BENCH_MODE": "authorize"}
            return wrk("wrk_bets.lua", env, 2, 1, duration)

        size, d = a.batch_size, a.http_duration
        # Enough bets for each run at up to --batch-rate settlements/s (what is left over stays open).
        batch_bets = max(size * 20, a.batch_rate * (d + 1) // 2)
        say(f"batch: authorizing bets for the runs ({2 * batch_bets:,} for the batches, fewer for the rest)")
        warm_tag, batch_tag = authorize(max(size * 8, batch_bets // 4)), authorize(batch_bets)
        # The single route did 675-850 settlements/s on 2 cores (2026-12-02); bets for up to a
        # third of --batch-rate, so the row measures the route, not the supply (it ran out at 853/s).
        single_tag = authorize(max(1000, a.batch_rate // 3 * (d + 1) // 2))
        with self.su() as conn:
            # Every table the bets wrote, and a checkpoint: the 2026-12-02 runs found the machine
            # 35-38% busy before the batch runs (autovacuum and the checkpoint after 100k+ bets)
            # and measured the batch on a machine their own setup kept busy.
            for table in ("wallet.bet", "wallet.ledger_txn", "wallet.outbox", "wallet.bucket"):
                conn.execute(f"VACUUM ANALYZE {table}")
            conn.execute("CHECKPOINT")
        proc, port = self.start_server(kind)
        try:
            base = {"BENCH_HALF": str(half), "BENCH_SIZE": str(size)}
            wrk("wrk_batch.lua", base | {"BENCH_TAG": warm_tag, "BENCH_MODE": "batch"}, 8, 2, a.warmup)
            self.wait_quiet()
            alone = probe(d)
            busy = self.wait_quiet()
            load = loadavg()
            during: dict = {}
            prober = threading.Thread(target=lambda: during.update(probe(d) or {}))
            prober.start()
            cpu0 = role_cpu(proc.pid)
            batch = wrk("wrk_batch.lua", base | {"BENCH_TAG": batch_tag, "BENCH_MODE": "batch"}, 8, 2, d)
            cpu1 = role_cpu(proc.pid)
            prober.join()
            cpu1b = role_cpu(proc.pid)
            single = wrk("wrk_batch.lua", base | {"BENCH_TAG": single_tag, "BENCH_MODE": "single"}, 8, 2, d)
            cpu2 = role_cpu(proc.pid)
        finally:
            self.stop_server(proc)
        if batch:
            per_s = batch["settled"] / (batch["duration_us"] / 1e6)
            errors = wrk_errors(batch)
            row = Result(
                "batch",
                f"POST /v1/bets/settlements, {size} items per request [{kind}]",
                8,
                per_s=per_s,
                unit="settlements/s",
                avg_ms=batch["mean_us"] / 1000,
                p50_ms=batch["p50_us"] / 1000,
                p99_ms=batch["p99_us"] / 1000,
                errors=errors + batch["refused"],
                load1=load,
                busy_before=busy,
                note=f"{batch['settled']:,} settled in {batch['requests']:,} requests; p50/p99 per request = per item "
                f"(an item is answered with its batch); {batch['refused']} items refused; during the batches 2 more "
                f"connections sent single bets (their CPU is in the split); {cpu_split(cpu0, cpu1, batch['settled'])}",
                extra=batch,
            )
            self._ratio(row)
            self.results.append(row)
            say(f"batch / {row.name}: {per_s:,.0f} settlements/s, p99 {row.p99_ms:.1f} ms")
        if single:
            per_s = single["settled"] / (single["duration_us"] / 1e6)
            row = Result(
                "batch",
                f"POST /v1/bets/{{id}}/settle, one per request [{kind}]",
                8,
                per_s=per_s,
                unit="settlements/s",
                avg_ms=single["mean_us"] / 1000,
                p50_ms=single["p50_us"] / 1000,
                p99_ms=single["p99_us"] / 1000,
                errors=wrk_errors(single),
                note="the single settle beside the batch row (same kind of bets); "
                f"{cpu_split(cpu1b, cpu2, single['settled'])}",
                extra=single,
            )
            self._ratio(row)
            self.results.append(row)
        for name, r in (("alone", alone), ("during the batches", during)):
            if not r:
                continue
            res = Result(
                "batch",
                f"POST /v1/bets (single bets, random players) {name} [{kind}]",
                2,
                per_s=r["requests"] / (r["duration_us"] / 1e6),
                unit="req/s",
                avg_ms=r["mean_us"] / 1000,
                p50_ms=r["p50_us"] / 1000,
                p99_ms=r["p99_us"] / 1000,
                errors=wrk_errors(r),
                extra=r,
            )
            if name != "alone" and alone and alone["p99_us"]:
                res.ratio = r["p99_us"] / alone["p99_us"]
                res.ratio_to = "p99 of single bets alone (goal < 2)"
            self.results.append(res)

    # -- history ------------------------------------------------------------------------------
    @staticmethod
    def growth_sql(prefix: str, player_expr: str, pairs: int) -> str:
        """One transaction of `pairs` real bet_authorize + bet_settle calls (WIN 2x or LOSS)."""
        return f"""
DO $g$
DECLARE
    v_p text; v_b text; v_stake bigint; v_win boolean;
BEGIN
    FOR i IN 1..{pairs} LOOP
        v_p := {player_expr};
        v_b := '{prefix}-' || i;
        v_stake := 1 + floor(random() * 1000)::bigint;
        v_win := random() < 0.5;
        PERFORM game.bet_authorize(v_b, v_p, 'SPORTS', 'bench', v_stake, 2.0, NULL, 'bench');
        PERFORM game.bet_settle(v_b, v_p, v_b || '-st', CASE WHEN v_win THEN 'WIN' ELSE 'LOSS' END,
                                  CASE WHEN v_win THEN 2 * v_stake ELSE 0 END, 'bench');
    END LOOP;
END
$g$"""

    def grow_history(self, target: int) -> float:
        a = self.args
        sessions = 2
        per = a.players // sessions
        batch = a.history_batch
        entries = self.entries()
        say(
            f"growing the ledger from {entries:,} to {target:,} entries (authorize+settle pairs; {sessions} sessions "
            "on random players, 1 on the whale)"
        )
        t0 = time.monotonic()
        rnd = 0
        while entries < target:
            rnd += 1
            errors: list[BaseException] = []

            def work(s: int, rnd: int = rnd, errors: list[BaseException] = errors) -> None:
                try:
                    with self.su() as conn:
                        if s == sessions:  # the whale's own session: one account, so one session
                            conn.execute(self.growth_sql(f"gw{rnd}", "'whale'", batch))
                        else:
                            conn.execute(
                                self.growth_sql(
                                    f"g{rnd}-{s}",
                                    f"'p' || ({s} + 1 + {sessions} * floor(random() * {per})::int)",
                                    batch,
                                )
                            )
                except BaseException as exc:  # noqa: BLE001
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(s,)) for s in range(sessions + 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if errors:
                raise errors[0]
            entries = self.entries()
            if rnd % 10 == 0:
                say(f"  {entries:,} entries after {time.monotonic() - t0:.0f} s")
        took = time.monotonic() - t0
        say(f"ledger at {entries:,} entries after {took:.0f} s")
        return took

    # -- profile ------------------------------------------------------------------------------
    def profile_phase(self) -> None:
        a = self.args
        with self.su() as conn:
            conn.execute("ALTER SYSTEM SET pg_stat_statements.track = 'all'")
            conn.execute("ALTER SYSTEM SET track_functions = 'all'")
            conn.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = on")
            conn.execute("SELECT pg_reload_conf()")
        time.sleep(1)

        # bet authorize
        self._reset_stats()
        r = self.pgbench(
            "profile",
            "bet authorize (track = all)",
            script="authorize.sql",
            clients=8,
            duration=a.profile_duration,
            note="pg_stat_statements.track = all, track_functions = all",
        )
        self._ratio(r)
        time.sleep(1.5)
        self._dump_stats("bet_authorize")

        # bet settle alone: bets authorized beforehand (not measured), then settled one per transaction
        k = a.settle_k
        clients = 8
        tag = self.next_tag()
        say(f"authorizing {clients * k:,} bets to settle in the settle profile")

        # One session, one transaction per client: two sessions would lock overlapping players
        # in different orders and deadlock.
        with self.su() as conn:
            for c in range(clients):
                conn.execute(f"""
DO $p$
BEGIN
    FOR n IN 1..{k} LOOP
        PERFORM game.bet_authorize('ps{tag}-{c}-' || n, 'p' || (1 + (n * {clients} + {c}) % {a.players}),
                                     'SPORTS', 'bench', 1 + n % 1000, 2.0, NULL, 'bench');
    END LOOP;
END
$p$""")
        self._reset_stats()
        r = self.pgbench(
            "profile",
            "bet settle alone (track = all)",
            script="settle.sql",
            clients=clients,
            transactions=k,
            defines={"k": k, "tag": tag, "clients": clients},
            note="bets authorized beforehand; pg_stat_statements.track = all",
        )
        self._ratio(r)
        time.sleep(1.5)
        self._dump_stats("bet_settle")
        self.explain()

    def _reset_stats(self) -> None:
        with self.su() as conn:
            conn.execute("SELECT pg_stat_statements_reset()")
            conn.execute("SELECT pg_stat_reset()")

    def _dump_stats(self, label: str) -> None:
        out = self.profile_text
        with self.su() as conn:
            rows = conn.execute(
                """SELECT toplevel, calls, total_exec_time, mean_exec_time, rows,
                          regexp_replace(query, '\\s+', ' ', 'g'), plans, total_plan_time
                     FROM pg_stat_statements
                    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                    ORDER BY total_exec_time DESC"""
            ).fetchall()
            funcs = conn.execute(
                """SELECT schemaname || '.' || funcname, calls, total_time, self_time
                     FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 15"""
            ).fetchall()
        top = [r for r in rows if r[0] and label in r[5]]
        nested = [r for r in rows if not r[0]]
        nested_total = sum(r[2] for r in nested) or 1.0
        out.append(f"\n### {label}: pg_stat_statements\n")
        for r in top:
            out.append(f"top level: {r[1]:,} calls, mean {r[3]:.3f} ms, total {r[2]:,.0f} ms: {r[5][:150]}")
        calls_top = sum(r[1] for r in top) or 1
        out.append(
            f"nested statements: {len(nested)} distinct, {nested_total:,.0f} ms in all "
            f"({nested_total / calls_top:.3f} ms per top-level call)\n"
        )
        plan_total = sum(r[7] for r in nested)
        out.append(
            f"planning of nested statements (track_planning): {plan_total:,.0f} ms in all "
            f"({plan_total / calls_top:.3f} ms per top-level call, {sum(r[6] for r in nested) / calls_top:.1f} plans "
            "per call): planned on every call are the bodies of LANGUAGE sql functions that are not inlined, and "
            "PL/pgSQL statements whose cached plan stays a custom plan\n"
        )
        # A statement planned on most of its calls is a cost no profile row shows as exec time
        # (wallet._auto_complete's read was one, 0.2-0.3 ms a settle): named on the console too.
        for r in nested:
            if r[1] >= 100 and r[6] >= r[1] / 2:
                line = f"re-planned on {r[6]:,} of {r[1]:,} calls ({r[7] / r[6]:.3f} ms a plan): {r[5][:120]}"
                out.append(line + "\n")
                say(f"profile {label}: {line}")
        out.append(
            "| # | share of nested exec time | calls per command | mean exec ms | plans per command | plan ms per command | statement |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for i, r in enumerate(nested[: self.args.profile_top], 1):
            q = r[5].replace("|", "\\|")
            out.append(
                f"| {i} | {100 * r[2] / nested_total:.1f}% | {r[1] / calls_top:.2f} | {r[3]:.4f} | "
                f"{r[6] / calls_top:.2f} | {r[7] / calls_top:.4f} | `{q[:170]}` |"
            )
        out.append(f"\n### {label}: pg_stat_user_functions (track_functions = all), by self time\n")
        out.append("| function | calls per command | self ms per command | total ms per command |")
        out.append("|---|---|---|---|")
        for name, calls, total, self_ in funcs:
            out.append(f"| {name} | {calls / calls_top:.2f} | {self_ / calls_top:.4f} | {total / calls_top:.4f} |")

    def explain(self) -> None:
        """auto_explain (log_analyze, nested statements) of one authorize and one settle, for an
        ordinary player and for the hot player (who holds every open bet of the hot run)."""
        log = self.cluster.log
        out = self.profile_text
        cases = [("p7", "ordinary player p7"), ("hot", "hot player (many open bets)")]
        for player, label in cases:
            start = log.stat().st_size
            bet = f"explain-{self.next_tag()}-{player}"
            with self.su() as conn:
                conn.execute("LOAD 'auto_explain'")
                for s in (
                    "auto_explain.log_min_duration = 0",
                    "auto_explain.log_analyze = on",
                    "auto_explain.log_nested_statements = on",
                    "auto_explain.log_buffers = on",
                    "auto_explain.log_timing = on",
                ):
                    conn.execute(f"SET {s}")
                t0 = time.perf_counter()
                conn.execute(
                    "SELECT game.bet_authorize(%s, %s, 'SPORTS', 'bench', 100, 2.0, NULL, 'bench')", (bet, player)
                )
                t1 = time.perf_counter()
                conn.execute("SELECT game.bet_settle(%s, %s, %s, 'WIN', 200, 'bench')", (bet, player, bet + "-st"))
                t2 = time.perf_counter()
            time.sleep(0.5)
            with open(log, errors="replace") as f:
                f.seek(start)
                text = f.read()
            (self.work / f"auto_explain_{player}.log").write_text(text)
            if self.args.out:
                Path(self.args.out).mkdir(parents=True, exist_ok=True)
                shutil.copy(
                    self.work / f"auto_explain_{player}.log", Path(self.args.out) / f"auto_explain_{player}.log"
                )
            plans = _parse_auto_explain(text)
            out.append(
                f"\n### auto_explain, {label}: authorize {1000 * (t1 - t0):.2f} ms, settle {1000 * (t2 - t1):.2f} ms "
                f"(wall, one call each, with EXPLAIN ANALYZE overhead)\n"
            )
            out.append("| duration ms | top plan node | seq scan? | statement |")
            out.append("|---|---|---|---|")
            for p in sorted(plans, key=lambda p: -p["ms"])[:12]:
                q = p["query"].replace("|", "\\|")
                out.append(f"| {p['ms']:.3f} | {p['node'][:60]} | {'yes' if p['seq'] else ''} | `{q[:130]}` |")

    # -- run ----------------------------------------------------------------------------------
    def run(self) -> None:
        a = self.args
        self.info.update(
            started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=_machine(),
            load_start=loadavg(),
            code=_code_version(),
        )
        self.setup()
        if not a.skip_sql:
            self.sql_phase()
        if not a.skip_http:
            self.http_phase()
        if not a.skip_batch:
            self.batch_phase()
        if a.history_rows > 0:
            self.info["grow_seconds"] = self.grow_history(a.history_rows)
            self.history_phase()
        if not a.skip_profile:
            self.profile_phase()
        if a.citus:
            self.citus_phase()
        self.info["load_end"] = loadavg()
        self.reconcile()

    def reconcile(self) -> None:
        """ops.reconcile() on every wallet database the run wrote (issue 11: reconciliation runs
        clean after every benchmark): a row per database; any discrepancy fails the run."""
        targets = [(db, self.cluster.url(db)) for db in (DATABASE, SMALL_DB)]
        if self.citus_url:
            targets.append(("citus coordinator", self.citus_url))
        for name, url in targets:
            t0 = time.monotonic()
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET ROLE wallet_dba")
                rows = conn.execute("SELECT check_name, player_id, subject FROM ops.reconcile()").fetchall()
            seconds = time.monotonic() - t0
            verdict = "clean" if not rows else f"{len(rows)} discrepancies, first: {rows[0]}"
            say(f"reconciliation of {name}: {verdict} ({seconds:.1f} s)")
            self.results.append(
                Result("reconcile", f"ops.reconcile() on {name} after the run", "-", errors=len(rows), note=verdict)
            )
            if rows:
                self.reconcile_failed = True

    def cleanup(self) -> None:
        for proc in list(self.servers):
            try:
                self.stop_server(proc)
            except Exception as exc:  # noqa: BLE001
                say(f"stopping a server: {exc}")
        try:
            if self.cluster.initialized():
                self.cluster.stop()
        except Exception as exc:  # noqa: BLE001
            say(f"stopping PostgreSQL: {exc}")
        if self.citus is not None:
            try:
                self.citus.stop()
            except Exception as exc:  # noqa: BLE001
                say(f"stopping Citus: {exc}")
        self.keep_logs()
        if self.args.keep:
            say(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def keep_logs(self) -> None:
        """With --out: the API servers' logs and the end of PostgreSQL's (logs/), which go with
        the temp folder otherwise: a stalled row is explained by them (2026-12-02 lost a 30 s
        stall's cause that way)."""
        if not self.args.out:
            return
        folder = Path(self.args.out) / "logs"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for log in sorted(self.work.glob("*.log")):
                if not log.name.startswith("auto_explain_"):
                    shutil.copyfile(log, folder / log.name)
            if self.cluster.log.exists():
                with self.cluster.log.open("rb") as f:
                    f.seek(max(0, self.cluster.log.stat().st_size - PG_LOG_KEPT))
                    (folder / "postgresql.log").write_bytes(f.read())
        except OSError as exc:
            say(f"keeping the logs: {exc}")

    # -- report -------------------------------------------------------------------------------
    def report(self) -> str:
        a = self.args
        lines = []
        lines.append(f"# Ruby Wallet benchmarks, {self.info.get('started')}")
        lines.append("")
        lines.append(
            f"machine: {self.info.get('machine')}; load average at start {self.info.get('load_start')}, "
            f"at end {self.info.get('load_end')}"
        )
        lines.append(f"code: {self.info.get('code')} (procedures/ as migrated at the start of the run)")
        lines.append(
            f"PostgreSQL {self.info.get('server_version')}, throwaway cluster, pgbench -M {a.protocol} "
            f"-j {a.jobs}, over TCP 127.0.0.1"
        )
        lines.append("settings changed from PostgreSQL's defaults (pg_settings, source not default):")
        for name, setting, same, source in self.info.get("settings", []):
            lines.append(f"  {name} = {setting}  ({source}{same})")
        lines.append(
            "  (profile phase only: pg_stat_statements.track = all, pg_stat_statements.track_planning = on, track_functions = all)"
        )
        if self.info.get("rolling_after_sql"):
            avg_n, max_n = self.info["rolling_after_sql"]
            lines.append(f"active rolling obligations per player after the SQL runs: avg {avg_n}, max {max_n}")
        if self.info.get("grow_seconds"):
            lines.append(f"history growth took {self.info['grow_seconds']:.0f} s")
        lines.append("key settings: " + ", ".join(f"{n}={v}" for n, v in self.info.get("key_settings", [])))
        lines.append(
            f"options: players={a.players}, duration={a.duration}s, http_duration={a.http_duration}s, "
            f"warmup={a.warmup}s, http clients={a.http_clients}, workers={a.workers}, pool={a.pool}/worker, "
            f"wrk threads={a.wrk_threads}, latency txns={a.latency_txns}, history target={a.history_rows:,}"
        )
        lines.append("")
        header = "| section | benchmark | clients | rate | ratio | avg ms | p50 ms | p99 ms | errors | busy before | load1 | client CPU | notes |"
        lines.append(header)
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in self.results:
            rate = f"{r.per_s:,.0f} {r.unit}" if r.per_s else "-"
            ratio = f"{r.ratio:.2f}x {r.ratio_to}" if r.ratio else ""
            lines.append(
                f"| {r.section} | {r.name} | {r.clients} | {rate} | {ratio} | {_fmt(r.avg_ms)} | {_fmt(r.p50_ms)} | "
                f"{_fmt(r.p99_ms)} | {'' if r.errors is None else r.errors} | {'' if r.busy_before is None else f'{r.busy_before:.0f}%'} | {_fmt(r.load1, 2)} | "
                f"{'' if r.client_cpu is None else f'{r.client_cpu:.0f}%'} | {r.note} |"
            )
        # per-statement latencies of the two-command script
        for r in self.results:
            if r.extra.get("statement_ms") and r.extra.get("cmds_per_txn", 1) > 1:
                parts = ", ".join(f"{ms:.3f} ms {stmt}" for ms, stmt in r.extra["statement_ms"])
                lines.append(f"\nper command ({r.section} / {r.name} @{r.clients}, pgbench -r): {parts}")
        if self.profile_text:
            lines.append("\n## Profile")
            lines.extend(self.profile_text)
        return "\n".join(lines) + "\n"


def _fmt(v: float | None, digits: int = 2) -> str:
    return "" if v is None else f"{v:.{digits}f}"


def _float(pattern: str, text: str) -> float | None:
    m = re.search(pattern, text, re.M)
    return float(m.group(1)) if m else None


def _statement_latencies(out: str) -> list[tuple[float, str]]:
    found = []
    section = out.split("statement latencies in milliseconds", 1)
    if len(section) < 2:
        return found
    for line in section[1].splitlines()[1:]:
        m = re.match(r"\s+([0-9.]+)\s+(?:\d+\s+)?(SELECT|UPDATE|INSERT|BEGIN|END)\b(.*)", line)
        if m and m.group(2) == "SELECT":
            name = re.search(r"\b(?:wallet|game|payments|player|promotion)\.(\w+)", m.group(3))
            found.append((float(m.group(1)), name.group(1) if name else m.group(2)))
    return found


def _parse_auto_explain(text: str) -> list[dict]:
    plans = []
    for chunk in re.split(r"\n(?=\S.*LOG:\s+duration: )", text):
        m = re.search(r"LOG:\s+duration: ([0-9.]+) ms\s+plan:\s*\n\s*Query Text: (.*?)\n(.*)", chunk, re.S)
        if not m:
            continue
        body = m.group(3)
        node_line = next((ln.strip() for ln in body.splitlines() if "(cost=" in ln or "(actual" in ln), "")
        query = re.sub(r"\s+", " ", m.group(2)).strip()
        plans.append(
            {"ms": float(m.group(1)), "query": query, "node": node_line.split("  (")[0], "seq": "Seq Scan" in body}
        )
    return plans


def _code_version() -> str:
    """The commit measured, and whether the SQL the run migrates differs from it (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "procedures", "migrations", "sql"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" + uncommitted changes in procedures/, migrations/ or sql/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({model}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run", description="Ruby Wallet benchmarks (see docs/benchmarks.md)")
    p.add_argument("--quick", action="store_true", help="short runs (about 5 minutes): 5 s per run, 150k-entry history")
    p.add_argument("--duration", type=int, help="seconds per pgbench run (default 20, quick 5)")
    p.add_argument("--http-duration", type=int, help="seconds per wrk run (default 15, quick 5)")
    p.add_argument("--warmup", type=int, help="warm-up seconds before measured runs (default 5, quick 2)")
    p.add_argument("--players", type=int, default=2000, help="seeded players p1..pN (default 2000)")
    p.add_argument(
        "--history-rows", type=int, help="ledger entries to grow to (default 1,100,000, quick 150,000; 0 skips)"
    )
    p.add_argument("--history-batch", type=int, default=2000, help="authorize+settle pairs per growth transaction")
    p.add_argument("--latency-txns", type=int, help="bet authorizes in each history run (default 3000, quick 1000)")
    p.add_argument(
        "--history-rounds", type=int, default=3, help="alternated small/big rounds in the history phase (default 3)"
    )
    p.add_argument("--http-clients", type=int, default=16, help="wrk connections (default 16)")
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=2, help="API worker processes (default 2)")
    p.add_argument("--pool", type=int, default=8, help="database connections per API worker (default 8)")
    p.add_argument(
        "--servers",
        default="serve,serve-1,uvicorn,granian",
        help="comma-separated: serve (`ruby-wallet serve` with no options, as a user starts it), serve-N "
        "(the same with --workers N), serve-poolP (the same with --pool-max P), uvicorn and granian "
        "(--workers N, uvloop; uvicorn with httptools)",
    )
    p.add_argument(
        "--protocol",
        default="prepared",
        choices=["simple", "extended", "prepared"],
        help="pgbench -M for every run (default prepared; the API's psycopg prepares too)",
    )
    p.add_argument("--jobs", type=int, default=2, help="pgbench -j (threads), default 2")
    p.add_argument("--profile-duration", type=int, help="seconds of the authorize profile run (default 15, quick 5)")
    p.add_argument("--settle-k", type=int, help="bets per client in the settle profile (default 2500, quick 600)")
    p.add_argument("--profile-top", type=int, default=15, help="nested statements listed per command")
    p.add_argument(
        "--wait-quiet",
        type=int,
        help="before each measured run wait up to this many seconds for the "
        "machine to be idle (default 30, quick 10; 0: never wait)",
    )
    p.add_argument("--quiet-below", type=float, default=15.0, help="CPU busy %% that counts as idle (default 15)")
    p.add_argument("--skip-sql", action="store_true")
    p.add_argument("--skip-http", action="store_true")
    p.add_argument("--skip-profile", action="store_true")
    p.add_argument("--skip-batch", action="store_true", help="skip POST /v1/bets/settlements (the batch scenario)")
    p.add_argument("--batch-size", type=int, default=100, help="settlements per batch request (default 100)")
    p.add_argument(
        "--batch-rate",
        type=int,
        default=12000,
        help="settlements/s to authorize bets for in the batch scenario (default 12000; too low and the run runs "
        "out, refusing the items past the supply: 4000 did at 3,492/s, 6000 at 7,093/s, both on 2026-12-02)",
    )
    p.add_argument(
        "--citus",
        action="store_true",
        help="also bet authorize and authorize+settle through a throwaway Citus cluster (coordinator and 2 "
        "workers on this machine; needs Citus: ./dev citus up builds it), next to the single-node figures",
    )
    p.add_argument("--out", help="also write the report (report.md, results.json, auto_explain logs) to this folder")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (the cluster is stopped anyway)")
    a = p.parse_args(argv)
    q = a.quick
    a.duration = a.duration or (5 if q else 20)
    a.http_duration = a.http_duration or (5 if q else 15)
    a.warmup = a.warmup if a.warmup is not None else (2 if q else 5)
    a.history_rows = a.history_rows if a.history_rows is not None else (150_000 if q else 1_100_000)
    a.latency_txns = a.latency_txns or (1000 if q else 3000)
    a.profile_duration = a.profile_duration or (5 if q else 15)
    a.settle_k = a.settle_k or (600 if q else 2500)
    a.wait_quiet = a.wait_quiet if a.wait_quiet is not None else (10 if q else 30)
    a.servers = [s.strip() for s in a.servers.split(",") if s.strip()]
    return a


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    bench = Bench(args)
    code = 0
    try:
        bench.run()
        if bench.reconcile_failed:
            say("reconciliation found discrepancies: the run fails")
            code = 1
    except KeyboardInterrupt:
        say("interrupted: cleaning up")
        code = 130
    except Exception:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        bench.cleanup()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    text = bench.report()
    print(text)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.md").write_text(text)
        (out / "results.json").write_text(
            json.dumps(
                {
                    "info": bench.info,
                    "args": {k: v for k, v in vars(args).items()},
                    "results": [r.__dict__ for r in bench.results],
                },
                indent=2,
                default=str,
            )
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
