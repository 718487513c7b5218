"""The wallet's own routes for the casino adapter (API.md "Casino aggregators", docs/casino.md),
with the wallet's conventions (problem responses, scopes, 422 listing every problem); the
adapter itself is ruby_wallet.pam:

- POST /v1/game-sessions (scope player or admin): the operator opens a game session when a
  player launches a game and hands its token to Valkyrie's game launch; the token is shown once.
- GET /v1/admin/providers, PUT /v1/admin/providers/{provider} (scope admin, audited): which
  provider type an aggregator's provider name plays, and whether it is enabled.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, Response, get, post, put
from litestar.params import FromPath, JSONBody

from ruby_wallet.routes._common import Code, Reason, actor, answers, call, call_admin, scopes

ProviderName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="the aggregator's provider name, as Valkyrie sends it in `provider` (e.g. evolution)",
    ),
]
# A player Valkyrie can name: a wallet player id (printable, no "/") of at most 40 characters,
# the contract's PlayerId limit.
PlayerId = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=40,
        pattern=r"^[!-.0-~]+$",
        description="the player (a wallet player_id of at most 40 characters, Valkyrie's limit)",
    ),
]
Letters2 = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2}$")]
Instant = Annotated[str, msgspec.Meta(description="RFC 3339, with offset", extra_json_schema={"format": "date-time"})]


class NewGameSession(msgspec.Struct, forbid_unknown_fields=True):
    player_id: PlayerId
    provider: ProviderName
    country: Annotated[Letters2, msgspec.Meta(description="ISO 3166-1 alpha-2 country code")]
    language: Annotated[Letters2, msgspec.Meta(description="ISO 639-1 language code")]
    game_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40, description="the provider's game id")] | None = (
        None
    )
    ttl_seconds: Annotated[int, msgspec.Meta(ge=60, le=86400, description="lifetime, 60 s to 1 day")] = 3600


class ProviderSetting(msgspec.Struct, forbid_unknown_fields=True):
    provider_type: Code
    reason: Reason
    enabled: bool = True


# --- answers (documentation of what the functions return) --------------------------------------


class GameSessionOpened(msgspec.Struct, kw_only=True):
    """The session opened; `token` is shown here once (the wallet keeps only its hash)."""

    token: Annotated[str, msgspec.Meta(min_length=40, max_length=40, description="X-Player-Token for Valkyrie")]
    session_id: int
    player_id: str
    provider: str
    provider_type: str
    game_id: str | None
    country: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
    language: Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2}$", description="stored in lower case")]
    currency: str
    expires_at: Instant


class ProviderLine(msgspec.Struct, kw_only=True):
    provider: str
    provider_type: str
    enabled: bool
    updated_at: Instant
    updated_by: str


class Providers(msgspec.Struct, kw_only=True):
    providers: list[ProviderLine]


# --- routes ------------------------------------------------------------------------------------


@post(
    "/v1/game-sessions",
    opt=scopes("player", "admin"),
    tags=["casino"],
    responses=answers(201, GameSessionOpened, "The session, with its token (shown once)"),
    summary="Open a player's game session for a casino provider (its token goes to Valkyrie's game launch)",
)
async def game_session_open(request: Request, data: JSONBody[NewGameSession]) -> Response:
    return await call(
        request,
        "game_session_open",
        201,
        player_id=data.player_id,
        provider=data.provider,
        game_id=data.game_id,
        country=data.country.upper(),
        language=data.language.lower(),
        ttl_seconds=data.ttl_seconds,
        actor=actor(request),
    )


@get(
    "/v1/admin/providers",
    opt=scopes("admin"),
    tags=["admin: casino"],
    responses=answers(200, Providers, "Every configured provider"),
    summary="The casino providers: provider name → provider type, enabled or not",
)
async def providers_list(request: Request) -> Response:
    return await call(request, "casino_providers")


@put(
    "/v1/admin/providers/{provider:str}",
    opt=scopes("admin"),
    tags=["admin: casino"],
    status_code=200,
    responses=answers(200, ProviderLine, "The provider as it is now"),
    summary="Configure a casino provider (create or change; audited)",
)
async def provider_set(request: Request, provider: FromPath[str], data: JSONBody[ProviderSetting]) -> Response:
    return await call_admin(
        request,
        "casino_provider_set",
        provider=provider,
        provider_type=data.provider_type,
        enabled=data.enabled,
        reason=data.reason,
    )


ROUTES = [game_session_open, providers_list, provider_set]
