-- Batch settlement's two paths (docs/adr/0006-batch-settlement.md, "The plain path"): the plain
-- items of a call are settled together, the first item of an account that is not plain and every
-- later item of that account one by one (wallet._bet_settle_apply).  Each batch player has a twin
-- (same name + 's') that gets the same items as single settlements, in list order: every answer
-- and the twins' whole state (buckets, ledger, bets, obligations, progress, outbox) must be equal.
BEGIN;
SELECT plan(19);

CREATE FUNCTION pg_temp.item(p_bet text, p_player text, p_result text, p_payout bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('bet_id', p_bet, 'settlement_id', 's-' || p_bet, 'player_id', p_player,
                                                'result', p_result, 'payout', p_payout))
$$;
-- A player and its twin: deposits (each opens a DEPOSIT obligation of 1x), bets of the stakes given (a, b, c, ...).
CREATE FUNCTION pg_temp.players(p text, p_deposits bigint[], p_stakes bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    FOREACH v IN ARRAY ARRAY[p, p || 's'] LOOP
        PERFORM payments.open_account(p_player_id => v, p_currency => 'KRW', p_actor => 'tap');
        FOR i IN 1 .. cardinality(p_deposits) LOOP
            PERFORM payments.deposit_create(p_deposit_id => v || '-d' || i, p_player_id => v, p_amount => p_deposits[i],
                                            p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'tap');
        END LOOP;
        FOR i IN 1 .. cardinality(p_stakes) LOOP
            PERFORM game.bet_authorize(p_bet_id => chr(96 + i), p_player_id => v, p_provider_type => 'SPORTS', p_provider_id => 'book',
                                       p_stake => p_stakes[i], p_odds => 2, p_selected_source => NULL, p_actor => 'game');
        END LOOP;
    END LOOP;
END $$;
-- What the database holds about one account, in the order it was written, as text in which the
-- twin's name is the player's and rolling ids are left out (the twins' come from one sequence).
CREATE FUNCTION pg_temp.state(p text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(regexp_replace(jsonb_build_object(
      'buckets', (SELECT jsonb_object_agg(bucket_type, balance) FROM wallet.bucket WHERE account_id = p),
      'ledger', (SELECT jsonb_agg(jsonb_build_array(kind, ref, targets, amounts, balances_after) ORDER BY txn_id)
                   FROM wallet.ledger_txn WHERE account_id = p),
      'bets', (SELECT jsonb_agg(jsonb_build_array(bet_id, status, result, payout, settlement_id, settle_rolling) ORDER BY bet_id)
                 FROM wallet.bet WHERE account_id = p),
      'rolling', (SELECT jsonb_agg(jsonb_build_array(kind, required, progress, status) ORDER BY rolling_id)
                    FROM wallet.rolling_obligation WHERE account_id = p),
      'progress', (SELECT jsonb_agg(jsonb_build_array(bet_id, amount) ORDER BY rolling_id, bet_id)
                     FROM wallet.rolling_progress WHERE account_id = p),
      'outbox', (SELECT jsonb_agg(jsonb_build_array(event_type, payload) ORDER BY event_id) FROM wallet.outbox WHERE account_id = p)
    )::text, '"rolling_id": \d+', '"rolling_id": #', 'g'), 'rolling:\d+', 'rolling:#', 'g')
$$;

SELECT lives_ok($$
    SELECT pg_temp.players('q1', ARRAY[100000], ARRAY[1000, 1000, 1000, 1000]);
    SELECT pg_temp.players('q2', ARRAY[1000, 1000], ARRAY[500, 600, 100, 100]);
    SELECT pg_temp.players('q3', ARRAY[5000], ARRAY[1000]);
    SELECT pg_temp.players('q4', ARRAY[1000], ARRAY[600, 400]);
    SELECT pg_temp.players('q6', ARRAY[5000], ARRAY[1000, 1000]);
    SELECT pg_temp.players('q7', array_fill(1000::bigint, ARRAY[7]), ARRAY[300]);
    SELECT admin.account_set_status(p_player_id => v, p_status => 'frozen', p_reason => 'kyc', p_actor => 'ops')
      FROM unnest(ARRAY['q3', 'q3s']) v;
    $$, 'six players and their twins, with deposits and open bets');

CREATE TEMP TABLE items AS
SELECT n, i FROM unnest(ARRAY[
    pg_temp.item('a', 'q2', 'WIN', 1000),     -- q2: plain (progress 500 of 1,000)
    pg_temp.item('a', 'q1', 'WIN', 2500),     -- q1: all four plain
    pg_temp.item('b', 'q1', 'LOSS'),
    pg_temp.item('c', 'q1', 'VOID'),
    pg_temp.item('d', 'q1', 'CASHOUT', 700),
    pg_temp.item('b', 'q2', 'LOSS'),          -- q2: completes the first obligation: per item ...
    pg_temp.item('c', 'q2', 'WIN', 200),      -- ... and so are the account's later items
    pg_temp.item('d', 'q2', 'LOSS'),
    pg_temp.item('a', 'q3', 'LOSS'),          -- q3: a frozen account: per item
    pg_temp.item('a', 'q4', 'LOSS'),          -- q4: its cash at the threshold (0): auto-completion may follow, per item
    pg_temp.item('a', 'q6', 'WIN', 2000),     -- q6: plain
    pg_temp.item('a', 'q6', 'WIN', 2000),     -- a replay in the same call: per item
    pg_temp.item('b', 'q6', 'LOSS'),          -- and the account's later item
    pg_temp.item('a', 'q7', 'WIN', 600)       -- q7: seven obligations (five of them read): plain
]) WITH ORDINALITY AS u(i, n);

SET LOCAL track_functions = 'all';
CREATE TEMP TABLE r AS
SELECT * FROM game.bet_settle_batch((SELECT jsonb_agg(i ORDER BY n) FROM items), 'game');
SELECT is((SELECT calls::int FROM pg_stat_xact_user_functions WHERE schemaname = 'wallet' AND funcname = '_bet_settle_apply'), 7,
          'seven items went the per-item way (q2''s last three, q3, q4, q6''s last two), the other seven the plain one');
SELECT is((SELECT calls::int FROM pg_stat_xact_user_functions WHERE schemaname = 'wallet' AND funcname = '_bet_settle_plain'), 1,
          'the plain items in one call');
RESET track_functions;

CREATE FUNCTION pg_temp.settle_single(p jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v_state text; v_message text; v_detail text;
BEGIN
    RETURN '200 ' || game.bet_settle(p_bet_id => p->>'bet_id', p_player_id => (p->>'player_id') || 's',
                                     p_settlement_id => p->>'settlement_id', p_result => p->>'result',
                                     p_payout => (p->>'payout')::bigint, p_actor => 'game')::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    RETURN (wallet._problem_body(v_state, v_message, v_detail)->>'status') || ' ' || wallet._problem_body(v_state, v_message, v_detail)::text;
END $$;
CREATE TEMP TABLE single AS
SELECT n, i->>'player_id' AS player, pg_temp.settle_single(i) AS answer FROM items ORDER BY n;

SELECT is((SELECT array_agg(status ORDER BY index) FROM r), ARRAY[200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
          'every item settled (the replay answered)');
SELECT is((SELECT array_agg(regexp_replace(status || ' ' || body::text, '"rolling_id": \d+', '"rolling_id": #', 'g') ORDER BY index) FROM r),
          (SELECT array_agg(regexp_replace(replace(answer, player || 's', player), '"rolling_id": \d+', '"rolling_id": #', 'g') ORDER BY n) FROM single),
          'each answer is the single command''s, byte for byte (rolling ids aside)');
SELECT is((SELECT jsonb_array_length(body->'rolling') FROM r WHERE index = 5), 2,
          'q2''s LOSS filled the first obligation and the second');
SELECT is((SELECT jsonb_agg(e->>'status') FROM r, jsonb_array_elements(r.body->'rolling') e WHERE index = 5), '["COMPLETED", "ACTIVE"]',
          'the first completed');
SELECT is(pg_temp.state('q1'), replace(pg_temp.state('q1s'), 'q1s', 'q1'), 'q1 (all plain): the twins are the same');
SELECT is(pg_temp.state('q2'), replace(pg_temp.state('q2s'), 'q2s', 'q2'), 'q2 (plain, then a completion and per item): the same');
SELECT is(pg_temp.state('q3'), replace(pg_temp.state('q3s'), 'q3s', 'q3'), 'q3 (frozen): the same');
SELECT is(pg_temp.state('q4'), replace(pg_temp.state('q4s'), 'q4s', 'q4'), 'q4 (auto-completion): the same');
SELECT is(pg_temp.state('q6'), replace(pg_temp.state('q6s'), 'q6s', 'q6'), 'q6 (a replay in the call): the same');
SELECT is(pg_temp.state('q7'), replace(pg_temp.state('q7s'), 'q7s', 'q7'), 'q7 (more obligations than read): the same');
SELECT is((SELECT array_agg(progress::bigint ORDER BY created_at, rolling_id) FROM wallet.rolling_obligation WHERE account_id = 'q7'),
          ARRAY[300, 0, 0, 0, 0, 0, 0]::bigint[], 'q7''s oldest obligation took the progress');
SELECT is((SELECT jsonb_agg(jsonb_build_array(status, progress) ORDER BY rolling_id) FROM wallet.rolling_obligation WHERE account_id = 'q4'),
          '[["ACTIVE", 600]]', 'q4''s obligation progressed and stays active (its open bet b is money: no auto-completion)');
SELECT is((SELECT count(*)::int FROM wallet.rolling_obligation WHERE account_id = 'q2' AND status = 'COMPLETED'), 1,
          'q2''s first obligation completed and released');
SELECT is(tap_helpers.bal('q1', 'SPORTS_NORMAL'), 100000 - 4000 + 2500 + 1000 + 700::bigint, 'q1: four stakes out, the WIN, VOID and CASHOUT in');
SELECT is((SELECT array_agg(ref ORDER BY txn_id) FROM wallet.ledger_txn WHERE account_id = 'q1' AND kind = 'BET_SETTLE'),
          ARRAY['bet:a', 'bet:b', 'bet:c', 'bet:d'], 'the plain items'' ledger transactions in list order');
SELECT is((SELECT count(*)::int FROM ops.reconcile()), 0, 'the books reconcile');

SELECT finish();
ROLLBACK;
