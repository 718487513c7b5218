"""The wallet's jsonb columns compress with lz4 (migration 0014): a value past PostgreSQL's
TOAST threshold (about 2 kB) is compressed when it is written, and pglz, the default, cost a
transfer of a player with 40 obligations 11.7% of its instructions (its moved rolling is
written four times: the record, the obligation it opens, two events; docs/benchmarks.md,
thirteenth session).  lz4 does the same work for less; reading the value back is unchanged."""

import pytest


@pytest.fixture
def lz4_db(db):
    """The test's database, on a server built with lz4 (without it the migration leaves pglz)."""
    (configure,) = db.execute("SELECT setting FROM pg_config WHERE name = 'CONFIGURE'").fetchone()
    if "--with-lz4" not in configure:
        pytest.skip("this PostgreSQL is built without lz4: the migration leaves pglz")
    return db


def test_every_jsonb_column_of_the_wallet_compresses_with_lz4(lz4_db):
    db = lz4_db
    rows = db.execute(
        """SELECT format('%s.%s', c.relname, a.attname), a.attcompression
             FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'wallet'
            WHERE a.atttypid = 'jsonb'::regtype AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY 1"""
    ).fetchall()
    assert len(rows) >= 10, "the query finds the wallet's jsonb columns"
    assert [name for name, method in rows if method != "l"] == []


def test_a_large_event_is_stored_with_lz4_and_reads_back_the_same(lz4_db):
    db = lz4_db
    db.execute("SELECT payments.open_account('p1', 'KRW')")
    for n in range(40):
        db.execute("SELECT payments.deposit_create(%s, 'p1', 100000, 'SPORTS_NORMAL', true)", (f"d{n}",))
    answer = db.execute("SELECT player.transfer_create('t1', 'p1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 500)").fetchone()[
        0
    ]
    assert len(answer["rolling"]) == 40
    method, payload = db.execute(
        """SELECT pg_column_compression(payload), payload FROM wallet.outbox
            WHERE account_id = 'p1' AND event_type = 'transfer.completed'"""
    ).fetchone()
    assert method == "lz4"
    assert payload["rolling"] == answer["rolling"]
