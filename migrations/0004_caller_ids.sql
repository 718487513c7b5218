-- Caller ids must come back through a URL path segment (SPEC §2): 1-128 printable ASCII
-- characters other than `/`, and neither `.` nor `..`.  The account id is the caller's player
-- id, so its shape constraint becomes the same rule as wallet._key_ok (procedures/core/rules.sql;
-- tests/sql/pgtap/03_rules.sql proves they agree).  NOT VALID: an account opened earlier under
-- the looser rule (any non-blank printable character) keeps working; every new id is checked.
-- depends: 0003_money

ALTER TABLE wallet.account DROP CONSTRAINT account_id_shape;
ALTER TABLE wallet.account ADD CONSTRAINT account_id_shape CHECK (account_id ~ '^(?!\.\.?$)[!-.0-~]{1,128}$') NOT VALID;
