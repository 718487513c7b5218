"""Admin actions on rolling obligations (scope admin), audited by the database: waive releases
as a completion would, cancel forfeits the bonus money the obligation covers (SPEC §5a)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Request, Response, post
from litestar.params import JSONBody, PathParameter

from ruby_wallet.routes._common import Reason, actor, answers, call, scopes
from ruby_wallet.routes._fields import Minor, RollingId

ADMIN = scopes("admin")
# bigint in the database: a larger number would not find the function at all.
PathRollingId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]


class Reasoned(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


# --- answers (the OpenAPI schema's success bodies; the database's JSON is answered as it is) ---


class RollingClosed(msgspec.Struct, kw_only=True):
    rolling_id: RollingId
    status: Literal["WAIVED", "CANCELLED"]
    progress: Minor
    released: Annotated[
        Minor,
        msgspec.Meta(
            description="money released (made withdrawable or converted), minor units; a repeat answers the first figure"
        ),
    ]
    forfeited: Annotated[
        Minor, msgspec.Meta(description="bonus money forfeited, minor units; a repeat answers the first figure")
    ]


@post(
    "/v1/admin/rolling/{rolling_id:int}/waive",
    opt=ADMIN,
    tags=["admin: rolling"],
    status_code=200,
    responses=answers(200, RollingClosed, "The obligation WAIVED, with the money released"),
    summary="Complete an obligation without progress (WAIVED), releasing its money as a completion does",
)
async def rolling_waive(request: Request, rolling_id: PathRollingId, data: JSONBody[Reasoned]) -> Response:
    return await call(request, "rolling_waive", rolling_id=rolling_id, reason=data.reason, actor=actor(request))


@post(
    "/v1/admin/rolling/{rolling_id:int}/cancel",
    opt=ADMIN,
    tags=["admin: rolling"],
    status_code=200,
    responses=answers(200, RollingClosed, "The obligation CANCELLED, with the bonus money forfeited"),
    summary="End an obligation (CANCELLED), forfeiting the bonus money it covers",
)
async def rolling_cancel(request: Request, rolling_id: PathRollingId, data: JSONBody[Reasoned]) -> Response:
    return await call(request, "rolling_cancel", rolling_id=rolling_id, reason=data.reason, actor=actor(request))


ROUTES = [rolling_waive, rolling_cancel]
