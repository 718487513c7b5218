-- The ledger is append-only for everyone: privileges stop the application roles, a trigger
-- stops the owner too.  A ledger transaction is one row holding its entries (migration 0005);
-- a row whose entries do not sum to zero, or are malformed, is refused by its CHECK.  The
-- entries are also readable one per row (wallet.ledger_entry), a view nobody can write.
BEGIN;
SELECT plan(16);

SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'tap-ao', p_currency => 'EUR', p_actor => 'tap')$$, 'open an account');
SELECT lives_ok($$SELECT admin.admin_adjust(p_adjustment_id => 'tap-ao-1', p_player_id => 'tap-ao', p_bucket_type => 'SPORTS_NORMAL', p_amount => 500, p_reason => 'seed', p_actor => 'tap')$$,
                'credit it');

SET LOCAL ROLE wallet_dba;
SELECT throws_ok($$UPDATE wallet.ledger_txn SET amounts = amounts$$, '42501', NULL,
                 'an application role cannot UPDATE ledger transactions');
SELECT throws_ok($$DELETE FROM wallet.ledger_txn$$, '42501', NULL, 'nor DELETE them');
SELECT throws_ok($$UPDATE wallet.bucket SET balance = 10$$, '42501', NULL, 'nor UPDATE buckets');
RESET ROLE;

SET LOCAL ROLE wallet_owner;
SELECT throws_ok($$UPDATE wallet.ledger_txn SET amounts = amounts$$, 'RW900', NULL,
                 'the owner cannot UPDATE ledger transactions either (trigger)');
SELECT throws_ok($$DELETE FROM wallet.ledger_txn$$, 'RW900', NULL, 'nor DELETE them');
SELECT throws_ok($$TRUNCATE wallet.ledger_txn CASCADE$$, 'RW900', NULL, 'nor TRUNCATE them');
SELECT throws_ok($$UPDATE wallet.ledger_entry SET amount = amount + 1$$, '55000', NULL,
                 'the entries view cannot be written: UPDATE');
SELECT throws_ok($$INSERT INTO wallet.ledger_entry (account_id, txn_id, entry_no, pocket, amount) VALUES ('tap-ao', 1, 9, 'HOUSE', 1)$$,
                 '55000', NULL, 'nor INSERT');

-- The row CHECK: double entry and a well-formed entry list, whoever writes.
PREPARE txn(text[], bigint[], bigint[]) AS
    INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, targets, amounts, balances_after)
    VALUES ('tap-ao', nextval('wallet.ledger_txn_id_seq'), 'ADJUSTMENT', 'tap', 'tap', $1, $2, $3);
SELECT throws_ok($$EXECUTE txn(ARRAY['SPORTS_NORMAL', '@ADJUSTMENT'], ARRAY[5, -4]::bigint[], ARRAY[505, NULL]::bigint[])$$,
                 '23514', NULL, 'entries that do not sum to zero are refused');
SELECT throws_ok($$EXECUTE txn(ARRAY['SPORTS_NORMAL'], ARRAY[0]::bigint[], ARRAY[500]::bigint[])$$,
                 '23514', NULL, 'a transaction of one entry is refused');
SELECT throws_ok($$EXECUTE txn(ARRAY['SPORTS_NORMAL', '@ADJUSTMENT', '@HOUSE'], ARRAY[5, -5, 0]::bigint[], ARRAY[505, NULL, NULL]::bigint[])$$,
                 '23514', NULL, 'a zero entry is refused');
SELECT throws_ok($$EXECUTE txn(ARRAY['SPORTS_NORMAL', '@ADJUSTMENT'], ARRAY[5, -5]::bigint[], ARRAY[100000000000000001, NULL]::bigint[])$$,
                 '23514', NULL, 'a balance after past the bucket ceiling is refused');
SELECT throws_ok($$EXECUTE txn(ARRAY['SPORTS_NORMAL', NULL], ARRAY[5, -5]::bigint[], ARRAY[505, NULL]::bigint[])$$,
                 '23514', NULL, 'an entry without a target is refused');
SELECT throws_ok($$EXECUTE txn(ARRAY['SPORTS_NORMAL', '@ADJUSTMENT'], ARRAY[5, -5]::bigint[], ARRAY[-1, NULL]::bigint[])$$,
                 '23514', NULL, 'a negative balance after is refused');
RESET ROLE;

SELECT finish();
ROLLBACK;
