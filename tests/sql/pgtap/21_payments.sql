-- Deposits and withdrawals: target validation, rolling obligation, withdrawable money only,
-- exact refunds, state repeats (SPEC §5, §5a).
BEGIN;
SELECT plan(33);


SELECT lives_ok($$SELECT wallet.open_account('pp1', 'EUR', 'tap')$$, 'open pp1');

-- Deposit create → approve; reject; state repeats.
SELECT is(wallet.deposit_create('d1', 'pp1', 5000, 'SPORTS_NORMAL', false, 'pay'),
          '{"amount": 5000, "status": "PENDING", "deposit_id": "d1", "bucket_type": "SPORTS_NORMAL"}', 'a pending deposit');
SELECT is(tap_helpers.bal('pp1', 'SPORTS_NORMAL'), 0::bigint, 'moves no money yet');
SELECT is(wallet.deposit_approve('d1', 'pay')->>'status', 'APPROVED', 'approved');
SELECT is(tap_helpers.bal('pp1', 'SPORTS_NORMAL'), 5000::bigint, 'credits the target bucket');
SELECT is(tap_helpers.pocket('pp1', 'EXTERNAL'), -5000::bigint, 'from the EXTERNAL pocket');
SELECT is((SELECT r.required || '/' || r.kind || '/' || r.status FROM wallet.rolling_obligation r JOIN wallet.deposit d USING (account_id, rolling_id)
            WHERE d.deposit_id = 'd1'), '5000/DEPOSIT/ACTIVE', 'with a DEPOSIT rolling obligation of 100%');
SELECT is(wallet.deposit_approve('d1', 'pay'), (SELECT decision FROM wallet.deposit WHERE deposit_id = 'd1'),
          'approving an approved deposit returns the approval');
SELECT is(tap_helpers.bal('pp1', 'SPORTS_NORMAL'), 5000::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT wallet.deposit_reject('d1', 'fraud', 'pay')$$)->>'sqlstate', 'RW027', 'rejecting an approved deposit: INVALID_STATE');
SELECT lives_ok($$SELECT wallet.deposit_create('d2', 'pp1', 700, 'CASINO_NORMAL', false, 'pay')$$, 'another pending deposit');
SELECT is(wallet.deposit_reject('d2', 'card declined', 'pay')->>'status', 'REJECTED', 'rejected');
SELECT is(wallet.deposit_reject('d2', 'again', 'pay')->>'reason', 'card declined', 'rejecting again returns the first rejection');
SELECT is(tap_helpers.error_of($$SELECT wallet.deposit_approve('d2', 'pay')$$)->>'sqlstate', 'RW027', 'approving a rejected deposit: INVALID_STATE');
SELECT is(tap_helpers.error_of($$SELECT wallet.deposit_approve('nope', 'pay')$$)->>'sqlstate', 'RW022', 'unknown deposit: DEPOSIT_NOT_FOUND');
SELECT is(tap_helpers.error_of($$SELECT wallet.deposit_create('d3', 'pp1', 10, 'SPORTS_BONUS', true, 'pay')$$)->>'sqlstate', 'RW028',
          'a bucket type that takes no deposits: DEPOSIT_NOT_ALLOWED');
SELECT is(tap_helpers.error_of($$SELECT wallet.deposit_create('d3', 'pp1', 10, 'GOLD', true, 'pay')$$)->>'sqlstate', 'RW005',
          'an unknown bucket type: UNKNOWN_BUCKET_TYPE');
SELECT is(tap_helpers.error_of($$SELECT wallet.deposit_create('d1', 'pp1', 5001, 'SPORTS_NORMAL', false, 'pay')$$)->>'sqlstate', 'RW007',
          'a deposit id reused with another amount: IDEMPOTENCY_CONFLICT');
SELECT lives_ok($$SELECT wallet.open_account('pp2', 'EUR', 'tap')$$, 'open pp2');
SELECT is(tap_helpers.error_of($$SELECT wallet.deposit_create('d1', 'pp2', 5000, 'SPORTS_NORMAL', false, 'pay')$$)->>'sqlstate', 'RW007',
          'a deposit id of another player: IDEMPOTENCY_CONFLICT');

-- Withdrawals take withdrawable money only.
SELECT is(tap_helpers.error_of($$SELECT wallet.withdrawal_create('w1', 'pp1', 1, 'pay')$$),
          '{"sqlstate": "RW006", "available": 0, "requested": 1}', 'CASH under an active deposit obligation is not withdrawable');
SELECT lives_ok($$SELECT wallet.deposit_create('d4', 'pp2', 3000, 'CASINO_NORMAL', true, 'pay');
                   SELECT wallet.rolling_waive((SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'd4'), 'vip', 'ops');
                   SELECT wallet.deposit_create('d5', 'pp2', 2000, 'SPORTS_NORMAL', true, 'pay');
                   SELECT wallet.admin_adjust('pp2-a', 'pp2', 'SPORTS_BONUS', 900, 'bonus', 'ops')$$,
                'pp2: 3000 released to WITHDRAWABLE (waived), 2000 locked in SPORTS, 900 bonus');
SELECT is(tap_helpers.bal('pp2', 'WITHDRAWABLE'), 3000::bigint, 'waiving releases the CASINO cash to WITHDRAWABLE');
SELECT is((wallet.player_balances('pp2')->>'withdrawable')::bigint, 3000::bigint, 'withdrawable is 3000');
SELECT is(wallet.withdrawal_create('w2', 'pp2', 2500, 'pay')->'sources', '[{"amount": 2500, "bucket_type": "WITHDRAWABLE"}]',
          'a withdrawal takes WITHDRAWABLE first');
SELECT is(tap_helpers.pocket('pp2', 'HOLD'), 2500::bigint, 'pending money is held');
SELECT is(wallet.withdrawal_reject('w2', 'bank rejected', 'pay')->'refunded', '[{"amount": 2500, "bucket_type": "WITHDRAWABLE"}]',
          'a rejected withdrawal refunds each source exactly');
SELECT is(tap_helpers.bal('pp2', 'WITHDRAWABLE'), 3000::bigint, 'back in WITHDRAWABLE');
SELECT lives_ok($$SELECT wallet.rolling_waive((SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'd5'), 'vip', 'ops')$$,
                'waive the SPORTS obligation too');
SELECT is(wallet.withdrawal_create('w3', 'pp2', 5000, 'pay')->'sources', '[{"amount": 5000, "bucket_type": "WITHDRAWABLE"}]',
          'released SPORTS cash is WITHDRAWABLE as well (bonus is never withdrawable)');
SELECT is(wallet.withdrawal_complete('w3', 'pay')->>'status', 'PAID', 'paid out');
SELECT is(wallet.withdrawal_complete('w3', 'pay')->>'status', 'PAID', 'completing a paid withdrawal returns its state');
SELECT is(tap_helpers.error_of($$SELECT wallet.withdrawal_reject('w3', 'x', 'pay')$$)->>'sqlstate', 'RW027', 'rejecting a paid withdrawal: INVALID_STATE');

SELECT finish();
ROLLBACK;
