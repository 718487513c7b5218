"""The outbox as an ordered feed (scope events or admin): poll with `after` = the last `next`."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import QueryParameter

from ruby_wallet import responses as R
from ruby_wallet.routes._common import answers, call, scopes


@get(
    "/v1/events",
    opt=scopes("events", "admin"),
    tags=["events"],
    responses=answers(200, R.EventsPage, "The events after `after`, and the next cursor"),
    summary="Events after a delivery id, in delivery order; `next` is the cursor for the next poll",
)
async def events_read(
    request: Request,
    after: Annotated[int, QueryParameter(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> Response:
    return await call(request, "events_read", after=after, limit=limit)


ROUTES = [events_read]
