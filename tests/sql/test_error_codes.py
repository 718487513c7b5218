"""The one table of error codes: every code the SQL raises is in it, the API maps each of them,
and docs/errors.md lists exactly the table."""

import re
from pathlib import Path

from ruby_wallet import paths
from ruby_wallet.errors import by_sqlstate, error_codes
from ruby_wallet.errors_doc import render

ROOT = Path(__file__).resolve().parents[2]
SQL_SOURCES = [
    *sorted((ROOT / "procedures").rglob("*.sql")),
    *sorted((ROOT / "migrations").glob("*.sql")),
    *sorted((ROOT / "sql").glob("*.sql")),
]


def _sql_text() -> str:
    return "\n".join(p.read_text() for p in SQL_SOURCES)


def test_every_code_raised_by_name_is_in_the_table():
    raised = set(re.findall(r"_fail\(\s*'([A-Z_]+)'", _sql_text()))
    assert raised, "expected wallet._fail calls in procedures/"
    assert raised - set(error_codes()) == set()


def test_every_literal_sqlstate_raised_is_in_the_table():
    raised = set(re.findall(r"ERRCODE\s*=\s*'(RW\d{3})'", _sql_text()))
    assert raised - set(by_sqlstate()) == set()


def test_every_sql_code_maps_to_an_http_status():
    for error in error_codes().values():
        assert 400 <= error.http_status <= 599, error
        if error.sqlstate:
            assert by_sqlstate()[error.sqlstate] is error


def test_codes_named_by_the_contract_exist():
    contract = [
        "INSUFFICIENT_FUNDS",
        "UNKNOWN_ACCOUNT",
        "ACCOUNT_FROZEN",
        "UNKNOWN_BUCKET_TYPE",
        "NOT_BETTABLE",
        "SOURCE_REQUIRED",
        "SOURCE_NOT_ALLOWED",
        "COUPON_NOT_ELIGIBLE",
        "IDEMPOTENCY_CONFLICT",
        "BET_NOT_FOUND",
        "BET_ALREADY_SETTLED",
        "BET_ALREADY_ROLLED_BACK",
        "TRANSFER_NOT_ALLOWED",
        "TOPOLOGY_INVALID",
        "ACTIVATION_BLOCKED",
        "POLICY_INVALID",
    ]
    assert set(contract) - set(error_codes()) == set()


def test_database_table_equals_the_file(db):
    rows = db.execute("SELECT code, sqlstate, http_status FROM wallet.error_code").fetchall()
    assert {(c, s, h) for c, s, h in rows} == {(e.code, e.sqlstate, e.http_status) for e in error_codes().values()}


def test_docs_errors_md_is_generated_from_the_table():
    assert (ROOT / "docs" / "errors.md").read_text() == render(), "docs/errors.md is stale: run scripts/gen-docs"


def test_error_codes_file_ships_with_the_package():
    assert paths.error_codes_file().is_file()
