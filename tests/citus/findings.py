"""What does not work on Citus today, by the finding's number in docs/scaling.md ("Running on
Citus: what had to change"), for the tests' xfail reasons.  Every xfail of the tier is strict:
when the lead's rewrite fixes a finding, its tests pass, turn red as XPASS, and the marker goes."""

from __future__ import annotations

import pytest

FINDINGS = {
    "C6": "nested distributed execution: a statement over a distributed table calls a function that runs SQL "
    "(cannot execute a distributed query from a query on a shard)",
    "C8": "wallet._lock_owner locks the account with a sublink on the resource directory "
    "(could not run distributed query with FOR UPDATE/SHARE commands)",
    "C9": "a STABLE function (wallet._actor) inside UPDATE … SET "
    "(non-IMMUTABLE functions are not allowed in CASE or COALESCE statements)",
    "C10": "a subquery inside INSERT … VALUES (subqueries are not supported within INSERT queries)",
    "C11": "a LANGUAGE sql function with parameters over a distributed table (could not create distributed plan)",
    "C12": "topology activation modifies a reference table after a parallel multi-shard read "
    '(cannot modify table "topology_version" because there was a parallel operation on a distributed table)',
    "C14": "the audit log is a reference table: every audited command writes every node (2PC)",
    "C15": "the resource directory is distributed by resource id: claiming an id writes another shard, "
    "usually on another node (2PC)",
    "C16": "FOR UPDATE [SKIP LOCKED] over every shard: claiming events and relay streams, pruning "
    "(could not run distributed query with FOR UPDATE/SHARE commands)",
    "C17": "ids from sequences are not in time order per account: a worker draws from its own range "
    "(group id << 48), the coordinator from 1, and an account's commands run on either",
    "C19": "the API's statements cast the result (SELECT game.f(…)::text): Citus delegates only a bare "
    "SELECT f(…), so the coordinator runs the function and sends its statements one by one",
    "C24": "the analytics views run their shard queries as the analyst, who may not read the wallet's tables "
    "(permission denied for schema wallet, on a worker)",
    "C26": "a table's whole row passed to a function inside a statement Citus sends to a shard "
    "(function wallet._coupon_usable(coupon_102242) does not exist)",
    "C27": "an error relayed from a worker has no constraint name field, so the API's backstop mapping by "
    "constraint (INSUFFICIENT_FUNDS, BALANCE_LIMIT_EXCEEDED, LEDGER_UNBALANCED) does not apply",
}


def finding(*numbers: str):
    """xfail(strict) for the findings that keep a test from passing today."""
    unknown = [n for n in numbers if n not in FINDINGS]
    assert not unknown, unknown
    reason = "; ".join(f"{n}: {FINDINGS[n]}" for n in numbers)
    return pytest.mark.xfail(strict=True, reason=f"Citus finding {reason} (docs/scaling.md)")
