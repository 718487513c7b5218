-- The bets domain's "pay more" (wallet._bet_pay_more): a casino round's later win paid on a
-- settled bet from its snapshot — split by stake to the stored destinations, a free bet's
-- stake withheld once over all its payouts, the house paying, no rolling — and reversed with
-- the settlement by game.bet_rollback.  The casino rounds that call it: 30_casino_rounds.sql.
BEGIN;
SELECT plan(33);

SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'pm1', p_currency => 'EUR', p_actor => 'tap'),
                         payments.deposit_create(p_deposit_id => 'pm1-d1', p_player_id => 'pm1', p_amount => 10000,
                                                 p_bucket_type => 'CASINO_NORMAL', p_auto_approve => true, p_actor => 'tap'),
                         promotion.coupon_grant(p_coupon_id => 'pm-c1', p_player_id => 'pm1', p_amount => 500,
                                                p_provider_types => ARRAY['SLOTS'], p_actor => 'tap')$$,
                'pm1 holds 10000 in CASINO_NORMAL and a 500 free-bet coupon for SLOTS');

-- Bet A: 1000, the coupon's 500 first (SLOTS deduction order), then 500 of cash.
SELECT is(game.bet_authorize(p_bet_id => 'pa', p_player_id => 'pm1', p_provider_type => 'SLOTS', p_provider_id => 'slot',
                             p_stake => 1000, p_actor => 'tap')->'funding',
          '[{"amount": 500, "source": "coupon:pm-c1"}, {"amount": 500, "source": "CASINO_NORMAL"}]', 'bet A: coupon and cash');
SELECT is(wallet._bet_payout_txns(p_account_id => 'pm1', p_bet_id => 'pa'), '{}'::bigint[], 'no payout yet');
SELECT is(tap_helpers.error_of($$SELECT wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pa', p_amount => 10, p_ref => 't', p_actor => 'tap')$$)->>'sqlstate',
          'RW027', 'an open bet is not paid more: INVALID_STATE');
SELECT lives_ok($$SELECT game.bet_settle(p_bet_id => 'pa', p_player_id => 'pm1', p_settlement_id => 'pa-s', p_result => 'WIN',
                                         p_payout => 1200, p_actor => 'tap')$$, 'A wins 1200: 600 per source');
SELECT is(ARRAY[tap_helpers.bal('pm1', 'CASINO_NORMAL'), tap_helpers.bal('pm1', 'CASINO_BONUS'), tap_helpers.pocket('pm1', 'PROMOTION')],
          ARRAY[10100::bigint, 100, 0], 'cash 9500 + 600; the free bet pays 600 − its 500 stake to CASINO_BONUS');
SELECT tap_helpers.pocket('pm1', 'HOUSE') AS house_before \gset
SELECT is(wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pa', p_amount => 300, p_ref => 'round-win-2', p_actor => 'tap'),
          '{"bet_id": "pa", "payout": 1500, "result": "WIN", "status": "SETTLED", "credits": [{"amount": 150, "bucket_type": "CASINO_BONUS"}, {"amount": 150, "bucket_type": "CASINO_NORMAL"}], "withheld": 0, "payout_added": 300}',
          'paying 300 more: 150 per source by stake, to the same destinations; the coupon''s stake was withheld already');
SELECT is(ARRAY[tap_helpers.bal('pm1', 'CASINO_NORMAL'), tap_helpers.bal('pm1', 'CASINO_BONUS')], ARRAY[10250::bigint, 250],
          'the buckets got them');
SELECT is(tap_helpers.pocket('pm1', 'HOUSE'), :'house_before'::bigint - 300, 'the house paid them');
SELECT is(tap_helpers.pocket('pm1', 'HOLD'), 0::bigint, 'HOLD is untouched');
SELECT is((SELECT payout FROM wallet.bet WHERE bet_id = 'pa'), 1500::bigint, 'the bet''s payout is the total');
SELECT is((SELECT kind FROM wallet.ledger_txn WHERE account_id = 'pm1' ORDER BY txn_id DESC LIMIT 1), 'BET_PAYOUT', 'ledger kind BET_PAYOUT');
SELECT is((SELECT payload->>'payout_added' FROM wallet.outbox WHERE account_id = 'pm1' AND event_type = 'bet.payout_added'), '300',
          'outbox bet.payout_added');
SELECT is(cardinality(wallet._bet_payout_txns(p_account_id => 'pm1', p_bet_id => 'pa')), 2, 'two payout transactions: settlement and the added one');
SELECT is((SELECT count(*) FROM wallet.rolling_progress WHERE bet_id = 'pa'), 1::bigint, 'rolling progressed once, at settlement');
SELECT is(wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pa', p_amount => 1, p_ref => 'round-win-3', p_actor => 'tap')->'credits',
          '[{"amount": 1, "bucket_type": "CASINO_BONUS"}]', 'one unit more goes to the source taken first (a tie)');

-- Bet B: a free bet of the second coupon alone; its stake is withheld over all its payouts.
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'pm-c2', p_player_id => 'pm1', p_amount => 500,
                                                p_provider_types => ARRAY['SLOTS'], p_actor => 'tap'),
                         game.bet_authorize(p_bet_id => 'pb', p_player_id => 'pm1', p_provider_type => 'SLOTS', p_provider_id => 'slot',
                                            p_stake => 500, p_actor => 'tap'),
                         game.bet_settle(p_bet_id => 'pb', p_player_id => 'pm1', p_settlement_id => 'pb-s', p_result => 'WIN',
                                         p_payout => 300, p_actor => 'tap')$$,
                'bet B, a 500 free bet, wins 300: all withheld');
SELECT is(tap_helpers.bal('pm1', 'CASINO_BONUS'), 251::bigint, 'nothing credited');
SELECT is(wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pb', p_amount => 400, p_ref => 'w2', p_actor => 'tap')->>'withheld', '200',
          '400 more: the 200 of the stake still unwithheld is withheld');
SELECT is(tap_helpers.bal('pm1', 'CASINO_BONUS'), 451::bigint, 'and 200 credited');
SELECT is(wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pb', p_amount => 100, p_ref => 'w3', p_actor => 'tap')->'credits',
          '[{"amount": 100, "bucket_type": "CASINO_BONUS"}]', '100 more: all credited, the stake is withheld in full');
SELECT is((SELECT sum(withheld) FROM wallet.bet_extra_payout WHERE bet_id = 'pb'), 200::numeric, 'withheld over its payouts: 300 + 200 = the stake');

-- Refusals.
SELECT is(tap_helpers.error_of($$SELECT wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'nope', p_amount => 1, p_ref => 't', p_actor => 'tap')$$)->>'sqlstate',
          'RW013', 'an unknown bet: BET_NOT_FOUND');
SELECT is(tap_helpers.error_of($$SELECT wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pa', p_amount => 0, p_ref => 't', p_actor => 'tap')$$)->>'sqlstate',
          'RW001', 'an amount of 0: VALIDATION_FAILED');
SELECT lives_ok($$SELECT game.bet_authorize(p_bet_id => 'pv', p_player_id => 'pm1', p_provider_type => 'SLOTS', p_provider_id => 'slot',
                                            p_stake => 100, p_actor => 'tap'),
                         game.bet_settle(p_bet_id => 'pv', p_player_id => 'pm1', p_settlement_id => 'pv-s', p_result => 'VOID', p_actor => 'tap')$$,
                'a bet settled VOID');
SELECT is(tap_helpers.error_of($$SELECT wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pv', p_amount => 1, p_ref => 't', p_actor => 'tap')$$)->>'sqlstate',
          'RW027', 'is not paid more: INVALID_STATE');

-- A rollback reverses the settlement and every payout added since.
SELECT lives_ok($$SELECT game.bet_rollback(p_bet_id => 'pa', p_player_id => 'pm1', p_rollback_id => 'pa-rb', p_actor => 'tap')$$,
                'bet A rolled back');
SELECT is(ARRAY[tap_helpers.bal('pm1', 'CASINO_NORMAL'), tap_helpers.remaining('pm-c1')], ARRAY[10000::bigint, 500],
          'its cash and its coupon are as before it was placed');
SELECT is(tap_helpers.bal('pm1', 'CASINO_BONUS'), 551::bigint - 251, 'and all 251 it paid to CASINO_BONUS is taken back (B keeps its 300)');
SELECT is((SELECT count(*) FROM wallet.rolling_progress WHERE bet_id = 'pa'), 0::bigint, 'its rolling progress too');
SELECT is(tap_helpers.error_of($$SELECT wallet._bet_pay_more(p_account_id => 'pm1', p_bet_id => 'pa', p_amount => 1, p_ref => 't', p_actor => 'tap')$$)->>'sqlstate',
          'RW015', 'a rolled-back bet is not paid more: BET_ALREADY_ROLLED_BACK');
SELECT is((SELECT sum(house_result) FROM analytics.house_result_by_provider WHERE provider_type = 'SLOTS'),
          (SELECT sum(amount) FROM wallet.ledger_entry e JOIN wallet.bet b ON b.account_id = e.account_id
            WHERE b.bet_id = 'pb' AND e.pocket = 'HOUSE' AND e.txn_id = ANY (wallet._bet_payout_txns(p_account_id => 'pm1', p_bet_id => 'pb')))
          + (SELECT coalesce(sum(e.amount), 0) FROM wallet.ledger_entry e JOIN wallet.bet b ON b.account_id = e.account_id AND e.txn_id = b.settle_txn_id
              WHERE b.bet_id = 'pv' AND e.pocket = 'HOUSE'),
          'the house result of the settled bets counts the payouts added later');
SELECT is((SELECT count(*) FROM ops.reconcile()), 0::bigint, 'the books reconcile');
SELECT * FROM finish();
ROLLBACK;
