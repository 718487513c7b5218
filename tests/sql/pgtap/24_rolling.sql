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
    SELECT game.bet_authorize(p_bet_id => p_bet, p_player_id => p_player, p_provider_type => p_provider, p_provider_id => 'prov', p_stake => p_stake, p_odds => p_odds, p_selected_source => NULL, p_actor => 'game');
    SELECT game.bet_settle(p_bet_id => p_bet, p_player_id => p_player, p_settlement_id => 's-' || p_bet, p_result => p_result, p_payout => p_payout, p_actor => 'game');
$$;

-- Two deposits: progress fills the oldest, carries on to the next.
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'rp1', p_currency => 'EUR', p_actor => 'tap');
                   SELECT payments.deposit_create(p_deposit_id => 'rd1', p_player_id => 'rp1', p_amount => 1000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT payments.deposit_create(p_deposit_id => 'rd2', p_player_id => 'rp1', p_amount => 2000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay')$$, 'rp1 deposits 1000 then 2000');
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
SELECT is(game.bet_rollback(p_bet_id => 'r3', p_player_id => 'rp1', p_rollback_id => 'rb-r3', p_reason => NULL, p_actor => 'game')->'rolling', '[]', 'no active obligation to take progress from');
SELECT is(pg_temp.obligations('rp1'), 'SPORTS:DEPOSIT 1000/1000 COMPLETED, SPORTS:DEPOSIT 2000/2000 COMPLETED', 'both stay completed');
SELECT is(tap_helpers.bal('rp1', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('rp1', 'WITHDRAWABLE'), '0/3000',
          'the net win (3000 paid − 1000 staked) came back out of WITHDRAWABLE, where the release had moved it');

-- LIVE contributes 10%, SLOTS 100%; CASINO is one group for both.
SELECT lives_ok($$SELECT payments.deposit_create(p_deposit_id => 'rd3', p_player_id => 'rp1', p_amount => 5000, p_bucket_type => 'CASINO_NORMAL', p_auto_approve => true, p_actor => 'pay')$$, 'rp1 deposits 5000 to CASINO');
SELECT is(pg_temp.bet('rp1', 'l1', 'LIVE', 1000, 'LOSS', 0)->'rolling'->0->>'progress', '100', 'LIVE: 1000 staked counts 100');
SELECT is(pg_temp.bet('rp1', 'l2', 'SLOTS', 1000, 'LOSS', 0)->'rolling'->0->>'progress', '1100', 'SLOTS: 1000 staked counts 1000');
SELECT is(pg_temp.bet('rp1', 'l3', 'SLOTS', 1000, 'VOID', 0)->'rolling', '[]', 'VOID counts nothing');

-- A min_odds rule in a new policy applies to bets authorized under it (the snapshot).
SELECT lives_ok($$SELECT admin.policy_create(p_provider_type => 'SLOTS', p_document => jsonb_set(wallet._default_betting_policy(p_provider_type => 'SLOTS', p_topology => 1), '{rolling,min_odds}', '1.5'), p_reason => 'min odds', p_topology_version => NULL, p_actor => 'ops');
                   SELECT admin.policy_activate(p_provider_type => 'SLOTS', p_version => 2, p_reason => 'min odds', p_actor => 'ops')$$, 'SLOTS policy 2: only odds >= 1.5 count');
SELECT is(pg_temp.bet('rp1', 'l4', 'SLOTS', 100, 'LOSS', 0, 1.4)->'rolling', '[]', 'odds 1.4 count nothing');
SELECT is(pg_temp.bet('rp1', 'l5', 'SLOTS', 100, 'LOSS', 0, 1.5)->'rolling'->0->>'progress', '1200', 'odds 1.5 count');

-- Waive releases as a completion does; cancel forfeits bonus money.
SELECT is(admin.rolling_waive(p_rolling_id => (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), p_reason => 'vip', p_actor => 'ops') - 'progress',
          jsonb_build_object('rolling_id', (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'status', 'WAIVED',
                             'released', 2800, 'forfeited', 0), 'waiving releases the CASINO cash (5000 − 2200 lost)');
SELECT is(admin.rolling_waive(p_rolling_id => (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), p_reason => 'again', p_actor => 'ops') - 'progress',
          jsonb_build_object('rolling_id', (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'status', 'WAIVED',
                             'released', 2800, 'forfeited', 0), 'waiving again returns the first answer and moves nothing');
SELECT is(tap_helpers.error_of(format('SELECT admin.rolling_cancel(p_rolling_id => %s, p_reason => %L, p_actor => %L)', (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'rd3'), 'x', 'ops'))->>'sqlstate',
          'RW027', 'cancelling a waived obligation: INVALID_STATE');
SELECT is(tap_helpers.error_of($$SELECT admin.rolling_waive(p_rolling_id => 999999, p_reason => 'x', p_actor => 'ops')$$)->>'sqlstate', 'RW026', 'ROLLING_NOT_FOUND');
SELECT lives_ok($$SELECT promotion.promotion_credit(p_credit_id => 'rc1', p_player_id => 'rp1', p_kind => 'EVENT', p_amount => 600, p_bucket_type => 'CASINO_BONUS', p_rolling_multiplier => 2, p_actor => 'promo')$$, '600 CASINO_BONUS with 2x rolling');
SELECT is(admin.rolling_cancel(p_rolling_id => (SELECT rolling_id FROM wallet.promotion_credit WHERE credit_id = 'rc1'), p_reason => 'abuse', p_actor => 'ops')->>'forfeited', '600',
          'cancel forfeits the bonus money');
SELECT is(tap_helpers.bal('rp1', 'CASINO_BONUS'), 0::bigint, 'to PROMOTION');
SELECT is(admin.rolling_cancel(p_rolling_id => (SELECT rolling_id FROM wallet.promotion_credit WHERE credit_id = 'rc1'), p_reason => 'again', p_actor => 'ops')->>'forfeited', '600',
          'cancelling again answers the same forfeit');

-- A BONUS obligation completes by betting and converts the bonus to CASH.
SELECT lives_ok($$SELECT promotion.promotion_credit(p_credit_id => 'rc2', p_player_id => 'rp1', p_kind => 'EVENT', p_amount => 400, p_bucket_type => 'CASINO_BONUS', p_rolling_multiplier => 1, p_actor => 'promo')$$, '400 CASINO_BONUS with 1x rolling');
SELECT is(pg_temp.bet('rp1', 'l6', 'SLOTS', 400, 'WIN', 600, 2.0)->'rolling'->0->>'status', 'COMPLETED',
          'a 400 slots bet funded from WITHDRAWABLE completes the 400 requirement: BONUS obligations count any stake');
SELECT is(tap_helpers.bal('rp1', 'CASINO_BONUS') || '/' || tap_helpers.bal('rp1', 'CASINO_NORMAL'), '0/400',
          'the bonus converted to the money policy''s destination (CASINO_NORMAL)');

-- A payout a BONUS conversion moved to CASH (not to WITHDRAWABLE) cannot be taken back from
-- WITHDRAWABLE: the rollback is refused and nothing changes (SPEC §5a).
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'rp3', p_currency => 'KRW', p_actor => 'tap');
                   SELECT admin.admin_adjust(p_adjustment_id => 'rp3-a1', p_player_id => 'rp3', p_bucket_type => 'WITHDRAWABLE', p_amount => 5000, p_reason => 'funds', p_actor => 'ops');
                   SELECT promotion.coupon_grant(p_coupon_id => 'rp3-c1', p_player_id => 'rp3', p_amount => 1000, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => true, p_winnings_bucket_type => NULL, p_rolling_multiplier => 1, p_actor => 'promo');
                   SELECT pg_temp.bet('rp3', 'y1', 'SPORTS', 1000, 'WIN', 2000)$$,
                'rp3: a 1000 coupon bet wins 2000 to SPORTS_BONUS; its 1x obligation completes and converts it to SPORTS_NORMAL');
SELECT is(tap_helpers.bal('rp3', 'SPORTS_BONUS') || '/' || tap_helpers.bal('rp3', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('rp3', 'WITHDRAWABLE'),
          '0/2000/5000', 'the payout sits in SPORTS_NORMAL, WITHDRAWABLE untouched');
SELECT is(tap_helpers.error_of($$SELECT game.bet_rollback(p_bet_id => 'y1', p_player_id => 'rp3', p_rollback_id => 'rb-y1', p_reason => NULL, p_actor => 'game')$$),
          '{"sqlstate": "RW006", "available": 0, "requested": 2000, "bucket_type": "SPORTS_BONUS"}',
          'rolling it back is INSUFFICIENT_FUNDS: no release moved the payout to WITHDRAWABLE');
SELECT is(tap_helpers.bal('rp3', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('rp3', 'WITHDRAWABLE'), '2000/5000', 'and nothing moved');

-- Auto-completion: a player who busts out has nothing left to roll.
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'rp2', p_currency => 'EUR', p_actor => 'tap');
                   SELECT payments.deposit_create(p_deposit_id => 'rd4', p_player_id => 'rp2', p_amount => 1000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT pg_temp.bet('rp2', 'x1', 'SPORTS', 300, 'LOSS', 0, 1.01)$$, 'rp2 deposits 1000, loses 300');
SELECT is(pg_temp.bet('rp2', 'x2', 'SPORTS', 700, 'LOSS', 0)->>'status', 'SETTLED', 'and loses the rest');
SELECT is(pg_temp.obligations('rp2'), 'SPORTS:DEPOSIT 1000/1000 COMPLETED', 'the obligation completed (progress and auto-completion agree)');

SELECT finish();
ROLLBACK;
