"""The outbox as an ordered feed (scope events or admin): poll with `after` = the last `next`."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.params import QueryParameter

from ruby_wallet.routes._common import answers, call, scopes
from ruby_wallet.routes._fields import Instant

# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class Event(msgspec.Struct, kw_only=True):
    id: Annotated[int, msgspec.Meta(description="the delivery id: the feed's order and cursor")]
    event_id: int
    type: Annotated[str, msgspec.Meta(description="e.g. bet.settled, deposit.approved, topology.activated")]
    player_id: Annotated[str | None, msgspec.Meta(description="null for events of no account (configuration)")]
    payload: dict[str, Any]
    created_at: Instant


class EventsPage(msgspec.Struct, kw_only=True):
    events: Annotated[list[Event], msgspec.Meta(description="in delivery order")]
    next: Annotated[
        int, msgspec.Meta(description="the `after` of the next poll: the last id here, or `after` when empty")
    ]


@get(
    "/v1/events",
    opt=scopes("events", "admin"),
    tags=["events"],
    responses=answers(200, EventsPage, "The events after `after`, and the next cursor"),
    summary="Events after a delivery id, in delivery order; `next` is the cursor for the next poll",
)
async def events_read(
    request: Request,
    after: Annotated[int, QueryParameter(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> Response:
    return await call(request, "events_read", after=after, limit=limit)


ROUTES = [events_read]
