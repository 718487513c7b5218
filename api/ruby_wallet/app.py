"""The Litestar application: authentication, body decoding, one wallet call per route, and
the mapping of every failure to an RFC 9457 problem response with a stable code."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, Response, Router
from litestar.config.cors import CORSConfig
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
    SecurityScheme,
)

from ruby_wallet import __version__, http_limits, pam
from ruby_wallet.auth import KeyCache, require_scope
from ruby_wallet.db import Database
from ruby_wallet.errors import WalletError, error_codes, invalid
from ruby_wallet.metrics import PoolSampler
from ruby_wallet.routes import (
    accounts,
    admin,
    bets,
    casino,
    config,
    events,
    payments,
    promotions,
    rolling,
    system,
    transfers,
)
from ruby_wallet.routes.metrics import metrics_endpoint
from ruby_wallet.serving import ServingMiddleware
from ruby_wallet.validation import check_body

log = logging.getLogger("ruby_wallet.api")

PROBLEM_JSON = "application/problem+json"

WALLET_ROUTES = [
    accounts.open_account,
    accounts.balances,
    accounts.ledger,
    admin.adjust,
    admin.set_status,
    *config.ROUTES,
    *bets.ROUTES,
    *payments.ROUTES,
    *promotions.ROUTES,
    *transfers.ROUTES,
    *rolling.ROUTES,
    *events.ROUTES,
    *casino.ROUTES,
]


def problem_response(request: Request, error: WalletError) -> Response:
    return Response(content=error.problem(instance=request.url.path), status_code=error.status, media_type=PROBLEM_JSON)


def _wallet_error(request: Request, exc: WalletError) -> Response:
    return problem_response(request, exc)


def _validation_error(request: Request, exc: ValidationException) -> Response:
    problems = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            problems.append(
                {
                    "path": str(item.get("key") or item.get("source") or ""),
                    "message": str(item.get("message") or exc.detail),
                }
            )
    return problem_response(request, invalid(problems or [{"path": "", "message": str(exc.detail)}]))


_BY_STATUS = {
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: "SERVICE_UNAVAILABLE",
}


def _http_error(request: Request, exc: HTTPException) -> Response:
    code = _BY_STATUS.get(exc.status_code)
    if code is None and exc.status_code < 500:
        return problem_response(request, invalid([{"path": "", "message": str(exc.detail)}]))
    return problem_response(request, WalletError(code or "INTERNAL_ERROR", str(exc.detail)))


def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, WalletError("INTERNAL_ERROR", "an unexpected error occurred"))


async def _authorize_and_decode(request: Request) -> None:
    """Before every wallet route: the API key and its scope (ruby_wallet.auth), then the body.
    A hook rather than a Litestar guard: Litestar hands each guard a copy of the route handler,
    made on every request for nothing the check needs."""
    await require_scope(request, request.route_handler)
    await _decode_body(request)


async def _decode_body(request: Request) -> None:
    """Before every handler with a body: its content type (415), its size (413, Litestar's
    request_max_body_size while reading), its shape (422: depth, duplicate keys; see
    ruby_wallet.http_limits), then strict decoding that reports every problem (422)."""
    field = request.route_handler.parsed_data_field
    if field is not None:
        http_limits.check_content_type(request.headers.get("content-type"))
        raw = await request.body()
        http_limits.check_json_shape(raw)
        check_body(field.annotation, raw)


def cors_config(origins: list[str] | None) -> CORSConfig | None:
    """CORS for browser callers, off unless origins are given (`--cors-origins`,
    RUBY_WALLET_CORS_ORIGINS): preflights answered for those origins, the API key header allowed."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
        max_age=600,
    )


def create_app(
    database_url: str, *, pool_min: int = 0, pool_max: int = 8, cors_origins: list[str] | None = None
) -> Litestar:
    db = Database(database_url, min_size=pool_min, max_size=pool_max)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.open()
        try:
            async with PoolSampler(db.pools).running():
                yield
        finally:
            await db.close()

    exception_handlers: dict[Any, Any] = {
        WalletError: _wallet_error,
        ValidationException: _validation_error,
        NotAuthorizedException: _http_error,
        PermissionDeniedException: _http_error,
        NotFoundException: _http_error,
        MethodNotAllowedException: _http_error,
        HTTPException: _http_error,
        Exception: _unexpected,
    }
    wallet = Router(
        path="/", route_handlers=WALLET_ROUTES, before_request=_authorize_and_decode, security=[{"ApiKey": []}]
    )
    app = Litestar(
        route_handlers=[system.healthz, system.readyz, metrics_endpoint, wallet, pam.ROUTER],
        lifespan=[lifespan],
        before_request=_decode_body,
        request_max_body_size=http_limits.MAX_BODY_BYTES,
        cors_config=cors_config(cors_origins),
        plugins=[bets.BatchItemSchema()],
        exception_handlers=exception_handlers,
        openapi_config=OpenAPIConfig(
            title="Ruby Wallet",
            version=__version__,
            path="/schema",
            description="The single money writer of the platform. Errors are RFC 9457 problems with a stable `code`.",
            components=Components(
                security_schemes={
                    "ApiKey": SecurityScheme(
                        type="http", scheme="bearer", description="API key from `ruby-wallet apikey create`"
                    )
                }
            ),
        ),
    )
    app.state.db = db
    app.state.key_cache = KeyCache()
    app.state.batch_slots = bets.batch_slots(pool_max)
    _document_problems(app)
    bets.document_openapi(app.openapi_schema)
    # Outermost, around routing and CORS: request ids, HEAD, metrics, access log (ruby_wallet.serving).
    app.asgi_handler = ServingMiddleware(app.asgi_handler)
    return app


# The errors every wallet operation can answer, whatever it does: no or a bad key, a key without
# the route's scope, a request that fails validation, the database busy beyond the retries.
_COMMON_PROBLEMS = {
    "401": "UNAUTHORIZED: no API key, a malformed one, or an unknown or revoked one",
    "403": "FORBIDDEN: the key lacks the route's scope",
    "422": "VALIDATION_FAILED: the request is invalid; `errors` lists every problem (path, message)",
    "503": "SERVICE_UNAVAILABLE: the database was busy (serialization failure, deadlock) beyond the retries, or down",
}


def _document_problems(app: Litestar) -> None:
    """Makes the served OpenAPI schema say what the API answers on errors: RFC 9457 problems
    with a `code` from the error table (the `Problem` schema), instead of Litestar's default
    400 response, which this API never sends.  Bodies declared `NoFields | None` (approve,
    complete) become optional, as they are."""
    openapi = app.openapi_schema
    codes = error_codes()
    openapi.components.schemas["Problem"] = Schema(
        type=OpenAPIType.OBJECT,
        description="An RFC 9457 problem. Fields of the error's detail (`errors`, `available`, `requested`, "
        "`blockers`, …) are merged in; see docs/errors.md.",
        required=["type", "title", "status", "detail", "code"],
        additional_properties=True,
        properties={
            "type": Schema(type=OpenAPIType.STRING, description="urn:ruby-wallet:error:<code>"),
            "title": Schema(type=OpenAPIType.STRING),
            "status": Schema(type=OpenAPIType.INTEGER),
            "detail": Schema(type=OpenAPIType.STRING),
            "code": Schema(type=OpenAPIType.STRING, enum=list(codes)),
            "instance": Schema(type=OpenAPIType.STRING),
            "errors": Schema(
                type=OpenAPIType.ARRAY,
                items=Schema(
                    type=OpenAPIType.OBJECT,
                    required=["path", "message"],
                    properties={"path": Schema(type=OpenAPIType.STRING), "message": Schema(type=OpenAPIType.STRING)},
                ),
            ),
        },
    )

    def problem(description: str) -> OpenAPIResponse:
        return OpenAPIResponse(
            description=description,
            content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))},
        )

    for path, item in (openapi.paths or {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in (item.get, item.post, item.put, item.patch, item.delete):
            if operation is None:
                continue
            responses = operation.responses or {}
            responses.pop("400", None)
            for status, description in _COMMON_PROBLEMS.items():
                responses.setdefault(status, problem(description))
            responses["default"] = problem(
                "Any other refusal: a problem with its `code` and HTTP status from "
                "docs/errors.md (404 not found, 409 conflict or state, …)"
            )
            operation.responses = responses
            body = operation.request_body
            if (
                body is not None
                and not isinstance(body, Reference)
                and any(_accepts_null(media.schema) for media in (body.content or {}).values())
            ):
                body.required = False


def _accepts_null(schema: Schema | Reference | None) -> bool:
    """A body schema `X | None`: Litestar renders it as oneOf [X, {type: null}]."""
    if not isinstance(schema, Schema):
        return False
    return schema.type == OpenAPIType.NULL or any(
        isinstance(s, Schema) and s.type == OpenAPIType.NULL for s in (schema.one_of or schema.any_of or [])
    )
