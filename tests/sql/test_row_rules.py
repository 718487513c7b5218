"""The money tables' row rules (migration 0009: one CHECK per table calling a named function; a
rolling obligation's one-column rules are its columns' domains since migration 0015, its rule of
two columns a plain CHECK) refuse every row their former CHECKs refused, and pass what a CHECK
passes (NULL is not false).
Each case writes one bad value into a real row, as a superuser would by hand, and expects the
table's rule to refuse it; the commands themselves never get that far (they check first)."""

import pytest
from psycopg import errors

BET = "wallet.bet WHERE bet_id = 'b1'"
COUPON = "wallet.coupon WHERE coupon_id = 'c1'"
OBLIGATION = "wallet.rolling_obligation WHERE source_id = 'd1'"
CREDIT = "wallet.promotion_credit WHERE credit_id = 'pc1'"
TXN = "wallet.ledger_txn WHERE txn_id = (SELECT max(txn_id) FROM wallet.ledger_txn)"


@pytest.fixture
def rows(db):
    for sql in (
        "SELECT payments.open_account('p1', 'KRW', 't')",
        "SELECT payments.deposit_create('d1', 'p1', 10000, 'SPORTS_NORMAL', true, 't')",
        "SELECT game.bet_authorize('b1', 'p1', 'SPORTS', 'sb', 1000, 1.9)",
        "SELECT promotion.coupon_grant(p_coupon_id => 'c1', p_player_id => 'p1', p_amount => 500,"
        " p_provider_types => ARRAY['SPORTS'], p_actor => 't')",
        "SELECT promotion.promotion_credit('pc1', 'p1', 'REBATE', 300, 'SPORTS_BONUS', 2)",
    ):
        db.execute(sql)
    assert db.execute("SELECT count(*) FROM wallet.rolling_obligation WHERE source_id = 'd1'").fetchone() == (1,)
    return db


REFUSED = [
    ("bet_row_valid", BET, "status = 'OPEN'"),
    ("bet_row_valid", BET, "stake = -1"),
    ("bet_row_valid", BET, "odds = 0.5"),
    ("bet_row_valid", BET, "result = 'PUSH'"),
    ("bet_row_valid", BET, "payout = -1"),
    ("bet_row_valid", BET, "tombstone = true"),
    ("bet_row_valid", BET, "policy_version = NULL"),
    ("bet_row_valid", BET, "status = 'SETTLED'"),  # no result, no settlement transaction
    ("bet_row_valid", BET, "source_amounts = source_amounts || 1::bigint"),
    ("bet_row_valid", BET, "source_kinds = ARRAY['GOLD']"),
    ("bet_row_valid", BET, "source_amounts = ARRAY[0::bigint]"),
    ("bet_row_valid", BET, "stake = stake + 1"),  # funding no longer covers the stake
    ("coupon_row_valid", COUPON, "amount = 0, remaining = 0"),
    ("coupon_row_valid", COUPON, "remaining = amount + 1"),
    ("coupon_row_valid", COUPON, "remaining = -1"),
    ("coupon_row_valid", COUPON, "status = 'USED'"),
    ("coupon_row_valid", COUPON, "provider_types = '{}'"),
    ("coupon_row_valid", COUPON, "min_odds = 0.9"),
    ("coupon_row_valid", COUPON, "max_stake = 0"),
    ("coupon_row_valid", COUPON, "rolling_multiplier = -1"),
    ("coupon_row_valid", COUPON, "expired = -1"),
    ("coupon_row_valid", COUPON, "status = 'EXPIRED'"),  # an expired coupon holding money
    # A rolling obligation's one-column rules are its columns' domains (migration 0015).
    ("rolling_obligation_kind_known", OBLIGATION, "kind = 'CASH'"),
    ("rolling_obligation_status_known", OBLIGATION, "status = 'DONE'"),
    ("rolling_obligation_source_known", OBLIGATION, "source_kind = 'gift'"),
    ("non_negative_amount_not_below_zero", OBLIGATION, "base_amount = -1"),
    ("non_negative_amount_not_below_zero", OBLIGATION, "required = -1, progress = 0"),
    ("non_negative_amount_not_below_zero", OBLIGATION, "progress = -1"),
    ("rolling_progress_within_required", OBLIGATION, "progress = required + 1"),
    ("promotion_credit_row_valid", CREDIT, "kind = 'GIFT'"),
    ("promotion_credit_row_valid", CREDIT, "status = 'GONE'"),
    ("promotion_credit_row_valid", CREDIT, "amount = 0"),
    ("promotion_credit_row_valid", CREDIT, "rolling_multiplier = -1"),
    ("promotion_credit_row_valid", CREDIT, "reversed = -1"),
    ("promotion_credit_row_valid", CREDIT, "unrecovered = -1"),
    ("promotion_credit_row_valid", CREDIT, "status = 'REVERSED', reversed = 100, unrecovered = 100"),
    (
        "ledger_txn_entries_shape",
        TXN,
        "targets = targets[1:1], amounts = amounts[1:1], balances_after = balances_after[1:1]",
    ),
    ("ledger_txn_entries_shape", TXN, "balances_after = balances_after || 0::bigint"),
    ("ledger_txn_entries_shape", TXN, "targets[1] = NULL"),
    (
        "ledger_txn_entries_shape",
        TXN,
        "amounts = ARRAY[0, amounts[1], -amounts[1]]::bigint[], targets = targets || targets[1], "
        "balances_after = balances_after || balances_after[1]",
    ),
    ("ledger_txn_entries_shape", TXN, "balances_after[1] = -1"),
    ("ledger_txn_entries_shape", TXN, "balances_after[1] = 100000000000000001"),
    ("ledger_txn_entries_sum_to_zero", TXN, "amounts[1] = amounts[1] + 1"),
]


def _refused(db, table_where: str, assignment: str) -> str | None:
    table, where = table_where.split(" WHERE ", 1)
    try:
        with db.transaction():
            db.execute("ALTER TABLE wallet.ledger_txn DISABLE TRIGGER ledger_txn_append_only")
            db.execute(f"UPDATE {table} SET {assignment} WHERE {where}")
            raise _RolledBack
    except errors.CheckViolation as exc:
        return exc.diag.constraint_name
    except _RolledBack:
        return None


class _RolledBack(Exception):
    pass


@pytest.mark.parametrize("constraint, table_where, assignment", REFUSED, ids=[f"{c}:{a}" for c, _, a in REFUSED])
def test_each_former_check_is_still_refused(rows, constraint, table_where, assignment):
    assert _refused(rows, table_where, assignment) == constraint


@pytest.mark.parametrize(
    "table_where, assignment",
    [
        (BET, "odds = NULL"),  # a casino bet has no odds
        (BET, "result = NULL, payout = NULL"),
        (COUPON, "min_odds = NULL, max_stake = NULL"),
        (CREDIT, "reversed = NULL, unrecovered = NULL"),
        (TXN, "balances_after[2] = NULL"),  # a pocket keeps no balance
    ],
)
def test_null_passes_as_in_a_check(rows, table_where, assignment):
    assert _refused(rows, table_where, assignment) is None


def test_one_rule_per_money_table(db):
    checks = dict(
        db.execute(
            """SELECT conrelid::regclass::text, array_agg(conname::text ORDER BY conname) FROM pg_constraint
                WHERE contype = 'c' AND conrelid = ANY ('{wallet.bet,wallet.coupon,wallet.rolling_obligation,
                      wallet.promotion_credit,wallet.ledger_txn}'::regclass[]) GROUP BY 1"""
        ).fetchall()
    )
    assert checks == {
        "wallet.bet": ["bet_row_valid"],
        "wallet.coupon": ["coupon_row_valid"],
        "wallet.rolling_obligation": ["rolling_progress_within_required"],
        "wallet.promotion_credit": ["promotion_credit_row_valid"],
        "wallet.ledger_txn": ["ledger_txn_entries_shape", "ledger_txn_entries_sum_to_zero", "ledger_txn_kind_shape"],
    }


def test_a_rule_function_is_kept_by_migrate(db_url, rows):
    from ruby_wallet.migrate import migrate

    migrate(db_url, force=True)
    assert _refused(rows, BET, "stake = -1") == "bet_row_valid"
