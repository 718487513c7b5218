"""The one table of error codes (sql/error_codes.tsv), and the wallet's problem responses.

The SQL raises SQLSTATE RWnnn with a JSON DETAIL; the API looks the SQLSTATE up here and
answers RFC 9457 `application/problem+json` with the stable `code`, the HTTP status of the
table, and the DETAIL's fields (`errors`, `available`, `blockers`, …) merged in.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ruby_wallet import paths


@dataclass(frozen=True)
class ErrorCode:
    code: str
    sqlstate: str | None
    http_status: int
    title: str
    description: str


@cache
def error_codes() -> dict[str, ErrorCode]:
    with paths.error_codes_file().open(newline="") as f:
        return {
            r["code"]: ErrorCode(r["code"], r["sqlstate"] or None, int(r["http_status"]), r["title"], r["description"])
            for r in csv.DictReader(f, delimiter="\t")
        }


@cache
def by_sqlstate() -> dict[str, ErrorCode]:
    return {e.sqlstate: e for e in error_codes().values() if e.sqlstate}


class WalletError(Exception):
    """A refusal with a stable code; becomes a problem response."""

    def __init__(self, code: str, detail: str | None = None, extra: dict[str, Any] | None = None):
        self.error = error_codes()[code]
        self.detail = detail or self.error.title
        self.extra = extra or {}
        super().__init__(f"{code}: {self.detail}")

    @property
    def status(self) -> int:
        return self.error.http_status

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:ruby-wallet:error:{self.error.code}",
            "title": self.error.title,
            "status": self.error.http_status,
            "detail": self.detail,
            "code": self.error.code,
        }
        if instance:
            body["instance"] = instance
        for key, value in self.extra.items():
            body.setdefault(key, value)
        return body


def invalid(errors: list[dict[str, str]]) -> WalletError:
    """VALIDATION_FAILED listing every problem."""
    summary = "; ".join(f"{e['path']}: {e['message']}" for e in errors[:5])
    return WalletError("VALIDATION_FAILED", f"request is invalid: {summary}", {"errors": errors})


# The constraints that are the last line of defence behind a command's own checks.
_BACKSTOPS = {
    "bucket_balance_non_negative": ("INSUFFICIENT_FUNDS", "a bucket would go below zero"),
    "bucket_balance_ceiling": ("BALANCE_LIMIT_EXCEEDED", "a bucket would go past 10^17"),
    "ledger_txn_entries_sum_to_zero": ("LEDGER_UNBALANCED", "a ledger transaction did not sum to zero"),
    "ledger_txn_entries_shape": ("LEDGER_UNBALANCED", "a ledger transaction's entries were malformed"),
}


# A check violation's message names its constraint: `new row for relation "bucket_102008"
# violates check constraint "bucket_balance_non_negative"`.  On Citus an error a worker raised
# reaches the client through the coordinator with its SQLSTATE, message, detail, hint and
# context only — the constraint-name field is empty (docs/scaling.md C27) — so the name is read
# from the message when the field has none.
_CHECK_MESSAGE = re.compile(r'violates check constraint "([^"]+)"')


def _constraint_of(message: str | None) -> str | None:
    found = _CHECK_MESSAGE.search(message or "")
    return found.group(1) if found else None


def from_database(
    sqlstate: str | None, message: str | None, detail: str | None, constraint: str | None = None
) -> WalletError | None:
    """The WalletError for a database error, or None when it is not one the wallet raises."""
    if sqlstate in by_sqlstate():
        extra: dict[str, Any] = {}
        if detail:
            try:
                parsed = json.loads(detail)
                if isinstance(parsed, dict):
                    extra = parsed
            except ValueError:
                extra = {}
        return WalletError(by_sqlstate()[sqlstate].code, message, extra)
    if sqlstate == "23514" and not constraint:
        constraint = _constraint_of(message)
    if sqlstate == "23514" and constraint in _BACKSTOPS:
        # Backstops only: commands check first and raise their own codes.
        code, detail = _BACKSTOPS[constraint]
        return WalletError(code, detail)
    if sqlstate and sqlstate.startswith("22"):
        # Data exceptions (out of range, bad format) that got past request validation.
        return invalid([{"path": "", "message": message or "invalid value"}])
    return None
