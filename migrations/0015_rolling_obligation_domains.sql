-- A rolling obligation's one-column rules as domains (issue 11), as migrations 0012 and 0013 did
-- for the other money records: its kind, status and source kind are ones the wallet knows, its
-- base, requirement and progress are never below zero.  The one rule of two columns stays a
-- table CHECK under its name from before 0009: progress within the requirement.  The same rules
-- as the row function they replace (wallet._rolling_obligation_row_valid), met by every write
-- (the value is coerced to its column's domain); a domain's check comes planned from the type
-- cache, where the row function's CHECK was read back and readied in every statement writing
-- the table, and an UPDATE now checks only the columns it sets.  A transfer updates one row an
-- obligation of the source group: 2.4% fewer instructions with 40 of them, a settle 1.0%, a
-- deposit 1.2% (bench/instructions --deposits 40, docs/benchmarks.md).
-- depends: 0014_jsonb_lz4

CREATE DOMAIN wallet.non_negative_amount AS bigint
    CONSTRAINT non_negative_amount_not_below_zero CHECK (VALUE >= 0);
COMMENT ON DOMAIN wallet.non_negative_amount IS 'An amount a record keeps, in minor units: 0 or more.';
CREATE DOMAIN wallet.rolling_obligation_kind AS text
    CONSTRAINT rolling_obligation_kind_known CHECK (VALUE IN ('DEPOSIT', 'BONUS'));
CREATE DOMAIN wallet.rolling_obligation_status AS text
    CONSTRAINT rolling_obligation_status_known CHECK (VALUE IN ('ACTIVE', 'COMPLETED', 'WAIVED', 'CANCELLED'));
CREATE DOMAIN wallet.rolling_obligation_source AS text
    CONSTRAINT rolling_obligation_source_known CHECK (VALUE IN ('deposit', 'coupon', 'credit', 'transfer'));

-- The view that reads these columns: migrate creates it again after any migration ran.
DROP VIEW IF EXISTS analytics.rolling_status;

ALTER TABLE wallet.rolling_obligation
    DROP CONSTRAINT rolling_obligation_row_valid,
    ALTER COLUMN kind TYPE wallet.rolling_obligation_kind,
    ALTER COLUMN status TYPE wallet.rolling_obligation_status,
    ALTER COLUMN source_kind TYPE wallet.rolling_obligation_source,
    ALTER COLUMN base_amount TYPE wallet.non_negative_amount,
    ALTER COLUMN required TYPE wallet.non_negative_amount,
    ALTER COLUMN progress TYPE wallet.non_negative_amount;
-- A statement of its own: Citus adds a constraint to a distributed table only alone.
ALTER TABLE wallet.rolling_obligation
    ADD CONSTRAINT rolling_progress_within_required CHECK (progress <= required);

DROP FUNCTION wallet._rolling_obligation_row_valid(text, text, text, bigint, bigint, bigint);
