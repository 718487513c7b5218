-- Many settlements in one call (SPEC §5c): every item outcome, each answered as the single
-- command answers it (its body, or the problem the API makes of its refusal), in list order,
-- applied account by account; a refusal never undoes another item, not even one only writing
-- finds (a bucket ceiling), and a replay of the batch moves nothing.
BEGIN;
SELECT plan(50);

CREATE FUNCTION pg_temp.item(p_bet text, p_key text, p_player text, p_result text, p_payout bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('bet_id', p_bet, 'settlement_id', p_key, 'player_id', p_player,
                                                'result', p_result, 'payout', p_payout))
$$;
-- The problem the API answers for a statement's refusal: its sqlstate, message and detail.
CREATE FUNCTION pg_temp.problem_of(p_sql text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE v_state text; v_message text; v_detail text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    RETURN wallet._problem_body(v_state, v_message, v_detail);
END $$;

SELECT lives_ok($$
    SELECT payments.open_account(p_player_id => p, p_currency => 'KRW', p_actor => 'tap'),
           payments.deposit_create(p_deposit_id => p || '-d', p_player_id => p, p_amount => 10000, p_bucket_type => 'SPORTS_NORMAL',
                                   p_auto_approve => true, p_actor => 'tap')
      FROM unnest(ARRAY['ba1', 'ba2', 'ba3']) p;
    SELECT game.bet_authorize(p_bet_id => b, p_player_id => p, p_provider_type => 'SPORTS', p_provider_id => 'book',
                              p_stake => 1000, p_odds => 2, p_selected_source => NULL, p_actor => 'game')
      FROM (VALUES ('w1', 'ba1'), ('l1', 'ba1'), ('v1', 'ba1'), ('c1', 'ba1'), ('w2', 'ba2'), ('x2', 'ba2'), ('r2', 'ba2'),
                   ('w3', 'ba3'), ('t3', 'ba3')) AS v(b, p);
    SELECT game.bet_rollback(p_bet_id => 'r2', p_player_id => 'ba2', p_rollback_id => 'rb-r2', p_reason => NULL, p_actor => 'game');
    SELECT game.bet_rollback(p_bet_id => 'ghost', p_player_id => 'ba2', p_rollback_id => 'rb-ghost', p_reason => NULL, p_actor => 'game');
    SELECT game.bet_settle(p_bet_id => 't3', p_player_id => 'ba3', p_settlement_id => 's-t3', p_result => 'LOSS', p_actor => 'game');
    $$, 'players ba1, ba2, ba3 with 10000 each and open bets of 1000; r2 rolled back, ghost tombstoned, t3 settled');

-- One batch, items out of account order, with every outcome.
CREATE TEMP TABLE r AS
SELECT * FROM game.bet_settle_batch(jsonb_build_array(
    pg_temp.item('w2', 's-w2', 'ba2', 'WIN', 3000),            -- 0: 200
    pg_temp.item('w1', 's-w1', 'ba1', 'WIN', 2500),            -- 1: 200
    pg_temp.item('l1', 's-l1', 'ba1', 'LOSS'),                  -- 2: 200
    pg_temp.item('v1', 's-v1', 'ba1', 'VOID', 99999),           -- 3: 200, the stake back
    pg_temp.item('c1', 's-c1', 'ba1', 'CASHOUT', 700),          -- 4: 200
    pg_temp.item('w1', 's-w1', 'ba1', 'WIN', 2500),             -- 5: 200, a replay of item 1
    pg_temp.item('w1', 's-w1-again', 'ba1', 'LOSS'),            -- 6: 409 BET_ALREADY_SETTLED
    pg_temp.item('w1', 's-w1', 'ba1', 'WIN', 2600),             -- 7: 409 IDEMPOTENCY_CONFLICT (other payout)
    pg_temp.item('x2', 's-w2', 'ba2', 'WIN', 3000),             -- 8: 409 IDEMPOTENCY_CONFLICT (the key settled w2)
    pg_temp.item('r2', 's-r2', 'ba2', 'LOSS'),                  -- 9: 409 BET_ALREADY_ROLLED_BACK
    pg_temp.item('ghost', 's-ghost', 'ba2', 'LOSS'),            -- 10: 409 BET_ALREADY_ROLLED_BACK (tombstone)
    pg_temp.item('t3', 's-t3-again', 'ba3', 'WIN', 10),         -- 11: 409 BET_ALREADY_SETTLED (before the batch)
    pg_temp.item('nope', 's-nope', 'ba3', 'LOSS'),              -- 12: 404 BET_NOT_FOUND
    pg_temp.item('w1', 's-u', 'nobody', 'LOSS'),                -- 13: 404 UNKNOWN_ACCOUNT
    pg_temp.item('w3', 's-w3', 'ba3', 'LOSS', 5),               -- 14: 422 (a LOSS pays 0)
    '{"bet_id": "w3", "settlement_id": "s-w3", "player_id": "ba3", "result": "WIN", "payout": "5", "extra": 1}'::jsonb,  -- 15: 422
    '"not an item"'::jsonb,                                    -- 16: 422
    pg_temp.item('w3', 's-w3', 'ba3', 'WIN', 4000)              -- 17: 200
), 'game');

SELECT is((SELECT array_agg(index ORDER BY index) FROM r), ARRAY(SELECT generate_series(0, 17)), 'one answer per item, indexed from 0');
SELECT is((SELECT array_agg(status ORDER BY index) FROM r),
          ARRAY[200, 200, 200, 200, 200, 200, 409, 409, 409, 409, 409, 409, 404, 404, 422, 422, 422, 200],
          'each with the status the single settle route answers');
SELECT is((SELECT array_agg(body->>'code' ORDER BY index) FILTER (WHERE status <> 200) FROM r),
          ARRAY['BET_ALREADY_SETTLED', 'IDEMPOTENCY_CONFLICT', 'IDEMPOTENCY_CONFLICT', 'BET_ALREADY_ROLLED_BACK',
                'BET_ALREADY_ROLLED_BACK', 'BET_ALREADY_SETTLED', 'BET_NOT_FOUND', 'UNKNOWN_ACCOUNT', 'VALIDATION_FAILED',
                'VALIDATION_FAILED', 'VALIDATION_FAILED'],
          'and the refusal''s code');

-- The answers are the single command's.
SELECT is((SELECT body FROM r WHERE index = 1),
          game.bet_settle(p_bet_id => 'w1', p_player_id => 'ba1', p_settlement_id => 's-w1', p_result => 'WIN', p_payout => 2500, p_actor => 'game'),
          'a settled item''s body is the single command''s answer (its replay now)');
SELECT is((SELECT body::text FROM r WHERE index = 5), (SELECT body::text FROM r WHERE index = 1), 'the replay in the batch answers the same, byte for byte');
SELECT is((SELECT body FROM r WHERE index = 1) - 'rolling',
          '{"bet_id": "w1", "payout": 2500, "result": "WIN", "status": "SETTLED", "credits": [{"amount": 2500, "bucket_type": "SPORTS_NORMAL"}]}',
          'a WIN pays its destination');
SELECT is((SELECT body->'credits' FROM r WHERE index = 3), '[{"amount": 1000, "bucket_type": "SPORTS_NORMAL"}]', 'a VOID restores the stake, ignoring the payout');
SELECT is((SELECT body->'rolling' FROM r WHERE index = 3), '[]', 'and counts no rolling');
SELECT is((SELECT body->'credits' FROM r WHERE index = 4), '[{"amount": 700, "bucket_type": "SPORTS_NORMAL"}]', 'a CASHOUT pays its payout');
SELECT is((SELECT body->'credits' FROM r WHERE index = 2), '[]', 'a LOSS pays nothing');
SELECT is((SELECT body FROM r WHERE index = 6),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'w1', p_player_id => 'ba1', p_settlement_id => 's-w1-again', p_result => 'LOSS', p_actor => 'game')$$),
          'BET_ALREADY_SETTLED: the problem of the single command''s refusal');
SELECT is((SELECT body - 'detail' FROM r WHERE index = 6),
          '{"code": "BET_ALREADY_SETTLED", "type": "urn:ruby-wallet:error:BET_ALREADY_SETTLED", "title": "Bet already settled", "bet_id": "w1", "status": 409, "settlement_id": "s-w1"}',
          'with the settlement that settled it');
SELECT is((SELECT body FROM r WHERE index = 7),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'w1', p_player_id => 'ba1', p_settlement_id => 's-w1', p_result => 'WIN', p_payout => 2600, p_actor => 'game')$$),
          'IDEMPOTENCY_CONFLICT, another payout under the key');
SELECT is((SELECT body FROM r WHERE index = 8),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'x2', p_player_id => 'ba2', p_settlement_id => 's-w2', p_result => 'WIN', p_payout => 3000, p_actor => 'game')$$),
          'IDEMPOTENCY_CONFLICT, the key of another bet''s settlement');
SELECT is((SELECT body FROM r WHERE index = 9),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'r2', p_player_id => 'ba2', p_settlement_id => 's-r2', p_result => 'LOSS', p_actor => 'game')$$),
          'BET_ALREADY_ROLLED_BACK');
SELECT is((SELECT body FROM r WHERE index = 10),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'ghost', p_player_id => 'ba2', p_settlement_id => 's-ghost', p_result => 'LOSS', p_actor => 'game')$$),
          'BET_ALREADY_ROLLED_BACK for a tombstoned id');
SELECT is((SELECT body FROM r WHERE index = 12),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'nope', p_player_id => 'ba3', p_settlement_id => 's-nope', p_result => 'LOSS', p_actor => 'game')$$),
          'BET_NOT_FOUND');
SELECT is((SELECT body FROM r WHERE index = 13),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'w1', p_player_id => 'nobody', p_settlement_id => 's-u', p_result => 'LOSS', p_actor => 'game')$$),
          'UNKNOWN_ACCOUNT');
SELECT is((SELECT body FROM r WHERE index = 14),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'w3', p_player_id => 'ba3', p_settlement_id => 's-w3', p_result => 'LOSS', p_payout => 5, p_actor => 'game')$$),
          'VALIDATION_FAILED with the single command''s problems and message');
SELECT is((SELECT body->'errors' FROM r WHERE index = 15),
          '[{"path": "payout", "message": "must be an integer"}, {"path": "extra", "message": "is not a field of a settlement"}]',
          'an item of the wrong shape lists what is wrong with it');
SELECT is((SELECT body->'errors' FROM r WHERE index = 16),
          '[{"path": "", "message": "must be an object: {\"bet_id\", \"settlement_id\", \"player_id\", \"result\", \"payout\"}"}]',
          'an item that is not an object is refused alone');

-- What moved: exactly the applied items, once each.
SELECT is(tap_helpers.bal('ba1', 'SPORTS_NORMAL'), 10000 - 4000 + 2500 + 1000 + 700::bigint, 'ba1: four stakes out, the WIN, the VOID and the CASHOUT in');
SELECT is(tap_helpers.bal('ba2', 'SPORTS_NORMAL'), 10000 - 3000 + 1000 + 3000::bigint, 'ba2: the WIN (x2 still open, r2 restored)');
SELECT is(tap_helpers.bal('ba3', 'SPORTS_NORMAL'), 10000 - 2000 + 4000::bigint, 'ba3: the WIN of w3');
SELECT is((SELECT count(*)::int FROM wallet.ledger_txn WHERE kind = 'BET_SETTLE' AND account_id LIKE 'ba_'), 7,
          'one BET_SETTLE ledger transaction per settled bet (t3 before the batch, six in it)');
SELECT is((SELECT count(*)::int FROM wallet.outbox WHERE event_type = 'bet.settled' AND account_id LIKE 'ba_'), 7, 'and one bet.settled event each');
SELECT is((SELECT array_agg(ref ORDER BY txn_id) FROM wallet.ledger_txn WHERE kind = 'BET_SETTLE' AND account_id LIKE 'ba_' AND ref <> 'bet:t3'),
          ARRAY['bet:w1', 'bet:l1', 'bet:v1', 'bet:c1', 'bet:w2', 'bet:w3'],
          'applied account by account in ascending id, each account''s items in list order');
SELECT is((SELECT array_agg(progress::bigint ORDER BY account_id) FROM wallet.rolling_obligation WHERE account_id LIKE 'ba_'),
          ARRAY[3000, 1000, 2000]::bigint[], 'rolling progressed as by single settlements (WIN, LOSS and CASHOUT count; VOID not)');

-- The whole batch again: every item answered as the first time, nothing moves.
CREATE TEMP TABLE again AS
SELECT * FROM game.bet_settle_batch((SELECT jsonb_agg(pg_temp.item(b, k, p, x, y) ORDER BY n)
                                       FROM (VALUES (1, 'w2', 's-w2', 'ba2', 'WIN', 3000), (2, 'w1', 's-w1', 'ba1', 'WIN', 2500),
                                                    (3, 'l1', 's-l1', 'ba1', 'LOSS', NULL), (4, 'v1', 's-v1', 'ba1', 'VOID', 99999),
                                                    (5, 'c1', 's-c1', 'ba1', 'CASHOUT', 700), (6, 'w3', 's-w3', 'ba3', 'WIN', 4000)) AS v(n, b, k, p, x, y)),
                                    'game');
SELECT is((SELECT array_agg(status ORDER BY index) FROM again), ARRAY[200, 200, 200, 200, 200, 200], 'a retry of the settled items: all 200');
SELECT is((SELECT array_agg(body::text ORDER BY index) FROM again),
          (SELECT array_agg(body::text ORDER BY index) FROM r WHERE index IN (0, 1, 2, 3, 4, 17)), 'with the first answers, byte for byte');
SELECT is((SELECT count(*)::int FROM wallet.ledger_txn WHERE kind = 'BET_SETTLE' AND account_id LIKE 'ba_'), 7, 'and no ledger transaction more');

-- A replay of a settlement whose bet was rolled back since answers the settlement, moving nothing.
SELECT lives_ok($$SELECT game.bet_rollback(p_bet_id => 'l1', p_player_id => 'ba1', p_rollback_id => 'rb-l1', p_reason => NULL, p_actor => 'game')$$,
                'l1 (settled LOSS in the batch) is rolled back');
SELECT is((SELECT array_agg(status || ' ' || body::text) FROM game.bet_settle_batch(jsonb_build_array(pg_temp.item('l1', 's-l1', 'ba1', 'LOSS')), 'game')),
          (SELECT array_agg(status || ' ' || body::text) FROM r WHERE index = 2), 'the settlement again: its first answer');
SELECT is(game.bet_settle(p_bet_id => 'l1', p_player_id => 'ba1', p_settlement_id => 's-l1', p_result => 'LOSS', p_actor => 'game'),
          (SELECT body FROM r WHERE index = 2), 'as the single command answers it');
SELECT is((SELECT (status, count(*) FILTER (WHERE true))::text FROM wallet.bet b JOIN wallet.ledger_txn t ON t.account_id = b.account_id AND t.ref = 'bet:l1' AND t.kind = 'BET_SETTLE'
            WHERE b.account_id = 'ba1' AND b.bet_id = 'l1' GROUP BY status), '(ROLLED_BACK,1)', 'the bet stays rolled back, settled once');

-- A refusal only writing finds: a credit past a bucket's ceiling (10^17).  It rolls the call
-- back to its start; every other item is applied once, in the same order.
SELECT lives_ok($$
    SELECT payments.open_account(p_player_id => 'bz', p_currency => 'KRW', p_actor => 'tap');
    SELECT admin.admin_adjust(p_adjustment_id => 'bz-' || i, p_player_id => 'bz', p_bucket_type => 'SPORTS_NORMAL',
                              p_amount => CASE WHEN i < 100 THEN 1000000000000000 ELSE 1000000000000000 - 100 END,
                              p_reason => 'whale', p_actor => 'ops')
      FROM generate_series(1, 100) i;
    SELECT game.bet_authorize(p_bet_id => b, p_player_id => 'bz', p_provider_type => 'SPORTS', p_provider_id => 'book',
                              p_stake => 10, p_odds => 2, p_selected_source => NULL, p_actor => 'game')
      FROM unnest(ARRAY['z1', 'z2', 'z3']) b;
    SELECT game.bet_authorize(p_bet_id => 'y' || i, p_player_id => p, p_provider_type => 'SPORTS', p_provider_id => 'book',
                              p_stake => 100, p_odds => 2, p_selected_source => NULL, p_actor => 'game')
      FROM unnest(ARRAY['ba1', 'ba3']) WITH ORDINALITY AS u(p, i);
    $$, 'bz holds 10^17 - 100 in SPORTS_NORMAL and three bets of 10; ba1 and ba3 a bet each');
CREATE TEMP TABLE z AS
SELECT * FROM game.bet_settle_batch(jsonb_build_array(
    pg_temp.item('y1', 's-y1', 'ba1', 'WIN', 200),
    pg_temp.item('z1', 's-z1', 'bz', 'WIN', 100),
    pg_temp.item('z2', 's-z2', 'bz', 'WIN', 1000),
    pg_temp.item('z3', 's-z3', 'bz', 'LOSS'),
    pg_temp.item('y2', 's-y2', 'ba3', 'WIN', 200)), 'game');
SELECT is((SELECT array_agg(status ORDER BY index) FROM z), ARRAY[200, 200, 409, 200, 200], 'the item past the ceiling is refused, alone');
SELECT is((SELECT body FROM z WHERE index = 2),
          pg_temp.problem_of($$SELECT game.bet_settle(p_bet_id => 'z2', p_player_id => 'bz', p_settlement_id => 's-z2', p_result => 'WIN', p_payout => 1000, p_actor => 'game')$$),
          'BALANCE_LIMIT_EXCEEDED, as the single command says it');
SELECT is((SELECT body->>'room' FROM z WHERE index = 2), '30', 'with the room left after z1''s win');
SELECT is(tap_helpers.bal('bz', 'SPORTS_NORMAL'), 100000000000000000 - 100 - 30 + 100, 'bz: three stakes out, z1''s 100 in');
SELECT is((SELECT count(*)::int FROM wallet.ledger_txn WHERE kind = 'BET_SETTLE' AND ref IN ('bet:y1', 'bet:z1', 'bet:z3', 'bet:y2')), 4,
          'each applied item has one ledger transaction');
SELECT is((SELECT count(*)::int FROM wallet.outbox WHERE event_type = 'bet.settled' AND payload->>'bet_id' IN ('y1', 'z1', 'z2', 'z3', 'y2')), 4,
          'and one event; the refused one none');
SELECT is((SELECT status FROM wallet.bet WHERE bet_id = 'z2'), 'AUTHORIZED', 'the refused bet stays open');

-- A frozen account settles its open bets (as the single command does).
SELECT lives_ok($$SELECT admin.account_set_status(p_player_id => 'ba2', p_status => 'frozen', p_reason => 'kyc', p_actor => 'ops')$$, 'ba2 frozen');
SELECT is((SELECT status FROM game.bet_settle_batch(jsonb_build_array(pg_temp.item('x2', 's-x2', 'ba2', 'LOSS')), 'game')), 200,
          'its open bet settles in a batch');

-- The call itself: 1 to 1,000 items.
SELECT is(tap_helpers.error_of($$SELECT * FROM game.bet_settle_batch('[]', 'game')$$)->>'sqlstate', 'RW001', 'an empty list is refused as a whole');
SELECT is(tap_helpers.error_of($$SELECT * FROM game.bet_settle_batch('{"settlements": []}', 'game')$$)->>'sqlstate', 'RW001', 'so is an object');
SELECT is(tap_helpers.error_of($$SELECT * FROM game.bet_settle_batch((SELECT jsonb_agg(pg_temp.item('n' || i, 's' || i, 'ba1', 'LOSS')) FROM generate_series(1, 1001) i), 'game')$$)->>'sqlstate',
          'RW001', 'and a list of 1,001');

SELECT is((SELECT count(*)::int FROM ops.reconcile()), 0, 'the books reconcile');

SELECT finish();
ROLLBACK;
