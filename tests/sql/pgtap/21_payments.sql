-- Deposits and withdrawals: target validation, rolling obligation, withdrawable money only,
-- exact refunds, state repeats (SPEC §5, §5a).
BEGIN;
SELECT plan(33);


SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'pp1', p_currency => 'EUR', p_actor => 'tap')$$, 'open pp1');

-- Deposit create → approve; reject; state repeats.
SELECT is(payments.deposit_create(p_deposit_id => 'd1', p_player_id => 'pp1', p_amount => 5000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => false, p_actor => 'pay'),
          '{"amount": 5000, "status": "PENDING", "deposit_id": "d1", "bucket_type": "SPORTS_NORMAL"}', 'a pending deposit');
SELECT is(tap_helpers.bal('pp1', 'SPORTS_NORMAL'), 0::bigint, 'moves no money yet');
SELECT is(payments.deposit_approve(p_deposit_id => 'd1', p_actor => 'pay')->>'status', 'APPROVED', 'approved');
SELECT is(tap_helpers.bal('pp1', 'SPORTS_NORMAL'), 5000::bigint, 'credits the target bucket');
SELECT is(tap_helpers.pocket('pp1', 'EXTERNAL'), -5000::bigint, 'from the EXTERNAL pocket');
SELECT is((SELECT r.required || '/' || r.kind || '/' || r.status FROM wallet.rolling_obligation r JOIN wallet.deposit d USING (account_id, rolling_id)
            WHERE d.deposit_id = 'd1'), '5000/DEPOSIT/ACTIVE', 'with a DEPOSIT rolling obligation of 100%');
SELECT is(payments.deposit_approve(p_deposit_id => 'd1', p_actor => 'pay'), (SELECT decision FROM wallet.deposit WHERE deposit_id = 'd1'),
          'approving an approved deposit returns the approval');
SELECT is(tap_helpers.bal('pp1', 'SPORTS_NORMAL'), 5000::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT payments.deposit_reject(p_deposit_id => 'd1', p_reason => 'fraud', p_actor => 'pay')$$)->>'sqlstate', 'RW027', 'rejecting an approved deposit: INVALID_STATE');
SELECT lives_ok($$SELECT payments.deposit_create(p_deposit_id => 'd2', p_player_id => 'pp1', p_amount => 700, p_bucket_type => 'CASINO_NORMAL', p_auto_approve => false, p_actor => 'pay')$$, 'another pending deposit');
SELECT is(payments.deposit_reject(p_deposit_id => 'd2', p_reason => 'card declined', p_actor => 'pay')->>'status', 'REJECTED', 'rejected');
SELECT is(payments.deposit_reject(p_deposit_id => 'd2', p_reason => 'again', p_actor => 'pay')->>'reason', 'card declined', 'rejecting again returns the first rejection');
SELECT is(tap_helpers.error_of($$SELECT payments.deposit_approve(p_deposit_id => 'd2', p_actor => 'pay')$$)->>'sqlstate', 'RW027', 'approving a rejected deposit: INVALID_STATE');
SELECT is(tap_helpers.error_of($$SELECT payments.deposit_approve(p_deposit_id => 'nope', p_actor => 'pay')$$)->>'sqlstate', 'RW022', 'unknown deposit: DEPOSIT_NOT_FOUND');
SELECT is(tap_helpers.error_of($$SELECT payments.deposit_create(p_deposit_id => 'd3', p_player_id => 'pp1', p_amount => 10, p_bucket_type => 'SPORTS_BONUS', p_auto_approve => true, p_actor => 'pay')$$)->>'sqlstate', 'RW028',
          'a bucket type that takes no deposits: DEPOSIT_NOT_ALLOWED');
SELECT is(tap_helpers.error_of($$SELECT payments.deposit_create(p_deposit_id => 'd3', p_player_id => 'pp1', p_amount => 10, p_bucket_type => 'GOLD', p_auto_approve => true, p_actor => 'pay')$$)->>'sqlstate', 'RW005',
          'an unknown bucket type: UNKNOWN_BUCKET_TYPE');
SELECT is(tap_helpers.error_of($$SELECT payments.deposit_create(p_deposit_id => 'd1', p_player_id => 'pp1', p_amount => 5001, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => false, p_actor => 'pay')$$)->>'sqlstate', 'RW007',
          'a deposit id reused with another amount: IDEMPOTENCY_CONFLICT');
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'pp2', p_currency => 'EUR', p_actor => 'tap')$$, 'open pp2');
SELECT is(tap_helpers.error_of($$SELECT payments.deposit_create(p_deposit_id => 'd1', p_player_id => 'pp2', p_amount => 5000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => false, p_actor => 'pay')$$)->>'sqlstate', 'RW007',
          'a deposit id of another player: IDEMPOTENCY_CONFLICT');

-- Withdrawals take withdrawable money only.
SELECT is(tap_helpers.error_of($$SELECT payments.withdrawal_create(p_withdrawal_id => 'w1', p_player_id => 'pp1', p_amount => 1, p_actor => 'pay')$$),
          '{"sqlstate": "RW006", "available": 0, "requested": 1}', 'CASH under an active deposit obligation is not withdrawable');
SELECT lives_ok($$SELECT payments.deposit_create(p_deposit_id => 'd4', p_player_id => 'pp2', p_amount => 3000, p_bucket_type => 'CASINO_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT admin.rolling_waive(p_rolling_id => (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'd4'), p_reason => 'vip', p_actor => 'ops');
                   SELECT payments.deposit_create(p_deposit_id => 'd5', p_player_id => 'pp2', p_amount => 2000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT admin.admin_adjust(p_adjustment_id => 'pp2-a', p_player_id => 'pp2', p_bucket_type => 'SPORTS_BONUS', p_amount => 900, p_reason => 'bonus', p_actor => 'ops')$$,
                'pp2: 3000 released to WITHDRAWABLE (waived), 2000 locked in SPORTS, 900 bonus');
SELECT is(tap_helpers.bal('pp2', 'WITHDRAWABLE'), 3000::bigint, 'waiving releases the CASINO cash to WITHDRAWABLE');
SELECT is((player.player_balances(p_player_id => 'pp2')->>'withdrawable')::bigint, 3000::bigint, 'withdrawable is 3000');
SELECT is(payments.withdrawal_create(p_withdrawal_id => 'w2', p_player_id => 'pp2', p_amount => 2500, p_actor => 'pay')->'sources', '[{"amount": 2500, "bucket_type": "WITHDRAWABLE"}]',
          'a withdrawal takes WITHDRAWABLE first');
SELECT is(tap_helpers.pocket('pp2', 'HOLD'), 2500::bigint, 'pending money is held');
SELECT is(payments.withdrawal_reject(p_withdrawal_id => 'w2', p_reason => 'bank rejected', p_actor => 'pay')->'refunded', '[{"amount": 2500, "bucket_type": "WITHDRAWABLE"}]',
          'a rejected withdrawal refunds each source exactly');
SELECT is(tap_helpers.bal('pp2', 'WITHDRAWABLE'), 3000::bigint, 'back in WITHDRAWABLE');
SELECT lives_ok($$SELECT admin.rolling_waive(p_rolling_id => (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'd5'), p_reason => 'vip', p_actor => 'ops')$$,
                'waive the SPORTS obligation too');
SELECT is(payments.withdrawal_create(p_withdrawal_id => 'w3', p_player_id => 'pp2', p_amount => 5000, p_actor => 'pay')->'sources', '[{"amount": 5000, "bucket_type": "WITHDRAWABLE"}]',
          'released SPORTS cash is WITHDRAWABLE as well (bonus is never withdrawable)');
SELECT is(payments.withdrawal_complete(p_withdrawal_id => 'w3', p_actor => 'pay')->>'status', 'PAID', 'paid out');
SELECT is(payments.withdrawal_complete(p_withdrawal_id => 'w3', p_actor => 'pay')->>'status', 'PAID', 'completing a paid withdrawal returns its state');
SELECT is(tap_helpers.error_of($$SELECT payments.withdrawal_reject(p_withdrawal_id => 'w3', p_reason => 'x', p_actor => 'pay')$$)->>'sqlstate', 'RW027', 'rejecting a paid withdrawal: INVALID_STATE');

SELECT finish();
ROLLBACK;
