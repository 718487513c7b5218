"""Logging of `ruby-wallet serve` (and the relay and worker): plain text, or one JSON object
per line (`--log-format json`) for a log pipeline.

Every record carries the id of the request it belongs to (`request_id`, from the contextvar
ruby_wallet.serving sets), so the lines of one request can be found together and matched to
the caller's `X-Request-ID`.  JSON lines hold: `ts` (UTC, RFC 3339 with milliseconds), `level`,
`logger`, `message`, `request_id` when there is one, `http` on access records (method, path,
route template, status, duration_ms, error code) and `exc` with the traceback of an error.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("ruby_wallet_request_id", default=None)

FORMATS = ("text", "json")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on the record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        http = getattr(record, "http", None)
        if http is not None:
            entry["http"] = http
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{text} [request_id={request_id}]" if request_id else text


def config(fmt: str = "text", level: str = "info", access_log: bool = False) -> dict[str, Any]:
    """A logging.config.dictConfig for uvicorn's `log_config` (applied in every worker process)
    or for logging.config.dictConfig directly."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    level = level.upper()
    formatter = "ruby_wallet.logs.JsonFormatter" if fmt == "json" else "ruby_wallet.logs.TextFormatter"
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "default",
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "ruby_wallet.logs.RequestIdFilter"}},
        "formatters": {"default": {"()": formatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's own loggers: through our handler only (no second copy of each line).
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "ruby_wallet.access": {"level": "INFO" if access_log else "WARNING"},
        },
    }
