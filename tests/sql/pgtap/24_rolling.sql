-- Rolling obligations (SPEC §5a): oldest first with carry-over, release on completion
-- (winnings of the completing bet included), bonus conversion, waive and cancel, auto-
-- completion, contribution rates, and rollback after completion.
BEGIN;
SELECT plan(36);

CREATE FUNCTION pg_temp.obligations(p_player text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s:%s %s/%s %s', r.wallet_group, r.kind, r.progress, r.required, r.status), ', ' ORDER BY r.rolling_id)
      FROM wallet.rolling_obligation r WHERE r.account_id = p_player
$$;
CREATE FUNCTION pg_temp.bet(p_player text, p_bet text, p_provider text, p_stake bigint, p_result text, p_payout bigint, p_odds numeric DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT wallet.bet_authorize(p_bet, p_player, p_provider, 'prov', p_stake, p_odds, NULL, 'game');
    SELECT wallet.bet_settle(p_bet, p_player, 's-' || p_bet, p_result, p_payout, 'game');
$$;

-- Two deposits: progress fills the oldest, carries on to the next.
SELECT lives_ok($$SELECT wallet.open_account('rp1', 'EUR', 'tap');
                   SELECT wallet.deposit_create('rd1', 'rp1', 1000, 'SPORTS_NORMAL', true, 'pay');
                   SELECT wallet.deposit_create('rd2', 'rp1', 2000, 'SPORTS_NORMAL', true, 'pay')$$, 'rp1 deposits 1000 then 2000');
SELECT is(pg_temp.obligations('rp1'), 'SPORTS:DEPOSIT 0/1000 ACTIVE, SPORTS:DEPOSIT 0/2000 ACTIVE', 'two obligations');
SELECT is(tap_helpers.named_ids(pg_temp.bet('rp1', 'r1', 'SPORTS', 1500, 'LOSS', 0))->'rolling',
          '[{"status": "COMPLETED", "progress": 1000, "rolling_id": "(deposit rd1)"}, {"status": "ACTIVE", "progress": 500, "rolling_id": "(deposit rd2)"}]',
          'a 1500 loss completes the first and carries 500 to the second');
SELECT is(tap_helpers.bal('rp1', 'WITHDRAWABLE'), 1000::bigint, 'another obligation remains: the first releases its base (1000)');
SELECT is(tap_helpers.bal('rp1', 'SPORTS_NORMAL'), 500::bigint, 'what is left in the group stays locked');
SELECT is(tap_helpers.named_ids(pg_temp.bet('rp1', 'r2', 'SPORTS', 500, 'WIN', 2000))->'rolling', '[{"status": "ACTIVE", "progress": 1000, "rolling_id": "(deposit rd2)"}]',
          'a 500 win adds 500');
SELECT is(tap_helpers.named_ids(pg_temp.bet('rp1', 'r3', 'SPORTS', 1000, 'WIN', 3000))->'rolling', '[{"status": "COMPLETED", "progress": 2000, "rolling_id": "(deposit rd2)"}]',
          'a 1000 win completes the second');
SELECT is(tap_helpers.bal('rp1', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('rp1', 'WITHDRAWABLE'), '0/5000',
          'the last obligation releases all of the group''s cash, the completing bet''s winnings included');

-- A rollback after completion: progress comes back off, the obligation stays completed.
SELECT is(wallet.bet_rollback('r3', 'rp1', 'rb-r3', NULL, 'game')->'rolling', '[]', 'no active obligation to take progress from');
SELECT is(pg_temp.obligations('rp1'), 'SPORTS:DEPOSIT 1000/1000 COMPLETED, SPORTS:DEPOSIT 2000/2000 COMPLETED', 'both stay completed');
SELECT is(tap_helpers.bal('rp1', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('rp1', 'WITHDRAWABLE'), '0/3000',
          'the net win (3000 paid − 1000 staked) came back out of WITHDRAWABLE, where the release had moved it');

-- LIVE contributes 10%, SLOTS 100%; CASINO is one group for both.
SELECT lives_ok($$SELECT wallet.deposit_create('rd3', 'rp1', 5000, 'CASINO_NORMAL', true, 'pay')$$, 'rp1 deposits 5000 to CASINO');
SELECT is(pg_temp.bet('rp1', 'l1', 'LIVE', 1000, 'LOSS', 0)->'rolling'->0->>'progress', '100', 'LIVE: 1000 staked counts 100');
SELECT is(pg_temp.bet('rp1', 'l2', 'SLOTS', 1000, 'LOSS', 0)->'rolling'->0->>'progress', '1100', 'SLOTS: 1000 staked counts 1000');
SELECT is(pg_temp.bet('rp1', 'l3', 'SLOTS', 1000, 'VOID', 0)->'rolling', '[]', 'VOID counts nothing');

-- A min_odds rule in a new policy applies to bets authorized under it (the snapshot).
SELECT lives_ok($$SELECT wallet.policy_create('SLOTS', jsonb_set(wallet._default_betting_policy('SLOTS', 1), '{rolling,min_odds}', '1.5'), 'min odds', NULL, 'ops');
                   SELECT wallet.policy_activate('SLOTS', 2, 'min odds', 'ops')$$, 'SLOTS policy 2: only odds >= 1.5 count');
SELECT is(pg_temp.bet('rp1', 'l4', 'SLOTS', 100, 'LOSS', 0, 1.4)->'rolling', '[]', 'odds 1.4 count nothing');
SELECT is(pg_temp.bet('rp1', 'l5', 'SLOTS', 100, 'LOSS', 0, 1.5)->'rolling'->0->>'progress', '1200', 'odds 1.5 count');

-- Waive releases as a completion does; cancel forfeits bonus money.
SELECT is(wallet.rolling_waive((SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'vip', 'ops') - 'progress',
          jsonb_build_object('rolling_id', (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'status', 'WAIVED',
                             'released', 2800, 'forfeited', 0), 'waiving releases the CASINO cash (5000 − 2200 lost)');
SELECT is(wallet.rolling_waive((SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'again', 'ops') - 'progress',
          jsonb_build_object('rolling_id', (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'status', 'WAIVED',
                             'released', 2800, 'forfeited', 0), 'waiving again returns the first answer and moves nothing');
SELECT is(tap_helpers.error_of(format('SELECT wallet.rolling_cancel(%s, %L, %L)', (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'x', 'ops'))->>'sqlstate',
          'RW027', 'cancelling a waived obligation: INVALID_STATE');
SELECT is(tap_helpers.error_of($$SELECT wallet.rolling_waive(999999, 'x', 'ops')$$)->>'sqlstate', 'RW026', 'ROLLING_NOT_FOUND');
SELECT lives_ok($$SELECT wallet.promotion_credit('rc1', 'rp1', 'EVENT', 600, 'CASINO_BONUS', 2, 'promo')$$, '600 CASINO_BONUS with 2x rolling');
SELECT is(wallet.rolling_cancel((SELECT rolling_id FROM wallet.promotion_credit WHERE credit_id = 'rc1'), 'abuse', 'ops')->>'forfeited', '600',
          'cancel forfeits the bonus money');
SELECT is(tap_helpers.bal('rp1', 'CASINO_BONUS'), 0::bigint, 'to PROMOTION');
SELECT is(wallet.rolling_cancel((SELECT rolling_id FROM wallet.promotion_credit WHERE credit_id = 'rc1'), 'again', 'ops')->>'forfeited', '600',
          'cancelling again answers the same forfeit');

-- A BONUS obligation completes by betting and converts the bonus to CASH.
SELECT lives_ok($$SELECT wallet.promotion_credit('rc2', 'rp1', 'EVENT', 400, 'CASINO_BONUS', 1, 'promo')$$, '400 CASINO_BONUS with 1x rolling');
SELECT is(pg_temp.bet('rp1', 'l6', 'SLOTS', 400, 'WIN', 600, 2.0)->'rolling'->0->>'status', 'COMPLETED',
          'a 400 slots bet funded from WITHDRAWABLE completes the 400 requirement: BONUS obligations count any stake');
SELECT is(tap_helpers.bal('rp1', 'CASINO_BONUS') || '/' || tap_helpers.bal('rp1', 'CASINO_NORMAL'), '0/400',
          'the bonus converted to the money policy''s destination (CASINO_NORMAL)');

-- A payout a BONUS conversion moved to CASH (not to WITHDRAWABLE) cannot be taken back from
-- WITHDRAWABLE: the rollback is refused and nothing changes (SPEC §5a).
SELECT lives_ok($$SELECT wallet.open_account('rp3', 'KRW', 'tap');
                   SELECT wallet.admin_adjust('rp3-a1', 'rp3', 'WITHDRAWABLE', 5000, 'funds', 'ops');
                   SELECT wallet.coupon_grant('rp3-c1', 'rp3', 1000, ARRAY['SPORTS'], NULL, NULL, NULL, true, NULL, 1, 'promo');
                   SELECT pg_temp.bet('rp3', 'y1', 'SPORTS', 1000, 'WIN', 2000)$$,
                'rp3: a 1000 coupon bet wins 2000 to SPORTS_BONUS; its 1x obligation completes and converts it to SPORTS_NORMAL');
SELECT is(tap_helpers.bal('rp3', 'SPORTS_BONUS') || '/' || tap_helpers.bal('rp3', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('rp3', 'WITHDRAWABLE'),
          '0/2000/5000', 'the payout sits in SPORTS_NORMAL, WITHDRAWABLE untouched');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_rollback('y1', 'rp3', 'rb-y1', NULL, 'game')$$),
          '{"sqlstate": "RW006", "available": 0, "requested": 2000, "bucket_type": "SPORTS_BONUS"}',
          'rolling it back is INSUFFICIENT_FUNDS: no release moved the payout to WITHDRAWABLE');
SELECT is(tap_helpers.bal('rp3', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('rp3', 'WITHDRAWABLE'), '2000/5000', 'and nothing moved');

-- Auto-completion: a player who busts out has nothing left to roll.
SELECT lives_ok($$SELECT wallet.open_account('rp2', 'EUR', 'tap');
                   SELECT wallet.deposit_create('rd4', 'rp2', 1000, 'SPORTS_NORMAL', true, 'pay');
                   SELECT pg_temp.bet('rp2', 'x1', 'SPORTS', 300, 'LOSS', 0, 1.01)$$, 'rp2 deposits 1000, loses 300');
SELECT is(pg_temp.bet('rp2', 'x2', 'SPORTS', 700, 'LOSS', 0)->>'status', 'SETTLED', 'and loses the rest');
SELECT is(pg_temp.obligations('rp2'), 'SPORTS:DEPOSIT 1000/1000 COMPLETED', 'the obligation completed (progress and auto-completion agree)');

SELECT finish();
ROLLBACK;
