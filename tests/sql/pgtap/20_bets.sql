-- Bets through the functions: authorize by policy, settle from the snapshot, roll back
-- exactly; replays and the state rules of SPEC §5.
BEGIN;
SELECT plan(67);


SELECT lives_ok($$SELECT wallet.open_account('bp1', 'KRW', 'tap'), wallet.deposit_create('bp1-d1', 'bp1', 10000, 'SPORTS_NORMAL', true, 'tap')$$,
                'player bp1 deposits 10000 to SPORTS_NORMAL');

-- Authorize: AUTO takes by the deduction order and holds the stake.
SELECT is(wallet.bet_authorize('b1', 'bp1', 'SPORTS', 'book', 3000, 1.85, NULL, 'game'),
          '{"bet_id": "b1", "stake": 3000, "status": "AUTHORIZED", "funding": [{"source": "SPORTS_NORMAL", "amount": 3000}], "policy_version": 1, "topology_version": 1}',
          'authorize answers with funding, topology and policy versions');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 7000::bigint, 'the stake left SPORTS_NORMAL');
SELECT is(tap_helpers.pocket('bp1', 'HOLD'), 3000::bigint, 'and sits in HOLD');
SELECT is(wallet.bet_authorize('b1', 'bp1', 'SPORTS', 'book', 3000, 1.85, NULL, 'game')->>'status', 'AUTHORIZED', 'a replay answers the same');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 7000::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('b1', 'bp1', 'SPORTS', 'book', 3001, 1.85, NULL, 'game')$$)->>'sqlstate', 'RW007',
          'the same bet id with another stake is IDEMPOTENCY_CONFLICT');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('b9', 'bp1', 'SPORTS', 'book', 7001, NULL, NULL, 'game')$$),
          '{"sqlstate": "RW006", "available": 7000, "requested": 7001}', 'INSUFFICIENT_FUNDS carries the amount available');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('b9', 'bp1', 'BINGO', 'book', 10, NULL, NULL, 'game')$$)->>'sqlstate', 'RW008',
          'an unmapped provider type is UNKNOWN_PROVIDER_TYPE');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('b9', 'bp1', 'SPORTS', 'book', 10, NULL, 'SPORTS_NORMAL', 'game')$$)->>'sqlstate', 'RW011',
          'a selected source under an AUTO policy is SOURCE_NOT_ALLOWED');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('b9', 'bp1', 'SPORTS', 'book', 10, NULL, 'GOLD', 'game')$$)->>'sqlstate', 'RW005',
          'an unknown selected bucket type is UNKNOWN_BUCKET_TYPE');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('', 'bp1', 'SPORTS', '', 0, 0.5, NULL, 'game')$$)->'errors',
          '[{"path": "bet_id", "message": "must be 1 to 128 printable characters"}, {"path": "provider_id", "message": "must be 1 to 128 printable characters"}, {"path": "stake", "message": "must be an integer from 1 to 10^15"}, {"path": "odds", "message": "must be at least 1"}]',
          'bad input lists every problem');

-- Settle WIN from the snapshot; rolling progresses.
SELECT is(tap_helpers.named_ids(wallet.bet_settle('b1', 'bp1', 's1', 'WIN', 5550, 'game')),
          '{"bet_id": "b1", "payout": 5550, "result": "WIN", "status": "SETTLED", "credits": [{"amount": 5550, "bucket_type": "SPORTS_NORMAL"}], "rolling": [{"status": "ACTIVE", "progress": 3000, "rolling_id": "(deposit bp1-d1)"}]}',
          'a WIN pays the gross payout to the CASH destination and progresses rolling');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 12550::bigint, '7000 + 5550');
SELECT is(tap_helpers.pocket('bp1', 'HOLD'), 0::bigint, 'HOLD released');
SELECT is(tap_helpers.pocket('bp1', 'HOUSE'), -2550::bigint, 'the house paid 2550 net');
SELECT is(wallet.bet_settle('b1', 'bp1', 's1', 'WIN', 5550, 'game')->>'payout', '5550', 'the same settlement again returns the first result');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 12550::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_settle('b1', 'bp1', 's2', 'LOSS', 0, 'game')$$)->>'sqlstate', 'RW014',
          'another settlement of a settled bet is BET_ALREADY_SETTLED');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_settle('b1', 'bp1', 's1', 'WIN', 9999, 'game')$$)->>'sqlstate', 'RW007',
          'the same settlement id with another payout is IDEMPOTENCY_CONFLICT');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_settle('nope', 'bp1', 's9', 'LOSS', 0, 'game')$$)->>'sqlstate', 'RW013',
          'an unknown bet is BET_NOT_FOUND');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_settle('b1', 'bp1', 's9', 'LOSS', 10, 'game')$$)->>'sqlstate', 'RW001',
          'a LOSS with a payout is invalid');

-- LOSS and CASHOUT.
SELECT lives_ok($$SELECT wallet.bet_authorize('b2', 'bp1', 'SPORTS', 'book', 2000, 2.5, NULL, 'game'),
                         wallet.bet_settle('b2', 'bp1', 's-b2', 'LOSS', NULL, 'game')$$, 'a losing bet');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 10550::bigint, 'a LOSS keeps the stake');
SELECT lives_ok($$SELECT wallet.bet_authorize('b3', 'bp1', 'SPORTS', 'book', 1000, 3, NULL, 'game'),
                         wallet.bet_settle('b3', 'bp1', 's-b3', 'CASHOUT', 400, 'game')$$, 'a cashout below the stake');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'pays its payout');

-- VOID restores the sources exactly, coupons included, and counts no rolling.
SELECT lives_ok($$SELECT wallet.coupon_grant('cp1', 'bp1', 500, ARRAY['SPORTS'], NULL, NULL, NULL, false, NULL, 0, 'promo')$$,
                'a 500 free-bet coupon');
SELECT is(wallet.bet_authorize('b4', 'bp1', 'SPORTS', 'book', 800, 2, NULL, 'game')->'funding',
          '[{"source": "coupon:cp1", "amount": 500}, {"source": "SPORTS_NORMAL", "amount": 300}]', 'the coupon goes first, cash covers the rest');
SELECT is(tap_helpers.remaining('cp1'), 0::bigint, 'the coupon is used up');
SELECT is((SELECT progress FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6000::bigint, 'rolling so far (3000 + 2000 + 1000)');
SELECT is(wallet.bet_settle('b4', 'bp1', 's-b4', 'VOID', 99999, 'game')->'credits', '[{"amount": 300, "bucket_type": "SPORTS_NORMAL"}]',
          'VOID ignores the payout and restores the sources');
SELECT is(tap_helpers.remaining('cp1'), 500::bigint, 'the coupon is whole again');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'cash is whole again');
SELECT is((SELECT progress FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6000::bigint, 'VOID counts no rolling');

-- A free bet wins: payout − stake to the coupon destination, the stake back to PROMOTION.
SELECT lives_ok($$SELECT wallet.bet_authorize('b5', 'bp1', 'SPORTS', 'book', 500, 3, NULL, 'game')$$, 'bet with the coupon alone');
SELECT is(wallet.bet_settle('b5', 'bp1', 's-b5', 'WIN', 1500, 'game')->'credits', '[{"amount": 1000, "bucket_type": "SPORTS_BONUS"}]',
          'a free bet paying 1500 credits 1000 to SPORTS_BONUS');
SELECT is(tap_helpers.pocket('bp1', 'PROMOTION'), -500 + 500::bigint, 'the withheld stake went back to PROMOTION');
SELECT is((SELECT progress FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6000::bigint,
          'a bet funded by a coupon does not progress a DEPOSIT obligation');

-- Rollback of an authorized bet: sources back exactly.
SELECT lives_ok($$SELECT wallet.coupon_grant('cp2', 'bp1', 200, ARRAY['SPORTS'], NULL, NULL, NULL, true, NULL, 0, 'promo'),
                         wallet.bet_authorize('b6', 'bp1', 'SPORTS', 'book', 700, 2, NULL, 'game')$$, 'bet with coupon cp2 and cash');
SELECT is(wallet.bet_rollback('b6', 'bp1', 'r-b6', 'provider cancelled', 'game'),
          '{"bet_id": "b6", "status": "ROLLED_BACK", "rolling": [], "restored": [{"amount": 200, "source": "coupon:cp2"}, {"amount": 500, "source": "SPORTS_NORMAL"}], "payout_reversed": []}',
          'rollback restores what funded the bet');
SELECT is(tap_helpers.remaining('cp2'), 200::bigint, 'coupon restored');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'cash restored');
SELECT is(wallet.bet_rollback('b6', 'bp1', 'r-other', NULL, 'game')->'restored'->0->>'amount', '200',
          'a second rollback under another id returns the first result');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_settle('b6', 'bp1', 's-b6', 'WIN', 100, 'game')$$)->>'sqlstate', 'RW015',
          'settling a rolled-back bet is BET_ALREADY_ROLLED_BACK');

-- Rollback of a settled bet: the payout comes back first, then the sources.
SELECT lives_ok($$SELECT wallet.bet_authorize('b7', 'bp1', 'SPORTS', 'book', 1000, 2, NULL, 'game'),
                         wallet.bet_settle('b7', 'bp1', 's-b7', 'WIN', 2500, 'game')$$, 'a 1000 bet (coupon cp2 200, cash 800) wins 2500');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 11150::bigint, '9950 − 800 + 2000 (the cash share of 2500)');
SELECT is((SELECT progress FROM wallet.rolling_obligation WHERE source_id = 'bp1-d1'), 6800::bigint, 'rolling counts the cash-funded 800');
SELECT is(tap_helpers.named_ids(wallet.bet_rollback('b7', 'bp1', 'r-b7', 'resettled by provider', 'game'))->'rolling',
          '[{"rolling_id": "(deposit bp1-d1)", "progress_removed": 800}]', 'rolling back a settled bet takes its progress back');
SELECT is(tap_helpers.bal('bp1', 'SPORTS_NORMAL'), 9950::bigint, 'and the balance is as if the bet never happened');

-- A payout already spent: the rollback is refused and nothing changes.
SELECT lives_ok($$SELECT wallet.open_account('bp2', 'KRW', 'tap'), wallet.admin_adjust('bp2-a', 'bp2', 'CASINO_NORMAL', 100, 'seed', 'ops'),
                         wallet.bet_authorize('c1', 'bp2', 'SLOTS', 'slot', 100, NULL, NULL, 'game'),
                         wallet.bet_settle('c1', 'bp2', 's-c1', 'WIN', 1000, 'game'),
                         wallet.admin_adjust('bp2-b', 'bp2', 'CASINO_NORMAL', -950, 'spent', 'ops')$$,
                'bp2 wins 1000 on slots and 950 of it is gone');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_rollback('c1', 'bp2', 'r-c1', NULL, 'game')$$),
          '{"sqlstate": "RW006", "available": 50, "requested": 900, "bucket_type": "CASINO_NORMAL"}',
          'rolling back is refused with INSUFFICIENT_FUNDS');
SELECT is((SELECT status FROM wallet.bet WHERE bet_id = 'c1'), 'SETTLED', 'the bet stays settled');

-- Tombstones.
SELECT is(wallet.bet_rollback('late', 'bp1', 'r-late', 'timeout', 'game'), '{"bet_id": "late", "status": "ROLLED_BACK", "restored": []}',
          'a rollback for a bet never seen succeeds with nothing restored');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('late', 'bp1', 'SPORTS', 'book', 10, NULL, NULL, 'game')$$)->>'sqlstate', 'RW015',
          'the late bet is refused: BET_ALREADY_ROLLED_BACK');

-- Frozen accounts take no bets but settle the open ones.
SELECT lives_ok($$SELECT wallet.bet_authorize('b8', 'bp1', 'SPORTS', 'book', 100, NULL, NULL, 'game'),
                         wallet.account_set_status('bp1', 'frozen', 'kyc', 'ops')$$, 'an open bet, then the account is frozen');
SELECT is(tap_helpers.error_of($$SELECT wallet.bet_authorize('b10', 'bp1', 'SPORTS', 'book', 100, NULL, NULL, 'game')$$)->>'sqlstate', 'RW003',
          'a frozen account takes no bet');
SELECT is(wallet.bet_settle('b8', 'bp1', 's-b8', 'LOSS', 0, 'game')->>'status', 'SETTLED', 'but its open bet settles');

-- A rollback of a bet funded by a coupon reversed since returns the coupon money to PROMOTION.
SELECT lives_ok($$SELECT wallet.account_set_status('bp1', 'active', 'ok', 'ops'),
                         wallet.bet_authorize('b11', 'bp1', 'SPORTS', 'book', 200, NULL, NULL, 'game'),
                         wallet.coupon_reverse('cp2', 'rev-cp2', 'campaign cancelled', 'promo')$$,
                'a bet funded by cp2 and cash, then cp2 is reversed');
SELECT is(tap_helpers.pocket('bp1', 'PROMOTION'), 0::bigint - 500 + 500 - 200 + 0, 'before the rollback: PROMOTION paid cp1 (500, returned by the free bet) and cp2 (200, all of it in bets: nothing to reverse)');
SELECT is(wallet.bet_rollback('b11', 'bp1', 'r-b11', NULL, 'game')->'restored',
          '[{"amount": 100, "source": "coupon:cp2"}, {"amount": 100, "source": "SPORTS_NORMAL"}]',
          'the rollback reports its sources (cp2 had 100 left after bet b8)');
SELECT is(tap_helpers.remaining('cp2'), 0::bigint, 'a reversed coupon stays empty');
SELECT is(tap_helpers.pocket('bp1', 'PROMOTION'), -200 + 100::bigint, 'its 100 went back to PROMOTION');

-- A VOID bet funded by a coupon reversed since: its rollback moves nothing (the VOID already
-- restored the coupon, and the reversal took that back).
SELECT lives_ok($$SELECT wallet.coupon_grant('cp9', 'bp1', 100, ARRAY['SPORTS'], NULL, NULL, NULL, false, NULL, 0, 'promo');
                   SELECT wallet.bet_authorize('b12', 'bp1', 'SPORTS', 'book', 100, NULL, NULL, 'game');
                   SELECT wallet.bet_settle('b12', 'bp1', 's-b12', 'VOID', NULL, 'game');
                   SELECT wallet.coupon_reverse('cp9', 'rev-cp9', 'x', 'promo')$$, 'coupon bet, VOID, coupon reversed');
SELECT is(wallet.bet_rollback('b12', 'bp1', 'r-b12', NULL, 'game') - 'rolling',
          '{"bet_id": "b12", "status": "ROLLED_BACK", "restored": [{"amount": 100, "source": "coupon:cp9"}], "payout_reversed": []}',
          'the rollback of the VOID bet succeeds');
SELECT is(tap_helpers.remaining('cp9'), 0::bigint, 'and moves nothing: the reversed coupon stays empty');

SELECT is((SELECT count(*)::int FROM wallet.reconcile()), 0, 'the books reconcile');

SELECT finish();
ROLLBACK;
