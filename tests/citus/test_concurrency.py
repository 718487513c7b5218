"""The single-node concurrency tests (tests/sql/test_concurrency.py: a hot player, many players at
once, opposite transfers on one player, settle racing rollback, duplicate settlements and
rollbacks) run as they are against the coordinator: each call is forwarded to the player's
worker, where the account row lock serializes one player's commands as on one node.  The books
must reconcile after each test, as there."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.sql.test_concurrency import (
    test_duplicate_settlements_and_rollbacks_race,
    test_hot_player_exactly_the_affordable_bets_succeed,
    test_many_players_in_parallel,
    test_opposite_transfers_on_one_player_never_deadlock,
    test_settle_racing_rollback_applies_exactly_one_outcome,
)

__all__ = [
    "test_duplicate_settlements_and_rollbacks_race",
    "test_hot_player_exactly_the_affordable_bets_succeed",
    "test_many_players_in_parallel",
    "test_opposite_transfers_on_one_player_never_deadlock",
    "test_settle_racing_rollback_applies_exactly_one_outcome",
]


@pytest.fixture
def db_url(citus) -> Iterator[str]:
    """The coordinator, as superuser (the tier's one database: the tests' players are their own)."""
    yield citus.url
    with psycopg.connect(citus.url, autocommit=True) as conn:
        discrepancies = conn.execute("SELECT * FROM ops.reconcile()").fetchall()
    assert discrepancies == [], f"reconciliation not clean after the test: {discrepancies}"


@pytest.fixture
def db(db_url) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn
