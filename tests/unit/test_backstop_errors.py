"""The backstop constraints (a check the command's own refusal should have caught first) map to
their wallet errors by the constraint's name — from the error's constraint-name field, or, when
it has none, from the message: on Citus an error relayed from a worker carries no constraint
name (docs/scaling.md C27), and the API must never answer such a violation with a 500."""

import pytest

from ruby_wallet.errors import from_database

MESSAGE = 'new row for relation "{table}" violates check constraint "{constraint}"'


@pytest.mark.parametrize(
    ("constraint", "code"),
    [
        ("bucket_balance_non_negative", "INSUFFICIENT_FUNDS"),
        ("bucket_balance_ceiling", "BALANCE_LIMIT_EXCEEDED"),
        ("ledger_txn_entries_sum_to_zero", "LEDGER_UNBALANCED"),
        ("ledger_txn_entries_shape", "LEDGER_UNBALANCED"),
    ],
)
def test_a_backstop_maps_by_its_field_or_its_message(constraint, code):
    on_one_node = from_database("23514", MESSAGE.format(table="bucket", constraint=constraint), None, constraint)
    relayed = from_database("23514", MESSAGE.format(table="bucket_102008", constraint=constraint), None, None)
    assert on_one_node is not None and on_one_node.error.code == code
    assert relayed is not None and relayed.error.code == code


def test_other_check_violations_are_not_wallet_errors():
    assert from_database("23514", MESSAGE.format(table="bet_102040", constraint="bet_row_valid"), None, None) is None
    assert from_database("23514", "some other message", None, None) is None


def test_the_field_wins_over_the_message():
    message = MESSAGE.format(table="bucket", constraint="bucket_balance_ceiling")
    mapped = from_database("23514", message, None, "bucket_balance_non_negative")
    assert mapped is not None and mapped.error.code == "INSUFFICIENT_FUNDS"
