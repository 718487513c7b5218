"""docs/errors.md, rendered from sql/error_codes.tsv (the one table of error codes)."""

from __future__ import annotations

from ruby_wallet.errors import error_codes

HEADER = """# Error codes

Generated from `sql/error_codes.tsv` by `scripts/gen-docs`; a test fails when this page and
the table differ. The SQL raises the SQLSTATE (`RAISE … USING ERRCODE`, via `wallet._fail`),
with a JSON `DETAIL`; the HTTP API answers `application/problem+json` (RFC 9457) with the
`code`, the status below, and the detail's fields (`errors`, `available`, `blockers`, …)
merged into the body. Codes without a SQLSTATE are raised by the HTTP layer only.

In psql: `SELECT * FROM wallet.error_code WHERE sqlstate = 'RW006';`

| code | SQLSTATE | HTTP | title | meaning |
|---|---|---|---|---|
"""


def render() -> str:
    rows = [
        f"| `{e.code}` | {e.sqlstate or '–'} | {e.http_status} | {e.title} | {e.description} |"
        for e in error_codes().values()
    ]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render(), end="")
