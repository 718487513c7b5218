-- The ledger is append-only for everyone: privileges stop the application roles, a trigger
-- stops the owner too.  Entries of a transaction must sum to zero.
BEGIN;
SELECT plan(9);

SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'tap-ao', p_currency => 'EUR', p_actor => 'tap')$$, 'open an account');
SELECT lives_ok($$SELECT admin.admin_adjust(p_adjustment_id => 'tap-ao-1', p_player_id => 'tap-ao', p_bucket_type => 'SPORTS_NORMAL', p_amount => 500, p_reason => 'seed', p_actor => 'tap')$$,
                'credit it');

SET LOCAL ROLE wallet_api;
SELECT throws_ok($$UPDATE wallet.ledger_entry SET amount = amount + 1$$, '42501', NULL,
                 'wallet_api cannot UPDATE ledger entries');
SELECT throws_ok($$DELETE FROM wallet.ledger_txn$$, '42501', NULL, 'wallet_api cannot DELETE ledger transactions');
SELECT throws_ok($$UPDATE wallet.bucket SET balance = 10$$, '42501', NULL, 'wallet_api cannot UPDATE buckets');
RESET ROLE;

SET LOCAL ROLE wallet_owner;
SELECT throws_ok($$UPDATE wallet.ledger_entry SET amount = amount + 1$$, 'RW900', NULL,
                 'the owner cannot UPDATE ledger entries either (trigger)');
SELECT throws_ok($$DELETE FROM wallet.ledger_entry$$, 'RW900', NULL, 'nor DELETE them');
SELECT throws_ok($$TRUNCATE wallet.ledger_entry CASCADE$$, 'RW900', NULL, 'nor TRUNCATE them');
SELECT throws_ok($$INSERT INTO wallet.ledger_entry (account_id, txn_id, entry_no, pocket, amount)
                   SELECT account_id, txn_id, 9, 'HOUSE', 1 FROM wallet.ledger_txn LIMIT 1$$,
                 'RW901', NULL, 'an entry set that does not sum to zero is refused');
RESET ROLE;

SELECT finish();
ROLLBACK;
