"""The ASGI application for process managers and multi-worker servers:
`uvicorn --workers 4 ruby_wallet.asgi:app`, `granian --interface asgi ruby_wallet.asgi:app`.

It reads RUBY_WALLET_API_DATABASE_URL (or DATABASE_URL) and the pool bounds
RUBY_WALLET_POOL_MIN / RUBY_WALLET_POOL_MAX; `ruby-wallet serve --workers N` sets them.
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
)
