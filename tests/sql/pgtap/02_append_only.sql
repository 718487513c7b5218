-- The ledger is append-only for everyone: privileges stop the application roles, a trigger
-- stops the owner too.  Entries of a transaction must sum to zero.
BEGIN;
SELECT plan(9);

SELECT lives_ok($$SELECT wallet.open_account('tap-ao', 'EUR', 'tap')$$, 'open an account');
SELECT lives_ok($$SELECT wallet.admin_adjust('tap-ao-1', 'tap-ao', 'SPORTS_NORMAL', 500, 'seed', 'tap')$$,
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
