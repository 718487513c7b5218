"""The ASGI application for process managers and multi-worker servers:
`uvicorn --workers 4 ruby_wallet.asgi:app`, `granian --interface asgi ruby_wallet.asgi:app`.

It reads RUBY_WALLET_API_DATABASE_URL (or DATABASE_URL), the pool bounds
RUBY_WALLET_POOL_MIN / RUBY_WALLET_POOL_MAX and RUBY_WALLET_CORS_ORIGINS (comma-separated;
unset: CORS off); `ruby-wallet serve --workers N` sets them.  With several worker processes, set
PROMETHEUS_MULTIPROC_DIR to an empty folder before they start (`serve` does) so /metrics adds
up every worker's numbers.
"""

from __future__ import annotations

import os

from ruby_wallet.app import create_app


def _database_url() -> str:
    url = os.environ.get("RUBY_WALLET_API_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set RUBY_WALLET_API_DATABASE_URL (or DATABASE_URL) for ruby_wallet.asgi:app")
    return url


app = create_app(
    _database_url(),
    pool_min=int(os.environ.get("RUBY_WALLET_POOL_MIN", "0")),
    pool_max=int(os.environ.get("RUBY_WALLET_POOL_MAX", "8")),
    cors_origins=[o.strip() for o in os.environ.get("RUBY_WALLET_CORS_ORIGINS", "").split(",") if o.strip()],
)
