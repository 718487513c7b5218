"""`ruby-wallet`: migrate, serve, apikey, check, demo.

Every command uses DATABASE_URL when it is set.  Without it, the private local cluster of
ruby_wallet.localdb is used: started if it is not running (and, for one-shot commands, stopped
again afterwards), migrated by `serve` and `migrate`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ruby_wallet.app import create_app

    with database(prepare_api_login=not os.environ.get("DATABASE_URL")) as (_, api_url):
        print(
            f"ruby-wallet: serving on http://{args.host}:{args.port}  (API keys: ruby-wallet apikey create NAME "
            "--scopes game,payments,promotion,player,admin,casino)",
            file=sys.stderr,
        )
        if args.workers > 1:
            # Worker processes import ruby_wallet.asgi, which reads its settings from the environment.
            os.environ.update(
                RUBY_WALLET_API_DATABASE_URL=api_url,
                RUBY_WALLET_POOL_MIN=str(args.pool_min),
                RUBY_WALLET_POOL_MAX=str(args.pool_max),
            )
            uvicorn.run(
                "ruby_wallet.asgi:app",
                host=args.host,
                port=args.port,
                workers=args.workers,
                log_level=args.log_level,
                access_log=False,
            )
        else:
            app = create_app(api_url, pool_min=args.pool_min, pool_max=args.pool_max)
            uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


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
    p.add_argument("--workers", type=int, default=1, help="worker processes (each with its own pool)")
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)

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
