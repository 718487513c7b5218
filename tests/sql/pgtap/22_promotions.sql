-- Coupons (scoped grants, eligibility, order of use, reversal) and promotion credits
-- (POINTS by default, rolling, reversal with partial recovery).  SPEC §4, §5.
BEGIN;
SELECT plan(36);


SELECT lives_ok($$SELECT wallet.open_account('cq1', 'EUR', 'tap'); SELECT wallet.admin_adjust('cq1-a', 'cq1', 'SPORTS_NORMAL', 10000, 'seed', 'ops')$$,
                'cq1 with 10000 SPORTS_NORMAL');

-- Each grant is its own row with its own restrictions.
SELECT is(wallet.coupon_grant('k-late', 'cq1', 300, ARRAY['SPORTS'], NULL, NULL, now() + interval '30 days', false, NULL, 0, 'promo'),
          '{"status": "ACTIVE", "coupon_id": "k-late", "remaining": 300, "rolling_id": null}', 'grant a coupon expiring in 30 days');
SELECT lives_ok($$SELECT wallet.coupon_grant('k-soon', 'cq1', 100, ARRAY['SPORTS'], NULL, NULL, now() + interval '1 day', false, NULL, 0, 'promo')$$,
                'and one expiring tomorrow');
SELECT lives_ok($$SELECT wallet.coupon_grant('k-odds', 'cq1', 1000, ARRAY['SPORTS'], 2.0, 500, now() + interval '2 hours', true, 'SPORTS_NORMAL', 0, 'promo')$$,
                'and one for odds >= 2.0, stakes <= 500, expiring first, paying to SPORTS_NORMAL');
SELECT lives_ok($$SELECT wallet.coupon_grant('k-casino', 'cq1', 1000, ARRAY['LIVE', 'SLOTS'], NULL, NULL, NULL, false, NULL, 0, 'promo')$$,
                'and a casino one');
SELECT is(tap_helpers.bal('cq1', 'SPORTS_BONUS') + tap_helpers.bal('cq1', 'SPORTS_NORMAL'), 10000::bigint, 'coupons are never summed into a bucket');
SELECT is(jsonb_array_length(wallet.player_balances('cq1')->'coupons'), 4, 'the snapshot lists each grant');

SELECT is(wallet.bet_authorize('q1', 'cq1', 'SPORTS', 'book', 50, 1.5, NULL, 'game')->'funding', '[{"source": "coupon:k-soon", "amount": 50}]',
          'odds 1.5: k-odds is not eligible, the earliest-expiring eligible coupon funds the bet');
SELECT is(wallet.bet_authorize('q2', 'cq1', 'SPORTS', 'book', 400, 2.5, NULL, 'game')->'funding', '[{"source": "coupon:k-odds", "amount": 400}]',
          'odds 2.5, stake 400: k-odds (expiring first) funds it');
SELECT is(wallet.bet_authorize('q3', 'cq1', 'SPORTS', 'book', 600, 2.5, NULL, 'game')->'funding',
          '[{"source": "coupon:k-soon", "amount": 50}, {"source": "SPORTS_NORMAL", "amount": 550}]',
          'stake 600 is above k-odds'' max_stake: k-soon''s remaining 50, then cash (one coupon per bet)');
SELECT is(wallet.bet_authorize('q4', 'cq1', 'LIVE', 'dealer', 100, NULL, NULL, 'game')->'funding', '[{"source": "coupon:k-casino", "amount": 100}]',
          'a LIVE bet uses the casino coupon');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_settle('q2', 'cq1', 's-q2', 'WIN', 1000, 'game')$$), NULL, 'q2 wins 1000');
SELECT is(tap_helpers.bal('cq1', 'SPORTS_NORMAL'), 10000 - 550 + 1000::bigint,
          'a stake-returning coupon pays its whole share to its own winnings bucket');

-- Reversal: remaining back to PROMOTION, consumed reported, open bets settle normally.
SELECT is(wallet.coupon_reverse('k-casino', 'rev-1', 'campaign cancelled', 'promo'),
          '{"status": "REVERSED", "consumed": 100, "reversed": 900, "coupon_id": "k-casino"}', 'a coupon reversal reports reversed and consumed');
SELECT is(tap_helpers.remaining('k-casino'), 0::bigint, 'remaining 0');
SELECT is(wallet.coupon_reverse('k-casino', 'rev-2', 'again', 'promo')->>'reversed', '900', 'reversing again returns the first reversal');
SELECT is(wallet.bet_settle('q4', 'cq1', 's-q4', 'WIN', 300, 'game')->'credits', '[{"amount": 200, "bucket_type": "CASINO_BONUS"}]',
          'the open bet it funded settles normally (free bet: 300 − 100)');
SELECT is(tap_helpers.error_of($$SELECT wallet.coupon_reverse('ghost', 'rev-3', 'x', 'promo')$$)->>'sqlstate', 'RW024', 'COUPON_NOT_FOUND');
SELECT is(tap_helpers.error_of($$SELECT wallet.coupon_grant('k-bad', 'cq1', 10, ARRAY['BINGO'], NULL, NULL, NULL, false, NULL, 0, 'promo')$$)->>'sqlstate',
          'RW008', 'a coupon for an unknown provider type: UNKNOWN_PROVIDER_TYPE');
SELECT is(jsonb_array_length(tap_helpers.error_of($$SELECT wallet.coupon_grant('', 'cq1', 0, '{}', 0.5, 0, now() - interval '1 day', false, NULL, -1, 'promo')$$)->'errors'),
          7, 'every bad field of a grant is listed');

-- A coupon with a rolling multiplier opens a BONUS obligation; reversing cancels it.
SELECT is((wallet.coupon_grant('k-roll', 'cq1', 200, ARRAY['SPORTS'], NULL, NULL, NULL, false, NULL, 5, 'promo')->'rolling_id') IS NOT NULL, true,
          'a coupon with rolling_multiplier 5 opens an obligation');
SELECT is((SELECT kind || ' ' || required FROM wallet.rolling_obligation WHERE source_kind = 'coupon' AND source_id = 'k-roll'), 'BONUS 1000',
          'BONUS, required 200 × 5');
SELECT lives_ok($$SELECT wallet.coupon_reverse('k-roll', 'rev-roll', 'x', 'promo')$$, 'reverse it');
SELECT is((SELECT status FROM wallet.rolling_obligation WHERE source_kind = 'coupon' AND source_id = 'k-roll'), 'CANCELLED',
          'its obligation is cancelled');

-- Promotion credits.
SELECT is(wallet.promotion_credit('cr1', 'cq1', 'CASHBACK', 4000, NULL, 0, 'promo'),
          '{"kind": "CASHBACK", "amount": 4000, "credit_id": "cr1", "rolling_id": null, "bucket_type": "POINTS", "balance_after": 4000}',
          'cashback credits POINTS by default');
SELECT is((wallet.promotion_credit('cr2', 'cq1', 'EVENT', 1000, 'SPORTS_BONUS', 3, 'promo')->'rolling_id') IS NOT NULL, true,
          'an event reward to SPORTS_BONUS with rolling 3x opens an obligation');
SELECT is(tap_helpers.error_of($$SELECT wallet.promotion_credit('cr3', 'cq1', 'REBATE', 10, 'POINTS', 2, 'promo')$$)->'errors'->0->>'path',
          'rolling_multiplier', 'rolling on a shared bucket is refused');
SELECT is(tap_helpers.error_of($$SELECT wallet.promotion_credit('cr3', 'cq1', 'GIFT', 10, 'POINTS', 0, 'promo')$$)->>'sqlstate', 'RW001', 'unknown kind');

-- Reversal with partial recovery never goes below zero and never fails half-way.
SELECT lives_ok($$SELECT wallet.transfer_create('t1', 'cq1', 'POINTS', 'SPORTS_NORMAL', 3000, 'player')$$, '3000 of the cashback points moved on');
SELECT is(wallet.promotion_reverse('cr1', 'prev-1', 'chargeback', 'promo'),
          '{"status": "REVERSED", "reversed": 1000, "credit_id": "cr1", "bucket_type": "POINTS", "unrecovered": 3000}',
          'the reversal takes what is still there and records the rest as unrecovered');
SELECT is(tap_helpers.bal('cq1', 'POINTS'), 0::bigint, 'POINTS at zero, not below');
SELECT is(wallet.promotion_reverse('cr2', 'prev-2', 'x', 'promo')->>'reversed', '1000', 'the event reward is fully recovered');

-- An expired coupon funds nothing, is not offered in the player snapshot, and does not keep the
-- account from closing (time is simulated: the test moves the expiry into the past).
SELECT lives_ok($$SELECT wallet.open_account('cq9', 'EUR', 'tap');
                   SELECT wallet.coupon_grant('k-exp', 'cq9', 500, ARRAY['SPORTS'], NULL, NULL, now() + interval '1 day', true, NULL, 0, 'promo');
                   UPDATE wallet.coupon SET expires_at = now() - interval '1 second' WHERE coupon_id = 'k-exp'$$,
                'cq9 holds only a 500 coupon, now expired');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('k-exp-b1', 'cq9', 'SPORTS', 'book', 100, NULL, NULL, 'game')$$),
          '{"sqlstate": "RW006", "available": 0, "requested": 100}', 'a bet cannot use it: INSUFFICIENT_FUNDS, 0 available');
SELECT is(wallet.player_balances('cq9')->'coupons', '[]', 'the snapshot offers no expired coupon');
SELECT is(wallet.account_set_status('cq9', 'closed', 'bye', 'ops')->>'status', 'closed', 'and the account may close');

SELECT finish();
ROLLBACK;
