"""Serving probes."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.enums import MediaType

from ruby_wallet import paths
from ruby_wallet.errors import WalletError


@get("/healthz", tags=["serving"], summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", tags=["serving"], summary="The database is reachable and runs this version's schema")
async def readyz(request: Request) -> Response:
    try:
        digest = await request.app.state.db.call("schema_digest")
    except Exception as exc:  # unreachable, or not migrated at all (no wallet schema, no function)
        raise WalletError("SERVICE_UNAVAILABLE", f"database not ready: {exc}") from None
    if digest != paths.code_digest():
        raise WalletError(
            "SERVICE_UNAVAILABLE", "the database is not migrated to this version (run `ruby-wallet migrate`)"
        )
    return Response(content={"status": "ready"}, media_type=MediaType.JSON)
