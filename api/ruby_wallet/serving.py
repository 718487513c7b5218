"""The outermost layer of every HTTP request, around Litestar's own handling (routing, CORS,
exception handlers), so it sees every answer, a 404 or 405 included:

- request id: `X-Request-ID` from the caller when it is 1-128 printable ASCII characters,
  else a new one; echoed on the answer and put on every log record of the request
  (ruby_wallet.logs);
- `HEAD` is answered as the `GET` of the same path without its body (RFC 9110 §9.3.2), so a
  monitor's `curl -I` works on every readable route;
- metrics: count and latency by route template and status, and each command's outcome by
  error code (ruby_wallet.metrics);
- the access log: one record per request on the `ruby_wallet.access` logger (off unless that
  logger is enabled: `ruby-wallet serve --access-log`, on by default with `--log-format json`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

from ruby_wallet import metrics
from ruby_wallet.errors import error_codes
from ruby_wallet.logs import request_id_var

access_log = logging.getLogger("ruby_wallet.access")

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[!-~]{1,128}$")
_PROBLEM = b"application/problem+json"


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _VALID_REQUEST_ID.match(value):
                return value.decode("ascii")
            break
    return _new_request_id()


def _new_request_id() -> str:
    """A random version-4 UUID as 32 hex digits (what uuid.uuid4().hex gives, without building a
    UUID object every request)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return raw.hex()


class ServingMiddleware:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        request_id = _request_id(scope.get("headers") or [])
        token = request_id_var.set(request_id)
        head = method == "HEAD"
        if head:
            # A copy: the server keeps its own scope, whose method says how to frame the answer
            # (uvicorn's httptools protocol sends no body for a HEAD by reading it).
            scope = {**scope, "method": "GET"}
        status = 500
        problem_chunks: list[bytes] | None = None

        async def send_wrapper(message: Any) -> None:
            nonlocal status, problem_chunks
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers") or [])
                for name, value in headers:
                    if name.lower() == b"content-type" and value.startswith(_PROBLEM):
                        problem_chunks = []
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                if problem_chunks is not None:
                    problem_chunks.append(message.get("body", b""))
                if head and message.get("body"):
                    message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            handler = scope.get("route_handler")
            route = metrics.route_label(scope.get("path_template") if handler is not None else None)
            code = _problem_code(problem_chunks)
            command = None
            if handler is not None and scope["method"] not in ("GET", "OPTIONS") and route.startswith("/v1/"):
                command = handler.handler_name
            metrics.observe_request(metrics.method_label(method), route, status, seconds, command, code)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "%s %s %s %.1fms",
                    method,
                    scope.get("path", ""),
                    status,
                    seconds * 1000,
                    extra={
                        "http": {
                            "method": method,
                            "path": scope.get("path", ""),
                            "route": route,
                            "status": status,
                            "duration_ms": round(seconds * 1000, 3),
                            "code": code,
                        }
                    },
                )
            request_id_var.reset(token)


def _problem_code(chunks: list[bytes] | None) -> str | None:
    if not chunks:
        return None
    try:
        code = json.loads(b"".join(chunks)).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) and code in error_codes() else None  # a closed set: it becomes a label
