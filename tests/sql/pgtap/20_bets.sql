-- Bets through the functions: authorize by policy, settle from the snapshot, roll back
-- exactly; replays and the state rules of SPEC §5.
BEGIN;
SELECT plan(67);


SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'bp1', p_currency => 'KRW', p_actor => 'tap'), payments.deposit_create(p_deposit_id => 'bp1-d1', p_player_id => 'bp1', p_amount => 10000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'tap')$$,
                'player bp1 deposits 10000 to SPORTS_NORMAL');

-- Authorize: AUTO takes by the deduction order and holds the stake.
SELECT is(game.bet_authorize(p_bet_id => 'b1', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 3000, p_odds => 1.85, p_selected_source => NULL, p_actor => 'game'),
          '{"bet_id": "b1", "stake": 3000, "status": "AUTHORIZED", "funding": [{"source": "SPORTS_NORMAL", "amount": 3000}], "policy_version": 1, "topology_version": 1}',
          'authorize answers with funding, topology and policy versions');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 7000::bigint, 'the stake left SPORTS_NORMAL');
SELECT is(tap_helpers.pocket('bp1', 'HOLD'), 3000::bigint, 'and sits in HOLD');
SELECT is(game.bet_authorize(p_bet_id => 'b1', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 3000, p_odds => 1.85, p_selected_source => NULL, p_actor => 'game')->>'status', 'AUTHORIZED', 'a replay answers the same');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 7000::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'b1', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 3001, p_odds => 1.85, p_selected_source => NULL, p_actor => 'game')$$)->>'sqlstate', 'RW007',
          'the same bet id with another stake is IDEMPOTENCY_CONFLICT');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'b9', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 7001, p_odds => NULL, p_selected_source => NULL, p_actor => 'game')$$),
          '{"sqlstate": "RW006", "available": 7000, "requested": 7001}', 'INSUFFICIENT_FUNDS carries the amount available');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'b9', p_player_id => 'bp1', p_provider_type => 'BINGO', p_provider_id => 'book', p_stake => 10, p_odds => NULL, p_selected_source => NULL, p_actor => 'game')$$)->>'sqlstate', 'RW008',
          'an unmapped provider type is UNKNOWN_PROVIDER_TYPE');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'b9', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 10, p_odds => NULL, p_selected_source => 'SPORTS_NORMAL', p_actor => 'game')$$)->>'sqlstate', 'RW011',
          'a selected source under an AUTO policy is SOURCE_NOT_ALLOWED');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'b9', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 10, p_odds => NULL, p_selected_source => 'GOLD', p_actor => 'game')$$)->>'sqlstate', 'RW005',
          'an unknown selected bucket type is UNKNOWN_BUCKET_TYPE');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => '', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => '', p_stake => 0, p_odds => 0.5, p_selected_source => NULL, p_actor => 'game')$$)->'errors',
          '[{"path": "bet_id", "message": "must be 1 to 128 printable ASCII characters other than /, and not . or .."}, {"path": "provider_id", "message": "must be 1 to 128 printable ASCII characters other than /, and not . or .."}, {"path": "stake", "message": "must be an integer from 1 to 10^15"}, {"path": "odds", "message": "must be at least 1"}]',
          'bad input lists every problem');

-- Settle WIN from the snapshot; rolling progresses.
SELECT is(tap_helpers.named_ids(game.bet_settle(p_bet_id => 'b1', p_player_id => 'bp1', p_settlement_id => 's1', p_result => 'WIN', p_payout => 5550, p_actor => 'game')),
          '{"bet_id": "b1", "payout": 5550, "result": "WIN", "status": "SETTLED", "credits": [{"amount": 5550, "bucket_type": "SPORTS_NORMAL"}], "rolling": [{"status": "ACTIVE", "progress": 3000, "rolling_id": "(deposit bp1-d1)"}]}',
          'a WIN pays the gross payout to the CASH destination and progresses rolling');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 12550::bigint, '7000 + 5550');
SELECT is(tap_helpers.pocket('bp1', 'HOLD'), 0::bigint, 'HOLD released');
SELECT is(tap_helpers.pocket('bp1', 'HOUSE'), -2550::bigint, 'the house paid 2550 net');
SELECT is(game.bet_settle(p_bet_id => 'b1', p_player_id => 'bp1', p_settlement_id => 's1', p_result => 'WIN', p_payout => 5550, p_actor => 'game')->>'payout', '5550', 'the same settlement again returns the first result');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 12550::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT game.bet_settle(p_bet_id => 'b1', p_player_id => 'bp1', p_settlement_id => 's2', p_result => 'LOSS', p_payout => 0, p_actor => 'game')$$)->>'sqlstate', 'RW014',
          'another settlement of a settled bet is BET_ALREADY_SETTLED');
SELECT is(tap_helpers.error_of($$SELECT game.bet_settle(p_bet_id => 'b1', p_player_id => 'bp1', p_settlement_id => 's1', p_result => 'WIN', p_payout => 9999, p_actor => 'game')$$)->>'sqlstate', 'RW007',
          'the same settlement id with another payout is IDEMPOTENCY_CONFLICT');
SELECT is(tap_helpers.error_of($$SELECT game.bet_settle(p_bet_id => 'nope', p_player_id => 'bp1', p_settlement_id => 's9', p_result => 'LOSS', p_payout => 0, p_actor => 'game')$$)->>'sqlstate', 'RW013',
          'an unknown bet is BET_NOT_FOUND');
SELECT is(tap_helpers.error_of($$SELECT game.bet_settle(p_bet_id => 'b1', p_player_id => 'bp1', p_settlement_id => 's9', p_result => 'LOSS', p_payout => 10, p_actor => 'game')$$)->>'sqlstate', 'RW001',
          'a LOSS with a payout is invalid');

-- LOSS and CASHOUT.
SELECT lives_ok($$SELECT game.bet_authorize(p_bet_id => 'b2', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 2000, p_odds => 2.5, p_selected_source => NULL, p_actor => 'game'),
                         game.bet_settle(p_bet_id => 'b2', p_player_id => 'bp1', p_settlement_id => 's-b2', p_result => 'LOSS', p_payout => NULL, p_actor => 'game')$$, 'a losing bet');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 10550::bigint, 'a LOSS keeps the stake');
SELECT lives_ok($$SELECT game.bet_authorize(p_bet_id => 'b3', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 1000, p_odds => 3, p_selected_source => NULL, p_actor => 'game'),
                         game.bet_settle(p_bet_id => 'b3', p_player_id => 'bp1', p_settlement_id => 's-b3', p_result => 'CASHOUT', p_payout => 400, p_actor => 'game')$$, 'a cashout below the stake');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'pays its payout');

-- VOID restores the sources exactly, coupons included, and counts no rolling.
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'cp1', p_player_id => 'bp1', p_amount => 500, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo')$$,
                'a 500 free-bet coupon');
SELECT is(game.bet_authorize(p_bet_id => 'b4', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 800, p_odds => 2, p_selected_source => NULL, p_actor => 'game')->'funding',
          '[{"source": "coupon:cp1", "amount": 500}, {"source": "SPORTS_NORMAL", "amount": 300}]', 'the coupon goes first, cash covers the rest');
SELECT is(tap_helpers.remaining('cp1'), 0::bigint, 'the coupon is used up');
SELECT is((SELECT progress::bigint FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6000::bigint, 'rolling so far (3000 + 2000 + 1000)');
SELECT is(game.bet_settle(p_bet_id => 'b4', p_player_id => 'bp1', p_settlement_id => 's-b4', p_result => 'VOID', p_payout => 99999, p_actor => 'game')->'credits', '[{"amount": 300, "bucket_type": "SPORTS_NORMAL"}]',
          'VOID ignores the payout and restores the sources');
SELECT is(tap_helpers.remaining('cp1'), 500::bigint, 'the coupon is whole again');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'cash is whole again');
SELECT is((SELECT progress::bigint FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6000::bigint, 'VOID counts no rolling');

-- A free bet wins: payout − stake to the coupon destination, the stake back to PROMOTION.
SELECT lives_ok($$SELECT game.bet_authorize(p_bet_id => 'b5', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 500, p_odds => 3, p_selected_source => NULL, p_actor => 'game')$$, 'bet with the coupon alone');
SELECT is(game.bet_settle(p_bet_id => 'b5', p_player_id => 'bp1', p_settlement_id => 's-b5', p_result => 'WIN', p_payout => 1500, p_actor => 'game')->'credits', '[{"amount": 1000, "bucket_type": "SPORTS_BONUS"}]',
          'a free bet paying 1500 credits 1000 to SPORTS_BONUS');
SELECT is(tap_helpers.pocket('bp1', 'PROMOTION'), -500 + 500::bigint, 'the withheld stake went back to PROMOTION');
SELECT is((SELECT progress::bigint FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6000::bigint,
          'a bet funded by a coupon does not progress a DEPOSIT obligation');

-- Rollback of an authorized bet: sources back exactly.
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'cp2', p_player_id => 'bp1', p_amount => 200, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => true, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo'),
                         game.bet_authorize(p_bet_id => 'b6', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 700, p_odds => 2, p_selected_source => NULL, p_actor => 'game')$$, 'bet with coupon cp2 and cash');
SELECT is(game.bet_rollback(p_bet_id => 'b6', p_player_id => 'bp1', p_rollback_id => 'r-b6', p_reason => 'provider cancelled', p_actor => 'game'),
          '{"bet_id": "b6", "status": "ROLLED_BACK", "rolling": [], "restored": [{"amount": 200, "source": "coupon:cp2"}, {"amount": 500, "source": "SPORTS_NORMAL"}], "payout_reversed": []}',
          'rollback restores what funded the bet');
SELECT is(tap_helpers.remaining('cp2'), 200::bigint, 'coupon restored');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'cash restored');
SELECT is(game.bet_rollback(p_bet_id => 'b6', p_player_id => 'bp1', p_rollback_id => 'r-other', p_reason => NULL, p_actor => 'game')->'restored'->0->>'amount', '200',
          'a second rollback under another id returns the first result');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT game.bet_settle(p_bet_id => 'b6', p_player_id => 'bp1', p_settlement_id => 's-b6', p_result => 'WIN', p_payout => 100, p_actor => 'game')$$)->>'sqlstate', 'RW015',
          'settling a rolled-back bet is BET_ALREADY_ROLLED_BACK');

-- Rollback of a settled bet: the payout comes back first, then the sources.
SELECT lives_ok($$SELECT game.bet_authorize(p_bet_id => 'b7', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 1000, p_odds => 2, p_selected_source => NULL, p_actor => 'game'),
                         game.bet_settle(p_bet_id => 'b7', p_player_id => 'bp1', p_settlement_id => 's-b7', p_result => 'WIN', p_payout => 2500, p_actor => 'game')$$, 'a 1000 bet (coupon cp2 200, cash 800) wins 2500');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 11150::bigint, '9950 − 800 + 2000 (the cash share of 2500)');
SELECT is((SELECT progress::bigint FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6800::bigint, 'rolling counts the cash-funded 800');
SELECT is(tap_helpers.named_ids(game.bet_rollback(p_bet_id => 'b7', p_player_id => 'bp1', p_rollback_id => 'r-b7', p_reason => 'resettled by provider', p_actor => 'game'))->'rolling',
          '[{"rolling_id": "(deposit bp1-d1)", "progress_removed": 800}]', 'rolling back a settled bet takes its progress back');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'and the balance is as if the bet never happened');

-- A payout already spent: the rollback is refused and nothing changes.
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'bp2', p_currency => 'KRW', p_actor => 'tap'), admin.admin_adjust(p_adjustment_id => 'bp2-a', p_player_id => 'bp2', p_bucket_type => 'CASINO_NORMAL', p_amount => 100, p_reason => 'seed', p_actor => 'ops'),
                         game.bet_authorize(p_bet_id => 'c1', p_player_id => 'bp2', p_provider_type => 'SLOTS', p_provider_id => 'slot', p_stake => 100, p_odds => NULL, p_selected_source => NULL, p_actor => 'game'),
                         game.bet_settle(p_bet_id => 'c1', p_player_id => 'bp2', p_settlement_id => 's-c1', p_result => 'WIN', p_payout => 1000, p_actor => 'game'),
                         admin.admin_adjust(p_adjustment_id => 'bp2-b', p_player_id => 'bp2', p_bucket_type => 'CASINO_NORMAL', p_amount => -950, p_reason => 'spent', p_actor => 'ops')$$,
                'bp2 wins 1000 on slots and 950 of it is gone');
SELECT is(tap_helpers.error_of($$SELECT game.bet_rollback(p_bet_id => 'c1', p_player_id => 'bp2', p_rollback_id => 'r-c1', p_reason => NULL, p_actor => 'game')$$),
          '{"sqlstate": "RW006", "available": 50, "requested": 900, "bucket_type": "CASINO_NORMAL"}',
          'rolling back is refused with INSUFFICIENT_FUNDS');
SELECT is((SELECT status FROM wallet.bet WHERE bet_id = 'c1'), 'SETTLED', 'the bet stays settled');

-- Tombstones.
SELECT is(game.bet_rollback(p_bet_id => 'late', p_player_id => 'bp1', p_rollback_id => 'r-late', p_reason => 'timeout', p_actor => 'game'), '{"bet_id": "late", "status": "ROLLED_BACK", "restored": []}',
          'a rollback for a bet never seen succeeds with nothing restored');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'late', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 10, p_odds => NULL, p_selected_source => NULL, p_actor => 'game')$$)->>'sqlstate', 'RW015',
          'the late bet is refused: BET_ALREADY_ROLLED_BACK');

-- Frozen accounts take no bets but settle the open ones.
SELECT lives_ok($$SELECT game.bet_authorize(p_bet_id => 'b8', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 100, p_odds => NULL, p_selected_source => NULL, p_actor => 'game'),
                         admin.account_set_status(p_player_id => 'bp1', p_status => 'frozen', p_reason => 'kyc', p_actor => 'ops')$$, 'an open bet, then the account is frozen');
SELECT is(tap_helpers.error_of($$SELECT game.bet_authorize(p_bet_id => 'b10', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 100, p_odds => NULL, p_selected_source => NULL, p_actor => 'game')$$)->>'sqlstate', 'RW003',
          'a frozen account takes no bet');
SELECT is(game.bet_settle(p_bet_id => 'b8', p_player_id => 'bp1', p_settlement_id => 's-b8', p_result => 'LOSS', p_payout => 0, p_actor => 'game')->>'status', 'SETTLED', 'but its open bet settles');

-- A rollback of a bet funded by a coupon reversed since returns the coupon money to PROMOTION.
SELECT lives_ok($$SELECT admin.account_set_status(p_player_id => 'bp1', p_status => 'active', p_reason => 'ok', p_actor => 'ops'),
                         game.bet_authorize(p_bet_id => 'b11', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 200, p_odds => NULL, p_selected_source => NULL, p_actor => 'game'),
                         promotion.coupon_reverse(p_coupon_id => 'cp2', p_reversal_id => 'rev-cp2', p_reason => 'campaign cancelled', p_actor => 'promo')$$,
                'a bet funded by cp2 and cash, then cp2 is reversed');
SELECT is(tap_helpers.pocket('bp1', 'PROMOTION'), 0::bigint - 500 + 500 - 200 + 0, 'before the rollback: PROMOTION paid cp1 (500, returned by the free bet) and cp2 (200, all of it in bets: nothing to reverse)');
SELECT is(game.bet_rollback(p_bet_id => 'b11', p_player_id => 'bp1', p_rollback_id => 'r-b11', p_reason => NULL, p_actor => 'game')->'restored',
          '[{"amount": 100, "source": "coupon:cp2"}, {"amount": 100, "source": "SPORTS_NORMAL"}]',
          'the rollback reports its sources (cp2 had 100 left after bet b8)');
SELECT is(tap_helpers.remaining('cp2'), 0::bigint, 'a reversed coupon stays empty');
SELECT is(tap_helpers.pocket('bp1', 'PROMOTION'), -200 + 100::bigint, 'its 100 went back to PROMOTION');

-- A VOID bet funded by a coupon reversed since: its rollback moves nothing (the VOID already
-- restored the coupon, and the reversal took that back).
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'cp9', p_player_id => 'bp1', p_amount => 100, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => false, p_winnings_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo');
                   SELECT game.bet_authorize(p_bet_id => 'b12', p_player_id => 'bp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 100, p_odds => NULL, p_selected_source => NULL, p_actor => 'game');
                   SELECT game.bet_settle(p_bet_id => 'b12', p_player_id => 'bp1', p_settlement_id => 's-b12', p_result => 'VOID', p_payout => NULL, p_actor => 'game');
                   SELECT promotion.coupon_reverse(p_coupon_id => 'cp9', p_reversal_id => 'rev-cp9', p_reason => 'x', p_actor => 'promo')$$, 'coupon bet, VOID, coupon reversed');
SELECT is(game.bet_rollback(p_bet_id => 'b12', p_player_id => 'bp1', p_rollback_id => 'r-b12', p_reason => NULL, p_actor => 'game') - 'rolling',
          '{"bet_id": "b12", "status": "ROLLED_BACK", "restored": [{"amount": 100, "source": "coupon:cp9"}], "payout_reversed": []}',
          'the rollback of the VOID bet succeeds');
SELECT is(tap_helpers.remaining('cp9'), 0::bigint, 'and moves nothing: the reversed coupon stays empty');

SELECT is((SELECT count(*)::int FROM ops.reconcile()), 0, 'the books reconcile');

SELECT finish();
ROLLBACK;
