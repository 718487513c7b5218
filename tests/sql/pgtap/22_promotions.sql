-- Coupons (scoped grants, eligibility, order of use, reversal) and promotion credits
-- (POINTS by default, rolling, reversal with partial recovery).  SPEC §4, §5.
BEGIN;
SELECT plan(36);


SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'cq1', p_currency => 'EUR', p_actor => 'tap'); SELECT admin.admin_adjust(p_adjustment_id => 'cq1-a', p_player_id => 'cq1', p_bucket_type => 'SPORTS_NORMAL', p_amount => 10000, p_reason => 'seed', p_actor => 'ops')$$,
                'cq1 with 10000 SPORTS_NORMAL');

-- Each grant is its own row with its own restrictions.
SELECT is(promotion.coupon_grant(p_coupon_id => 'k-late', p_player_id => 'cq1', p_amount => 300, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => now() + interval '30 days', p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo'),
          '{"status": "ACTIVE", "coupon_id": "k-late", "remaining": 300, "rolling_id": null}', 'grant a coupon expiring in 30 days');
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'k-soon', p_player_id => 'cq1', p_amount => 100, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => now() + interval '1 day', p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo')$$,
                'and one expiring tomorrow');
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'k-odds', p_player_id => 'cq1', p_amount => 1000, p_provider_types => ARRAY['SPORTS'], p_min_odds => 2.0, p_max_stake => 500, p_expires_at => now() + interval '2 hours', p_stake_returned => true, p_winnings_bucket_type => 'SPORTS_NORMAL', p_rolling_multiplier => 0, p_actor => 'promo')$$,
                'and one for odds >= 2.0, stakes <= 500, expiring first, paying to SPORTS_NORMAL');
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'k-casino', p_player_id => 'cq1', p_amount => 1000, p_provider_types => ARRAY['LIVE', 'SLOTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo')$$,
                'and a casino one');
SELECT is(tap_helpers.bal('cq1', 'SPORTS_BONUS') + tap_helpers.bal('cq1', 'SPORTS_NORMAL'), 10000::bigint, 'coupons are never summed into a bucket');
SELECT is(jsonb_array_length(player.player_balances(p_player_id => 'cq1')->'coupons'), 4, 'the snapshot lists each grant');

SELECT is(game.bet_authorize(p_bet_id => 'q1', p_player_id => 'cq1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 50, p_odds => 1.5, p_selected_source => NULL, p_actor => 'game')->'funding', '[{"source": "coupon:k-soon", "amount": 50}]',
          'odds 1.5: k-odds is not eligible, the earliest-expiring eligible coupon funds the bet');
SELECT is(game.bet_authorize(p_bet_id => 'q2', p_player_id => 'cq1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 400, p_odds => 2.5, p_selected_source => NULL, p_actor => 'game')->'funding', '[{"source": "coupon:k-odds", "amount": 400}]',
          'odds 2.5, stake 400: k-odds (expiring first) funds it');
SELECT is(game.bet_authorize(p_bet_id => 'q3', p_player_id => 'cq1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 600, p_odds => 2.5, p_selected_source => NULL, p_actor => 'game')->'funding',
          '[{"source": "coupon:k-soon", "amount": 50}, {"source": "SPORTS_NORMAL", "amount": 550}]',
          'stake 600 is above k-odds'' max_stake: k-soon''s remaining 50, then cash (one coupon per bet)');
SELECT is(game.bet_authorize(p_bet_id => 'q4', p_player_id => 'cq1', p_provider_type => 'LIVE', p_provider_id => 'dealer', p_stake => 100, p_odds => NULL, p_selected_source => NULL, p_actor => 'game')->'funding', '[{"source": "coupon:k-casino", "amount": 100}]',
          'a LIVE bet uses the casino coupon');
SELECT is(tap_helpers.error_of($$SELECT game.bet_settle(p_bet_id => 'q2', p_player_id => 'cq1', p_settlement_id => 's-q2', p_result => 'WIN', p_payout => 1000, p_actor => 'game')$$), NULL, 'q2 wins 1000');
SELECT is(tap_helpers.bal('cq1', 'SPORTS_NORMAL'), 10000 - 550 + 1000::bigint,
          'a stake-returning coupon pays its whole share to its own winnings bucket');

-- Reversal: remaining back to PROMOTION, consumed reported, open bets settle normally.
SELECT is(promotion.coupon_reverse(p_coupon_id => 'k-casino', p_reversal_id => 'rev-1', p_reason => 'campaign cancelled', p_actor => 'promo'),
          '{"status": "REVERSED", "consumed": 100, "reversed": 900, "coupon_id": "k-casino"}', 'a coupon reversal reports reversed and consumed');
SELECT is(tap_helpers.remaining('k-casino'), 0::bigint, 'remaining 0');
SELECT is(promotion.coupon_reverse(p_coupon_id => 'k-casino', p_reversal_id => 'rev-2', p_reason => 'again', p_actor => 'promo')->>'reversed', '900', 'reversing again returns the first reversal');
SELECT is(game.bet_settle(p_bet_id => 'q4', p_player_id => 'cq1', p_settlement_id => 's-q4', p_result => 'WIN', p_payout => 300, p_actor => 'game')->'credits', '[{"amount": 200, "bucket_type": "CASINO_BONUS"}]',
          'the open bet it funded settles normally (free bet: 300 − 100)');
SELECT is(tap_helpers.error_of($$SELECT promotion.coupon_reverse(p_coupon_id => 'ghost', p_reversal_id => 'rev-3', p_reason => 'x', p_actor => 'promo')$$)->>'sqlstate', 'RW024', 'COUPON_NOT_FOUND');
SELECT is(tap_helpers.error_of($$SELECT promotion.coupon_grant(p_coupon_id => 'k-bad', p_player_id => 'cq1', p_amount => 10, p_provider_types => ARRAY['BINGO'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo')$$)->>'sqlstate',
          'RW008', 'a coupon for an unknown provider type: UNKNOWN_PROVIDER_TYPE');
SELECT is(jsonb_array_length(tap_helpers.error_of($$SELECT promotion.coupon_grant(p_coupon_id => '', p_player_id => 'cq1', p_amount => 0, p_provider_types => '{}', p_min_odds => 0.5, p_max_stake => 0, p_expires_at => now() - interval '1 day', p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => -1, p_actor => 'promo')$$)->'errors'),
          7, 'every bad field of a grant is listed');

-- A coupon with a rolling multiplier opens a BONUS obligation; reversing cancels it.
SELECT is((promotion.coupon_grant(p_coupon_id => 'k-roll', p_player_id => 'cq1', p_amount => 200, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => 5, p_actor => 'promo')->'rolling_id') IS NOT NULL, true,
          'a coupon with rolling_multiplier 5 opens an obligation');
SELECT is((SELECT kind || ' ' || required FROM wallet.rolling_obligation WHERE source_kind = 'coupon' AND source_id = 'k-roll'), 'BONUS 1000',
          'BONUS, required 200 × 5');
SELECT lives_ok($$SELECT promotion.coupon_reverse(p_coupon_id => 'k-roll', p_reversal_id => 'rev-roll', p_reason => 'x', p_actor => 'promo')$$, 'reverse it');
SELECT is((SELECT status::text FROM wallet.rolling_obligation WHERE source_kind = 'coupon' AND source_id = 'k-roll'), 'CANCELLED',
          'its obligation is cancelled');

-- Promotion credits.
SELECT is(promotion.promotion_credit(p_credit_id => 'cr1', p_player_id => 'cq1', p_kind => 'CASHBACK', p_amount => 4000, p_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo'),
          '{"kind": "CASHBACK", "amount": 4000, "credit_id": "cr1", "rolling_id": null, "bucket_type": "POINTS", "balance_after": 4000}',
          'cashback credits POINTS by default');
SELECT is((promotion.promotion_credit(p_credit_id => 'cr2', p_player_id => 'cq1', p_kind => 'EVENT', p_amount => 1000, p_bucket_type => 'SPORTS_BONUS', p_rolling_multiplier => 3, p_actor => 'promo')->'rolling_id') IS NOT NULL, true,
          'an event reward to SPORTS_BONUS with rolling 3x opens an obligation');
SELECT is(tap_helpers.error_of($$SELECT promotion.promotion_credit(p_credit_id => 'cr3', p_player_id => 'cq1', p_kind => 'REBATE', p_amount => 10, p_bucket_type => 'POINTS', p_rolling_multiplier => 2, p_actor => 'promo')$$)->'errors'->0->>'path',
          'rolling_multiplier', 'rolling on a shared bucket is refused');
SELECT is(tap_helpers.error_of($$SELECT promotion.promotion_credit(p_credit_id => 'cr3', p_player_id => 'cq1', p_kind => 'GIFT', p_amount => 10, p_bucket_type => 'POINTS', p_rolling_multiplier => 0, p_actor => 'promo')$$)->>'sqlstate', 'RW001', 'unknown kind');

-- Reversal with partial recovery never goes below zero and never fails half-way.
SELECT lives_ok($$SELECT player.transfer_create(p_transfer_id => 't1', p_player_id => 'cq1', p_from => 'POINTS', p_to => 'SPORTS_NORMAL', p_amount => 3000, p_actor => 'player')$$, '3000 of the cashback points moved on');
SELECT is(promotion.promotion_reverse(p_credit_id => 'cr1', p_reversal_id => 'prev-1', p_reason => 'chargeback', p_actor => 'promo'),
          '{"status": "REVERSED", "reversed": 1000, "credit_id": "cr1", "bucket_type": "POINTS", "unrecovered": 3000}',
          'the reversal takes what is still there and records the rest as unrecovered');
SELECT is(tap_helpers.bal('cq1', 'POINTS'), 0::bigint, 'POINTS at zero, not below');
SELECT is(promotion.promotion_reverse(p_credit_id => 'cr2', p_reversal_id => 'prev-2', p_reason => 'x', p_actor => 'promo')->>'reversed', '1000', 'the event reward is fully recovered');

-- An expired coupon funds nothing, is not offered in the player snapshot, and does not keep the
-- account from closing (time is simulated: the test moves the expiry into the past).
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'cq9', p_currency => 'EUR', p_actor => 'tap');
                   SELECT promotion.coupon_grant(p_coupon_id => 'k-exp', p_player_id => 'cq9', p_amount => 500, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => now() + interval '1 day', p_stake_returned => true, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo');
                   UPDATE wallet.coupon SET expires_at = now() - interval '1 second' WHERE coupon_id = 'k-exp'$$,
                'cq9 holds only a 500 coupon, now expired');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'k-exp-b1', p_player_id => 'cq9', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 100, p_odds => NULL, p_selected_source => NULL, p_actor => 'game')$$),
          '{"sqlstate": "RW006", "available": 0, "requested": 100}', 'a bet cannot use it: INSUFFICIENT_FUNDS, 0 available');
SELECT is(player.player_balances(p_player_id => 'cq9')->'coupons', '[]', 'the snapshot offers no expired coupon');
SELECT is(admin.account_set_status(p_player_id => 'cq9', p_status => 'closed', p_reason => 'bye', p_actor => 'ops')->>'status', 'closed', 'and the account may close');

SELECT finish();
ROLLBACK;
