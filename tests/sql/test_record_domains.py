"""The money records' one-column rules are domains (migrations 0012, 0013 and 0015): each column that
had a CHECK of its own is of a domain holding the same rule, and a write that breaks it is
refused with the domain's constraint named."""

import pytest
from psycopg import errors

COLUMNS = {
    ("bucket", "balance"): "wallet.bucket_balance",
    ("deposit", "amount"): "wallet.positive_amount",
    ("deposit", "status"): "wallet.deposit_status",
    ("withdrawal", "amount"): "wallet.positive_amount",
    ("withdrawal", "status"): "wallet.withdrawal_status",
    ("withdrawal_source", "amount"): "wallet.positive_amount",
    ("transfer", "debited"): "wallet.positive_amount",
    ("transfer", "credited"): "wallet.positive_amount",
    ("rolling_progress", "amount"): "wallet.positive_amount",
    ("rolling_obligation", "kind"): "wallet.rolling_obligation_kind",
    ("rolling_obligation", "status"): "wallet.rolling_obligation_status",
    ("rolling_obligation", "source_kind"): "wallet.rolling_obligation_source",
    ("rolling_obligation", "base_amount"): "wallet.non_negative_amount",
    ("rolling_obligation", "required"): "wallet.non_negative_amount",
    ("rolling_obligation", "progress"): "wallet.non_negative_amount",
}


def test_each_column_is_of_its_domain(db):
    found = dict(
        (
            ((t, c), d)
            for t, c, d in db.execute(
                """SELECT c.relname::text, a.attname::text, format_type(a.atttypid, NULL)
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relnamespace = 'wallet'::regnamespace AND c.relkind = 'r'
                  AND (c.relname::text, a.attname::text) IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
                ([t for t, _ in COLUMNS], [c for _, c in COLUMNS]),
            ).fetchall()
        )
    )
    assert found == COLUMNS
    # None of these tables keeps a CHECK of its own for them.
    checks = db.execute(
        """SELECT conrelid::regclass::text, conname::text FROM pg_constraint
            WHERE contype = 'c' AND conrelid = ANY ('{wallet.bucket,wallet.deposit,wallet.withdrawal,
                  wallet.withdrawal_source,wallet.transfer,wallet.rolling_progress}'::regclass[])"""
    ).fetchall()
    assert checks == []
    # A rolling obligation keeps the one rule of two columns as its only CHECK.
    assert db.execute(
        """SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'c' AND conrelid = 'wallet.rolling_obligation'::regclass"""
    ).fetchall() == [("rolling_progress_within_required", "CHECK (((progress)::bigint <= (required)::bigint))")]


@pytest.mark.parametrize(
    "value, domain, constraint",
    [
        ("0", "wallet.positive_amount", "positive_amount_above_zero"),
        ("-1", "wallet.positive_amount", "positive_amount_above_zero"),
        ("DONE", "wallet.deposit_status", "deposit_status_known"),
        ("APPROVED", "wallet.withdrawal_status", "withdrawal_status_known"),
        ("-1", "wallet.bucket_balance", "bucket_balance_non_negative"),
        ("100000000000000001", "wallet.bucket_balance", "bucket_balance_ceiling"),
        ("-1", "wallet.non_negative_amount", "non_negative_amount_not_below_zero"),
        ("CASH", "wallet.rolling_obligation_kind", "rolling_obligation_kind_known"),
        ("deposit", "wallet.rolling_obligation_kind", "rolling_obligation_kind_known"),
        ("DONE", "wallet.rolling_obligation_status", "rolling_obligation_status_known"),
        ("active", "wallet.rolling_obligation_status", "rolling_obligation_status_known"),
        ("gift", "wallet.rolling_obligation_source", "rolling_obligation_source_known"),
        ("DEPOSIT", "wallet.rolling_obligation_source", "rolling_obligation_source_known"),
    ],
)
def test_a_domain_refuses_what_its_rule_refuses(db, value, domain, constraint):
    with pytest.raises(errors.CheckViolation) as refused:
        db.execute(f"SELECT %s::text::{domain}", (value,))
    assert refused.value.diag.constraint_name == constraint


@pytest.mark.parametrize(
    "value, domain",
    [
        ("1", "wallet.positive_amount"),
        ("PENDING", "wallet.deposit_status"),
        ("APPROVED", "wallet.deposit_status"),
        ("REJECTED", "wallet.deposit_status"),
        ("PAID", "wallet.withdrawal_status"),
        ("0", "wallet.bucket_balance"),
        ("100000000000000000", "wallet.bucket_balance"),
        ("0", "wallet.non_negative_amount"),
        ("DEPOSIT", "wallet.rolling_obligation_kind"),
        ("BONUS", "wallet.rolling_obligation_kind"),
        ("ACTIVE", "wallet.rolling_obligation_status"),
        ("COMPLETED", "wallet.rolling_obligation_status"),
        ("WAIVED", "wallet.rolling_obligation_status"),
        ("CANCELLED", "wallet.rolling_obligation_status"),
        ("deposit", "wallet.rolling_obligation_source"),
        ("coupon", "wallet.rolling_obligation_source"),
        ("credit", "wallet.rolling_obligation_source"),
        ("transfer", "wallet.rolling_obligation_source"),
    ],
)
def test_a_domain_takes_what_its_rule_takes(db, value, domain):
    assert db.execute(f"SELECT %s::text::{domain}::text", (value,)).fetchone()[0] == value


def test_a_record_written_past_its_rule_is_refused(db):
    db.execute("SELECT payments.open_account('p1', 'KRW', 'test')")
    db.execute("SELECT payments.deposit_create('d1', 'p1', 500, 'SPORTS_NORMAL', false, 'test')")
    with pytest.raises(errors.CheckViolation) as refused:
        db.execute("UPDATE wallet.deposit SET amount = amount - 500 WHERE deposit_id = 'd1'")
    assert refused.value.diag.constraint_name == "positive_amount_above_zero"
    with pytest.raises(errors.CheckViolation) as refused:
        db.execute("UPDATE wallet.deposit SET status = 'LOST' WHERE deposit_id = 'd1'")
    assert refused.value.diag.constraint_name == "deposit_status_known"
    assert db.execute("SELECT amount, status FROM wallet.deposit WHERE deposit_id = 'd1'").fetchone() == (
        500,
        "PENDING",
    )
