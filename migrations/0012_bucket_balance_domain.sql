-- A bucket's balance is of a domain that carries the bucket's two rules (issue 11; SPEC §2):
-- never below zero, never past the ceiling of 10^17, under the constraint names the API maps
-- to INSUFFICIENT_FUNDS and BALANCE_LIMIT_EXCEEDED (ruby_wallet.errors).  Every write of a
-- balance still passes both: the value an INSERT or UPDATE writes is coerced to the column's
-- domain (balance + amount is a bigint), and a violation is the same check_violation (23514)
-- naming the same constraint.  What changes is the cost: PostgreSQL reads a table's CHECK
-- constraints back from their stored text and plans them in every statement that writes the
-- table, where a domain's checks come planned from the type cache into the statement's own
-- plan.  Every money command updates a bucket: 1.5% of a bet authorize's instructions
-- (bench/instructions, docs/benchmarks.md).
-- The analytics views that read the column (the balances, and the reconciliation's checks with
-- the view over them) are dropped here; migrate creates them again after any migration ran
-- (ruby_wallet.migrate).
-- depends: 0011_rolling_fill_order

CREATE DOMAIN wallet.bucket_balance AS bigint
    CONSTRAINT bucket_balance_non_negative CHECK (VALUE >= 0)
    CONSTRAINT bucket_balance_ceiling CHECK (VALUE <= 100000000000000000);
COMMENT ON DOMAIN wallet.bucket_balance IS 'A bucket''s balance in minor units: 0 to 10^17 (SPEC §2).';

DROP VIEW IF EXISTS analytics.balances, analytics._reconciliation_checks CASCADE;

ALTER TABLE wallet.bucket
    DROP CONSTRAINT bucket_balance_non_negative,
    DROP CONSTRAINT bucket_balance_ceiling,
    ALTER COLUMN balance TYPE wallet.bucket_balance;
