"""The money path's commands ask a request's validity first (wallet._bet_authorize_valid,
wallet._bet_settle_valid, wallet._deposit_valid) and build the problem list (the matching
wallet._*_problems) only for a request that is not valid.  These tests prove each pair agrees:
valid exactly when the list is empty, over every combination of good, bad, edge and NULL values
of each argument; and that a command refuses an invalid request with the full list."""

import json

import psycopg
import pytest

KEYS = ["b1", "k" * 128, "k" * 129, "", ".", "a/b", None]
AMOUNTS = [1, 10**15, 0, -1, 10**15 + 1, None]

# (valid function, problems function, the values each argument takes, in argument order)
PAIRS = {
    "bet authorize": (
        "wallet._bet_authorize_valid",
        "wallet._bet_authorize_problems",
        [
            KEYS,
            ["p1", "", None],
            ["SPORTS", "CASINO_2", "sports", "1X", "S" * 32, "S" * 33, "", None],
            ["book", "a/b", None],
            AMOUNTS,
            ["1", "1.01", "0.99", "0", "-2", None],
        ],
        ["text", "text", "text", "text", "bigint", "numeric"],
    ),
    "bet settle": (
        "wallet._bet_settle_valid",
        "wallet._bet_settle_problems",
        [
            KEYS,
            ["p1", "..", None],
            ["s1", "a/b", None],
            ["WIN", "LOSS", "VOID", "CASHOUT", "win", "", None],
            [None, 0, 1, 10**15, 10**15 + 1, -1],
        ],
        ["text", "text", "text", "text", "bigint"],
    ),
    "deposit": (
        "wallet._deposit_valid",
        "wallet._deposit_problems",
        [KEYS, AMOUNTS, ["SPORTS_NORMAL", "nope", "", None]],
        ["text", "bigint", "text"],
    ),
}


@pytest.mark.parametrize("command", sorted(PAIRS))
def test_valid_exactly_when_no_problem(db, command):
    valid, problems, values, types = PAIRS[command]
    # Every combination of the arguments' values, in one query (a cross join of their lists).
    lists = " CROSS JOIN ".join(f"unnest(%s::text[]::{t}[]) AS a{i}(v)" for i, t in enumerate(types))
    args = ", ".join(f"a{i}.v" for i in range(len(types)))
    disagree, valid_count, invalid_count = db.execute(
        f"""SELECT count(*) FILTER (WHERE ok IS DISTINCT FROM none), count(*) FILTER (WHERE ok), count(*) FILTER (WHERE NOT ok)
              FROM (SELECT {valid}({args}) IS TRUE AS ok, {problems}({args}) = '[]'::jsonb AS none FROM {lists}) c""",
        values,
    ).fetchone()
    assert disagree == 0, f"{valid} and {problems} disagree on {disagree} requests"
    # Both kinds of request are in the matrix, so the agreement is not vacuous.
    assert valid_count > 0 and invalid_count > 0, (valid_count, invalid_count)


@pytest.mark.parametrize(
    "call, paths",
    [
        (
            "SELECT game.bet_authorize('a/b', 'p1', 'sports', 'book', 0, 0.5)",
            ["bet_id", "stake", "odds", "provider_type"],
        ),
        ("SELECT game.bet_settle('b1', 'p1', '', 'LOSS', 5)", ["settlement_id", "payout"]),
        ("SELECT payments.deposit_create('', 'p1', 0, NULL)", ["deposit_id", "amount", "bucket_type"]),
    ],
)
def test_an_invalid_request_is_refused_with_every_problem(db, call, paths):
    with pytest.raises(psycopg.Error) as refused:
        db.execute(call)
    expected = db.execute("SELECT sqlstate FROM wallet.error_code WHERE code = 'VALIDATION_FAILED'").fetchone()[0]
    assert refused.value.diag.sqlstate == expected
    errors = json.loads(refused.value.diag.message_detail or "{}")["errors"]
    assert [e["path"] for e in errors] == paths
