"""`ruby-wallet`: migrate, distribute, serve, relay, worker, apikey, check, demo.

Every command uses DATABASE_URL when it is set.  Without it, the private local cluster of
ruby_wallet.localdb is used: started if it is not running (and, for one-shot commands, stopped
again afterwards), migrated by `serve` and `migrate`.
"""

from __future__ import annotations

import argparse
import logging.config
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import psycopg


def data_home() -> Path:
    return Path(os.environ.get("RUBY_WALLET_HOME", ".ruby-wallet"))


@contextmanager
def database(*, prepare_api_login: bool = False) -> Iterator[tuple[str, str]]:
    """(owner URL, API URL) of DATABASE_URL, or of the local cluster (stopped after if started here)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url, os.environ.get("RUBY_WALLET_API_DATABASE_URL", url)
        return
    from ruby_wallet.localdb import LocalCluster

    cluster = LocalCluster(data_home())
    owner_url = cluster.ensure_running()
    if cluster.started_here:
        print(
            f"ruby-wallet: local PostgreSQL started on 127.0.0.1:{cluster.port} (data in {cluster.root})",
            file=sys.stderr,
        )
    try:
        if prepare_api_login:
            _migrate(owner_url)
            cluster.grant_api_login()
        yield owner_url, cluster.api_url()
    finally:
        if cluster.started_here:
            cluster.stop()
            print("ruby-wallet: local PostgreSQL stopped", file=sys.stderr)


def scalar(conn: psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> Any:
    """The one value of a statement that always returns one row."""
    row = conn.execute(query, params).fetchone()
    assert row is not None, f"no row from {query}"
    return row[0]


def _migrate(url: str, force: bool = False) -> None:
    from ruby_wallet.migrate import migrate

    for line in migrate(url, force=force).lines():
        print(f"ruby-wallet migrate: {line}", file=sys.stderr)


def cmd_migrate(args: argparse.Namespace) -> int:
    if os.environ.get("DATABASE_URL"):
        _migrate(os.environ["DATABASE_URL"], args.force)
    else:
        with database(prepare_api_login=True):
            pass
    return 0


class Stopped(Exception):
    """SIGTERM or SIGINT asked `serve` to stop (raised once the server has shut down)."""


class StopSignals:
    """SIGTERM (systemd, Docker, Kubernetes) and SIGINT (Ctrl-C) both end `serve` through the same
    path, so the private PostgreSQL it started is stopped in either case.

    uvicorn handles both signals itself while it serves, then restores these handlers and raises
    the signal again (single worker); with `--workers N` its supervisor keeps the signals and
    returns.  Either way control comes back here.  A signal that arrives while the cluster is
    starting or migrating is held until the server is about to start, so a half-started
    cluster is never left behind."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.received: int | None = None
        self.armed = False
        for sig in self.SIGNALS:
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        self.received = signum
        if self.armed:
            raise Stopped(signum)

    def arm(self) -> None:
        self.armed = True
        if self.received is not None:
            raise Stopped(self.received)


@contextmanager
def metrics_folder(workers: int) -> Iterator[None]:
    """Prometheus multiprocess mode for `--workers N` (ruby_wallet.metrics): a fresh folder set
    in PROMETHEUS_MULTIPROC_DIR before any worker starts, removed afterwards.  A folder the
    environment already names is used as it is (its owner empties it between runs)."""
    if workers <= 1 or os.environ.get(MULTIPROC_ENV):
        yield
        return
    folder = tempfile.mkdtemp(prefix="ruby-wallet-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client when it is first imported


def _cors_origins(value: str | None) -> list[str]:
    return [o.strip() for o in (value or "").split(",") if o.strip()]


def cmd_distribute(args: argparse.Namespace) -> int:
    from ruby_wallet import distribute

    if args.print:
        print("\n".join(distribute.statements()))
        return 0
    url = os.environ.get("DATABASE_URL")
    if not url:
        print(
            "ruby-wallet distribute: set DATABASE_URL to the Citus coordinator (after ruby-wallet migrate there); "
            "the local PostgreSQL has no Citus (./dev citus up starts a local Citus cluster)",
            file=sys.stderr,
        )
        return 2
    try:
        report = distribute.distribute(url)
    except (distribute.PlacementConflict, psycopg.Error) as exc:
        print(f"ruby-wallet distribute: {exc}", file=sys.stderr)
        return 1
    for line in report.executed:
        print(line)
    for line in report.lines():
        print(f"ruby-wallet distribute: {line}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    stop = StopSignals()
    try:
        return _serve(args, stop)
    except Stopped:
        return 0


# How `serve` runs uvicorn, chosen by measurement (docs/benchmarks.md, "Serving"): uvloop's event
# loop (less Python CPU per request than asyncio's), and httptools for HTTP/1.1 parsing, with h11
# for a connection whose request has a method httptools would refuse (ruby_wallet.http_protocol).
SERVER_LOOP: Final = "uvloop"
SERVER_HTTP: Final = "ruby_wallet.http_protocol:WalletHttpProtocol"


def default_workers() -> int:
    """`serve`'s worker count when --workers is not given, chosen by measurement on a 2-CPU
    machine (docs/benchmarks.md, "Serving"): two workers served 19-31% more requests than one,
    with PostgreSQL on the same CPUs.  Not more by default: each worker keeps a pool per database
    role, and where more CPUs would pay is for the operator to measure (`bench/run --servers`)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2, cpus)


def _serve(args: argparse.Namespace, stop: StopSignals) -> int:
    import uvicorn

    from ruby_wallet import logs

    log_config = logs.config(
        args.log_format,
        args.log_level,
        access_log=args.access_log or (args.access_log is None and args.log_format == "json"),
    )
    cors = _cors_origins(
        args.cors_origins if args.cors_origins is not None else os.environ.get("RUBY_WALLET_CORS_ORIGINS")
    )
    with (
        database(prepare_api_login=not os.environ.get("DATABASE_URL")) as (_, api_url),
        metrics_folder(args.workers),
    ):
        print(
            f"ruby-wallet: serving on http://{args.host}:{args.port}  (API keys: ruby-wallet apikey create NAME "
            "--scopes game,payments,promotion,player,admin,casino)",
            file=sys.stderr,
        )
        stop.arm()
        if args.workers > 1:
            # Worker processes import ruby_wallet.asgi, which reads its settings from the environment.
            os.environ.update(
                RUBY_WALLET_API_DATABASE_URL=api_url,
                RUBY_WALLET_POOL_MIN=str(args.pool_min),
                RUBY_WALLET_POOL_MAX=str(args.pool_max),
                RUBY_WALLET_CORS_ORIGINS=",".join(cors),
            )
            uvicorn.run(
                "ruby_wallet.asgi:app",
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level=args.log_level,
                log_config=log_config,
                access_log=False,
                loop=SERVER_LOOP,
                http=SERVER_HTTP,
            )
        else:
            from ruby_wallet.app import create_app

            app = create_app(api_url, pool_min=args.pool_min, pool_max=args.pool_max, cors_origins=cors)
            uvicorn.run(
                app,
                host=args.host,
                port=args.port,
                log_level=args.log_level,
                log_config=log_config,
                access_log=False,
                loop=SERVER_LOOP,
                http=SERVER_HTTP,
            )
    return 0


def cmd_relay(args: argparse.Namespace) -> int:
    import asyncio

    from ruby_wallet import logs, relay

    secret = os.environ.get(relay.SECRET_ENV, "")
    if not secret:
        print(f"ruby-wallet relay: set {relay.SECRET_ENV} (the webhook's signing secret)", file=sys.stderr)
        return 2
    if not args.webhook.startswith(("http://", "https://")):
        print("ruby-wallet relay: --webhook must be an http:// or https:// URL", file=sys.stderr)
        return 2
    logging.config.dictConfig(logs.config(args.log_format, args.log_level))
    settings = relay.Settings(
        webhook=args.webhook,
        secret=secret,
        relay_id=args.relay_id or relay.default_relay_id(),
        batch=args.batch,
        lease_seconds=args.lease_seconds,
        poll_interval=args.poll_interval,
        concurrency=args.concurrency,
        retry=relay.RetryPolicy(max_attempts=args.max_attempts, max_delay=args.max_backoff),
        once=args.once,
    )
    if args.lease_seconds < relay.TIMEOUT_SECONDS + 10:
        print(f"ruby-wallet relay: --lease-seconds must be at least {relay.TIMEOUT_SECONDS + 10:g}", file=sys.stderr)
        return 2
    with database() as (url, _):
        try:
            return asyncio.run(relay.run(settings, url))
        except psycopg.OperationalError as exc:
            # Lost the database: exit non-zero for the supervisor (systemd, Kubernetes) to restart.
            print(f"ruby-wallet relay: database unavailable: {exc}", file=sys.stderr)
            return 1


def cmd_worker(args: argparse.Namespace) -> int:
    import asyncio

    from ruby_wallet import logs, worker

    logging.config.dictConfig(logs.config(args.log_format, args.log_level))
    with database() as (url, _):
        try:
            return asyncio.run(worker.main(url, once=args.once))
        except psycopg.OperationalError as exc:
            print(f"ruby-wallet worker: database unavailable: {exc}", file=sys.stderr)
            return 1


def cmd_apikey(args: argparse.Namespace) -> int:
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()] if args.scopes else []
    with database() as (url, _), psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE wallet_dba")
        try:
            if args.action == "create":
                key = scalar(conn, "SELECT ops.api_key_create(%s, %s)", (args.name, scopes))
                print(key)
            else:
                if not scalar(conn, "SELECT ops.api_key_revoke(%s)", (args.name,)):
                    print(f"ruby-wallet: no active API key named {args.name}", file=sys.stderr)
                    return 1
                print(f"revoked {args.name}")
        except psycopg.Error as exc:
            print(f"ruby-wallet: {exc.diag.message_primary}", file=sys.stderr)
            return 1
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with database() as (url, _), psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE wallet_dba")
        source, params = ("ops.reconcile_player(%s)", (args.player,)) if args.player else ("ops.reconcile()", ())
        rows = conn.execute(f"SELECT check_name, player_id, subject, expected, actual FROM {source}", params).fetchall()
    if not rows:
        scope = f"player {args.player}: " if args.player else ""
        print(f"reconciliation clean: {scope}every bucket equals its ledger, every transaction sums to zero")
        return 0
    print(f"reconciliation found {len(rows)} discrepancies:")
    for check, player, subject, expected, actual in rows:
        print(f"  {check}: player {player} {subject}: ledger says {expected}, stored {actual}")
    return 1


def cmd_demo(args: argparse.Namespace) -> int:
    from ruby_wallet import demo

    try:
        if args.url:
            key = args.key or os.environ.get("RUBY_WALLET_API_KEY")
            if not key:
                print(
                    "ruby-wallet demo --url needs --key (or RUBY_WALLET_API_KEY) with scopes " + demo.SCOPES,
                    file=sys.stderr,
                )
                return 2
            print(demo.render(demo.run(args.url.rstrip("/"), key)))
        else:
            print(demo.run_local())
    except demo.DemoFailed as exc:
        print(f"ruby-wallet demo: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ruby-wallet", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply migrations and (re)apply procedures, views and grants")
    p.add_argument("--force", action="store_true", help="re-apply procedures and SQL even if unchanged")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "distribute", help="place a migrated wallet on a Citus cluster (DATABASE_URL: the coordinator); idempotent"
    )
    p.add_argument("--print", action="store_true", help="print the statements instead of running them")
    p.set_defaults(func=cmd_distribute)

    p = sub.add_parser("serve", help="serve the HTTP API (local PostgreSQL when DATABASE_URL is unset)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--pool-min",
        type=int,
        default=0,
        help="connections each database role's pool keeps open (it opens more on demand)",
    )
    p.add_argument("--pool-max", type=int, default=8, help="connections at most per database role's pool")
    p.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes, each with its own pools (default: 2, or 1 on a machine with one CPU)",
    )
    p.add_argument("--log-level", default="info")
    p.add_argument("--log-format", choices=["text", "json"], default="text", help="json: one JSON object per line")
    p.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="one log record per request (default: on with --log-format json, else off)",
    )
    p.add_argument(
        "--cors-origins",
        metavar="ORIGINS",
        help="comma-separated browser origins allowed by CORS (default RUBY_WALLET_CORS_ORIGINS; none: CORS off)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("relay", help="deliver the outbox to a webhook, at least once, signed, in order per account")
    p.add_argument("--webhook", required=True, metavar="URL", help="the consumer's URL; one POST per event")
    p.add_argument("--relay-id", help="this relay's name in leases (default host:pid)")
    p.add_argument("--batch", type=int, default=100, help="accounts' head events claimed at once")
    p.add_argument("--concurrency", type=int, default=16, help="POSTs in flight at once (distinct accounts)")
    p.add_argument("--lease-seconds", type=int, default=60, help="a claimed event is another relay's after this")
    p.add_argument("--poll-interval", type=float, default=1.0, help="seconds between polls when nothing is due")
    p.add_argument("--max-attempts", type=int, default=12, help="tries before an event is parked")
    p.add_argument("--max-backoff", type=float, default=300.0, help="longest wait between two tries, seconds")
    p.add_argument(
        "--once", action="store_true", help="deliver until no event waits (each acknowledged or parked), then exit"
    )
    p.add_argument("--log-format", choices=["text", "json"], default="text")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_relay)

    p = sub.add_parser("worker", help="run the housekeeping jobs (coupon expiry, pruning) on their schedule")
    p.add_argument("--once", action="store_true", help="run every job once; exit 1 when a job failed")
    p.add_argument("--log-format", choices=["text", "json"], default="text")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("apikey", help="create or revoke API keys")
    p.add_argument("action", choices=["create", "revoke"])
    p.add_argument("name")
    p.add_argument("--scopes", help="comma-separated: game,payments,promotion,player,admin,events,casino")
    p.set_defaults(func=cmd_apikey)

    p = sub.add_parser("demo", help="run the sports, casino, coupon, cashback and rollback flows over HTTP")
    p.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000 (default: start a local one)")
    p.add_argument(
        "--key", help="API key with scopes game,payments,promotion,player,admin,casino (or RUBY_WALLET_API_KEY)"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check", help="reconcile balances with the ledger; exit 1 listing discrepancies")
    p.add_argument("--player", metavar="PLAYER_ID", help="only this player's account (reads only its rows)")
    p.set_defaults(func=cmd_check)

    args = parser.parse_args(argv)
    if args.command == "apikey" and args.action == "create" and not args.scopes:
        parser.error("apikey create needs --scopes")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
