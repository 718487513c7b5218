-- The money records' one-column rules as domains (issue 11), as migration 0012 did for a bucket's
-- balance: a deposit's, a withdrawal's and each of its sources' amount, a transfer's debit and
-- credit and a rolling progress share are positive amounts; a deposit's and a withdrawal's
-- status is one of its known ones.  The same rules as the table CHECKs they replace, met by
-- every write of the column (the value is coerced to its domain); a table with no CHECK left
-- skips reading and planning them in every statement that writes it.  A deposit is inserted and
-- approved in two statements: its two CHECKs cost 3% of an auto-approved deposit's instructions
-- (bench/instructions, docs/benchmarks.md).
-- depends: 0012_bucket_balance_domain

CREATE DOMAIN wallet.positive_amount AS bigint
    CONSTRAINT positive_amount_above_zero CHECK (VALUE > 0);
COMMENT ON DOMAIN wallet.positive_amount IS 'An amount a record moves, in minor units: more than 0.';
CREATE DOMAIN wallet.deposit_status AS text
    CONSTRAINT deposit_status_known CHECK (VALUE IN ('PENDING', 'APPROVED', 'REJECTED'));
CREATE DOMAIN wallet.withdrawal_status AS text
    CONSTRAINT withdrawal_status_known CHECK (VALUE IN ('PENDING', 'PAID', 'REJECTED'));

-- The one view that reads these columns (a pending withdrawal's amount, for the HOLD check),
-- and the reconciliation view over it: migrate creates them again after any migration ran.
DROP VIEW IF EXISTS analytics._reconciliation_checks CASCADE;

ALTER TABLE wallet.deposit
    DROP CONSTRAINT deposit_amount_check, DROP CONSTRAINT deposit_status_check,
    ALTER COLUMN amount TYPE wallet.positive_amount, ALTER COLUMN status TYPE wallet.deposit_status;
ALTER TABLE wallet.withdrawal
    DROP CONSTRAINT withdrawal_amount_check, DROP CONSTRAINT withdrawal_status_check,
    ALTER COLUMN amount TYPE wallet.positive_amount, ALTER COLUMN status TYPE wallet.withdrawal_status;
ALTER TABLE wallet.withdrawal_source
    DROP CONSTRAINT withdrawal_source_amount_check, ALTER COLUMN amount TYPE wallet.positive_amount;
ALTER TABLE wallet.transfer
    DROP CONSTRAINT transfer_debited_check, DROP CONSTRAINT transfer_credited_check,
    ALTER COLUMN debited TYPE wallet.positive_amount, ALTER COLUMN credited TYPE wallet.positive_amount;
ALTER TABLE wallet.rolling_progress
    DROP CONSTRAINT rolling_progress_amount_check, ALTER COLUMN amount TYPE wallet.positive_amount;
