"""`GET /metrics`: Prometheus text format, no API key (SPEC §11; see ruby_wallet.metrics)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from litestar import Request, Response, get

from ruby_wallet import metrics

log = logging.getLogger("ruby_wallet.metrics")


async def _outbox_stats(request: Request) -> dict[str, Any] | None:
    try:
        text = await asyncio.wait_for(request.app.state.db.call("outbox_stats"), metrics.OUTBOX_TIMEOUT_SECONDS)
        stats = json.loads(text)
        return stats if isinstance(stats, dict) else None
    except Exception as exc:  # a scrape answers even when the database does not
        log.debug("outbox figures unavailable: %s", exc)
        return None


@get(
    "/metrics",
    tags=["serving"],
    summary="Prometheus metrics (text exposition format); no API key",
    include_in_schema=True,
    media_type=metrics.CONTENT_TYPE,
)
async def metrics_endpoint(request: Request) -> Response:
    body = metrics.render(await _outbox_stats(request))
    return Response(content=body, media_type=metrics.CONTENT_TYPE)
