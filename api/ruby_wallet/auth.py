"""API keys: `Authorization: Bearer rw_<id>_<secret>`, checked by api.api_key_authenticate.

Checked before every wallet route (ruby_wallet.app): no or unknown key → 401 UNAUTHORIZED, key without one of the
route's scopes (handler opt "scopes") → 403 FORBIDDEN.  Valid keys are remembered for
CACHE_SECONDS so a command costs one database round trip; a revoked key stops working within
that time.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from ruby_wallet.errors import WalletError

CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Principal:
    name: str
    scopes: frozenset[str]


class KeyCache:
    def __init__(self) -> None:
        self._known: dict[bytes, tuple[float, Principal]] = {}

    async def principal(self, db, key: str) -> Principal | None:
        digest = hashlib.sha256(key.encode()).digest()
        hit = self._known.get(digest)
        now = time.monotonic()
        if hit and hit[0] > now:
            return hit[1]
        rows = await db.fetch("api_key_authenticate", {"key": key})
        if not rows:
            self._known.pop(digest, None)
            return None
        principal = Principal(rows[0][0], frozenset(rows[0][1]))
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[digest] = (now + CACHE_SECONDS, principal)
        return principal


async def require_scope(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    needed: frozenset[str] | None = handler.opt.get("scopes")
    if needed is None:
        # Litestar's generated OPTIONS handler (it answers Allow, and nothing else) has no
        # scopes: open, like a CORS preflight must be.  Any other handler without scopes is a
        # wiring mistake, refused rather than left open.
        if connection.scope.get("method") == "OPTIONS":
            return
        raise WalletError("FORBIDDEN", "this route declares no scope")
    header = connection.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise WalletError("UNAUTHORIZED", "send the API key as `Authorization: Bearer <key>`")
    state = connection.app.state
    principal = await state.key_cache.principal(state.db, key.strip())
    if principal is None:
        raise WalletError("UNAUTHORIZED", "unknown or revoked API key")
    if not principal.scopes & needed:
        raise WalletError("FORBIDDEN", f"this route needs an API key with scope {' or '.join(sorted(needed))}")
    connection.state.principal = principal
