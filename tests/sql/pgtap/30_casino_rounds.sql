-- The casino rounds (SPEC §10): casino.transaction_add and the reads, through the functions:
-- bets in rounds, wins that settle then pay more, the round's end, cancels and tombstones,
-- idempotency, sessions, amounts and the balance.  The HTTP side is tests/api/test_pam_*.py.
BEGIN;
SELECT plan(76);

-- Shorthand for this file: one transaction of player cp1 at evolution, answered as jsonb.
CREATE FUNCTION pg_temp.tx(p_token text, p_type text, p_id text, p_amount bigint, p_round text DEFAULT 'r1',
                           p_ref text DEFAULT NULL, p_over boolean DEFAULT false, p_player text DEFAULT 'cp1',
                           p_provider text DEFAULT 'evolution', p_currency text DEFAULT 'EUR', p_game text DEFAULT 'roulette')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT casino.transaction_add(p_token => p_token, p_provider => p_provider, p_player_id => p_player,
                                  p_transaction_type => p_type, p_provider_transaction_id => p_id, p_currency => p_currency,
                                  p_cash => p_amount, p_bonus => 0, p_promo => 0, p_transaction_at => now(),
                                  p_provider_bet_ref => p_ref, p_provider_game_id => p_game, p_provider_round_id => p_round,
                                  p_is_game_over => p_over, p_correlation_id => 'tap', p_actor => 'valkyrie')
$$;
CREATE FUNCTION pg_temp.cash(p_answer jsonb) RETURNS bigint LANGUAGE sql AS $$ SELECT (p_answer->'balance'->>'cash')::bigint $$;
CREATE FUNCTION pg_temp.code(p_answer jsonb) RETURNS text LANGUAGE sql AS $$ SELECT coalesce(p_answer->>'code', p_answer->>'status') $$;
CREATE FUNCTION pg_temp.ledger_count(p_player text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM wallet.ledger_txn WHERE account_id = p_player $$;
CREATE FUNCTION pg_temp.bet(p_id text) RETURNS wallet.bet LANGUAGE sql AS $$ SELECT * FROM wallet.bet WHERE bet_id = p_id $$;

SELECT lives_ok($$SELECT payments.open_account(p_player_id => p, p_currency => 'EUR', p_actor => 'tap'),
                         payments.deposit_create(p_deposit_id => p || '-d1', p_player_id => p, p_amount => 10000,
                                                 p_bucket_type => 'CASINO_NORMAL', p_auto_approve => true, p_actor => 'tap')
                    FROM unnest(ARRAY['cp1', 'cp2']) p$$,
                'players cp1 and cp2 hold 10000 each in CASINO_NORMAL');
SELECT player.game_session_open(p_player_id => 'cp1', p_provider => 'evolution', p_game_id => 'roulette', p_country => 'SE',
                                p_language => 'sv')->>'token' AS t1 \gset
SELECT player.game_session_open(p_player_id => 'cp2', p_provider => 'evolution', p_game_id => 'roulette', p_country => 'SE',
                                p_language => 'sv')->>'token' AS t2 \gset
SELECT is(length(:'t1'), 40, 'a session token is 40 characters');
SELECT is((SELECT count(*) FROM wallet.game_session WHERE token_sha256 = sha256(convert_to(:'t1', 'UTF8'))), 1::bigint,
          'and is stored as its SHA-256');
SELECT is((SELECT count(*) FROM wallet.game_session WHERE convert_to(:'t1', 'UTF8') IN (token_sha256)), 0::bigint, 'never in clear');

-- Sessions and balances.
SELECT is(casino.session_get(p_token => :'t1', p_provider => 'evolution')->'session',
          jsonb_build_object('player_id', 'cp1', 'currency', 'EUR', 'country', 'SE', 'language', 'sv', 'game_id', 'roulette',
                             'expires_at', (SELECT expires_at FROM wallet.game_session WHERE account_id = 'cp1')),
          'getSession answers the session');
SELECT is(casino.session_get(p_token => :'t1', p_provider => 'redtiger')->>'code', 'PAM_ERR_SESSION_NOT_FOUND',
          'a session is one provider''s');
SELECT is(casino.session_get(p_token => repeat('0', 40), p_provider => 'evolution')->>'code', 'PAM_ERR_SESSION_NOT_FOUND',
          'an unknown token has no session');
SELECT is(casino.balance_get(p_token => :'t1', p_provider => 'evolution', p_player_id => 'cp1'),
          '{"status": "OK", "balance": {"cash": 10000, "bonus": 0, "promo": 0}, "currency": "EUR"}', 'getBalance');
SELECT is(casino.balance_get(p_token => :'t1', p_provider => 'evolution', p_player_id => 'cp2')->>'code',
          'PAM_ERR_SESSION_NOT_FOUND', 'a token of another player is no session of this one');
SELECT is(casino.balance_get(p_token => :'t1', p_provider => 'nobody', p_player_id => 'cp1')->>'code',
          'PAM_ERR_MISSING_PROVIDER', 'an unknown provider');

-- A bet, its replay and its duplicates.
SELECT is(pg_temp.tx(:'t1', 'WITHDRAW', 'w1', 1000, p_ref => 'ref1') - 'transaction_id',
          '{"status": "OK", "balance": {"cash": 9000, "bonus": 0, "promo": 0}, "currency": "EUR"}',
          'WITHDRAW places the bet and answers the balance');
SELECT is(pg_temp.tx(:'t1', 'WITHDRAW', 'w1', 1000, p_ref => 'ref1')->>'transaction_id',
          (SELECT transaction_id::text FROM wallet.casino_transaction WHERE provider_transaction_id = 'w1'),
          'and the wallet''s transaction id; the same transaction again answers it again');
SELECT is((pg_temp.bet('casino:evolution:W:w1')).status, 'AUTHORIZED', 'through game.bet_authorize: the wallet bet');
SELECT is(tap_helpers.pocket('cp1', 'HOLD'), 1000::bigint, 'the stake is held');
SELECT is((SELECT status FROM wallet.casino_round WHERE account_id = 'cp1' AND round_id = 'r1'), 'OPEN', 'the round is open');
SELECT pg_temp.ledger_count('cp1') AS ledger_before \gset
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w1', 1000, p_ref => 'ref1')), 'OK', 'the same transaction once more: OK');
SELECT is(pg_temp.ledger_count('cp1'), :'ledger_before'::bigint, 'and writes nothing');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w1', 999, p_ref => 'ref1')), 'PAM_ERR_DUPLICATE_TRANS', 'another amount: a duplicate');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w1', 1000, p_round => 'r2', p_ref => 'ref1')), 'PAM_ERR_DUPLICATE_TRANS',
          'another round: a duplicate');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w1', 1000, p_ref => 'ref1', p_game => 'other')), 'PAM_ERR_DUPLICATE_TRANS',
          'another game: a duplicate');
SELECT is(pg_temp.code(pg_temp.tx(:'t2', 'WITHDRAW', 'w1', 1000, p_ref => 'ref1', p_player => 'cp2')), 'PAM_ERR_DUPLICATE_TRANS',
          'another player: a duplicate');
SELECT is(pg_temp.cash(pg_temp.tx(:'t2', 'WITHDRAW', 'w1', 1000, p_ref => 'ref1', p_player => 'cp2')), 10000::bigint,
          'refused with the other player''s balance, untouched');
SELECT is(pg_temp.ledger_count('cp1'), :'ledger_before'::bigint, 'the duplicates wrote nothing');

-- Two bets, two wins, the round's end.
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w2', 3000, p_ref => 'ref2')), 'OK', 'a second bet in the round');
SELECT is(pg_temp.cash(pg_temp.tx(:'t1', 'DEPOSIT', 'd1', 2000)), 8000::bigint, 'the first win pays 2000');
SELECT is(ARRAY[(pg_temp.bet('casino:evolution:W:w1')).payout, (pg_temp.bet('casino:evolution:W:w2')).payout],
          ARRAY[500::bigint, 1500::bigint], 'it settles both open bets, split by stake');
SELECT is((pg_temp.bet('casino:evolution:W:w1')).result, 'WIN', 'as WIN');
SELECT is(pg_temp.cash(pg_temp.tx(:'t1', 'DEPOSIT', 'd2', 1001)), 9001::bigint, 'a second win pays 1001 more');
SELECT is(ARRAY[(pg_temp.bet('casino:evolution:W:w1')).payout, (pg_temp.bet('casino:evolution:W:w2')).payout],
          ARRAY[750::bigint, 2251::bigint], 'to the same bets, by stake (largest remainder)');
SELECT is((SELECT count(*) FROM wallet.outbox WHERE account_id = 'cp1' AND event_type = 'bet.payout_added'), 2::bigint,
          'each bet''s added payout is an event');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'DEPOSIT', 'd3', 0, p_over => true)), 'OK', 'a win of 0 with isGameOver');
SELECT is((SELECT status FROM wallet.casino_round WHERE account_id = 'cp1' AND round_id = 'r1'), 'CLOSED', 'closes the round');
SELECT ok(casino.round_get(p_token => :'t1', p_provider => 'evolution', p_player_id => 'cp1', p_round_id => 'r1')->'round'->>'ended_at'
          IS NOT NULL, 'getGameRound answers its end');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'DEPOSIT', 'd4', 5)), 'PAM_ERR_TRANS_ALREADY_SETTLED', 'a later win is refused');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w3', 5)), 'PAM_ERR_BET_NOT_ALLOWED', 'so is a bet in a round that is over');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'DEPOSIT', 'd5', 5, p_round => 'r-never')), 'PAM_ERR_TRANS_NOT_FOUND',
          'a win for a round never seen');
SELECT is(casino.round_get(p_token => :'t1', p_provider => 'evolution', p_player_id => 'cp1', p_round_id => 'r-never')->>'code',
          'PAM_ERR_ROUND_NOT_FOUND', 'getGameRound of a round never seen');

-- A bet without a win loses when its round ends; rolling counts it like any bet.
SELECT (SELECT progress FROM wallet.rolling_obligation WHERE account_id = 'cp1') AS progress_before \gset
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w4', 400, p_round => 'r4')), 'OK', 'a bet in round r4');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'DEPOSIT', 'd6', 0, p_round => 'r4')), 'OK', 'a win of 0');
SELECT is((pg_temp.bet('casino:evolution:W:w4')).status, 'AUTHORIZED', 'does not settle the bet');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w5', 100, p_round => 'r4', p_over => true)), 'OK',
          'the next bet ends the round');
SELECT is(ARRAY[(pg_temp.bet('casino:evolution:W:w4')).result, (pg_temp.bet('casino:evolution:W:w5')).result], ARRAY['LOSS', 'LOSS'],
          'its bets without a win settle LOSS');
SELECT is((SELECT progress::bigint FROM wallet.rolling_obligation WHERE account_id = 'cp1'), :'progress_before'::bigint + 50,
          'LIVE rolling counts 10% of the 500 staked');

-- Cancels.
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w6', 700, p_round => 'r6', p_ref => 'ref6')), 'OK', 'a bet');
SELECT is(pg_temp.cash(pg_temp.tx(:'t1', 'CANCEL', 'c6', 700, p_round => 'r6', p_ref => 'ref6')), 8501::bigint,
          'CANCEL names it by providerBetRef and restores the stake');
SELECT is((pg_temp.bet('casino:evolution:W:w6')).status, 'ROLLED_BACK', 'through game.bet_rollback');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'CANCEL', 'c6', 700, p_round => 'r6', p_ref => 'ref6')), 'OK', 'the same cancel again: OK');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'CANCEL', 'c6b', 700, p_round => 'r6', p_ref => 'ref6')), 'PAM_ERR_TRANS_ALREADY_CANCELLED',
          'another cancel of it');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'DEPOSIT', 'd7', 50, p_round => 'r6', p_ref => 'ref6')), 'PAM_ERR_TRANS_ALREADY_CANCELLED',
          'a win for the cancelled bet');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'rt1', 300, p_round => 'r7')), 'OK', 'a bet without a bet ref');
SELECT is(pg_temp.cash(pg_temp.tx(:'t1', 'CANCEL', 'rt1', 300, p_round => 'r7')), 8501::bigint,
          'cancelled under its own transaction id (another type, another key)');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'CANCEL', 'c1', 1000, p_ref => 'ref1')), 'PAM_ERR_TRANS_ALREADY_SETTLED',
          'a cancel of a settled bet');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'CANCEL', 'c-d1', 0, p_ref => 'd1')), 'PAM_ERR_CANCEL_NON_WITHDRAW',
          'a cancel naming a win');
SELECT pg_temp.ledger_count('cp1') AS ledger_before \gset
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'CANCEL', 'c8', 200, p_round => 'r8', p_ref => 'ref8')), 'PAM_ERR_CANCEL_NOT_FOUND',
          'a cancel of a withdraw never seen');
SELECT is((pg_temp.bet('casino:evolution:W:ref8')).tombstone, true, 'leaves the wallet''s tombstone');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'CANCEL', 'c8', 200, p_round => 'r8', p_ref => 'ref8')), 'PAM_ERR_CANCEL_NOT_FOUND',
          'and answers the same when repeated');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w8', 200, p_round => 'r8', p_ref => 'ref8')), 'PAM_ERR_TRANS_ALREADY_CANCELLED',
          'the late withdraw is refused');
SELECT is(pg_temp.ledger_count('cp1'), :'ledger_before'::bigint, 'no money moved');

-- Money rules through the bet commands.
SELECT is(pg_temp.tx(:'t1', 'WITHDRAW', 'w9', 9000, p_round => 'r9') - 'message',
          '{"code": "PAM_ERR_CASH_OVERDRAFT", "status": "ERROR", "balance": {"cash": 8501, "bonus": 0, "promo": 0}, "currency": "EUR"}',
          'a stake beyond the money: CASH_OVERDRAFT with the balance');
SELECT is((SELECT count(*) FROM wallet.casino_round WHERE account_id = 'cp1' AND round_id = 'r9'), 0::bigint,
          'and the refusal rolled the round back too');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w10', -5, p_round => 'r10')), 'PAM_ERR_NEGATIVE_STAKE', 'a negative amount');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w10', 5, p_round => 'r10', p_currency => 'USD')), 'PAM_ERR_TRANS_CURRENCY',
          'another currency');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w10', 5, p_round => 'r/10')), 'PAM_ERR_UNDEFINED',
          'a round id that could not come back in a URL');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w10', 5, p_round => NULL)), 'PAM_ERR_UNDEFINED', 'a bet without a round');
SELECT lives_ok($$SELECT admin.account_set_status(p_player_id => 'cp1', p_status => 'frozen', p_reason => 'tap', p_actor => 'tap')$$,
                'freeze cp1');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w11', 5, p_round => 'r11')), 'PAM_ERR_BET_NOT_ALLOWED', 'no bet on a frozen account');
SELECT lives_ok($$SELECT admin.account_set_status(p_player_id => 'cp1', p_status => 'active', p_reason => 'tap', p_actor => 'tap')$$,
                'unfreeze');

-- An expired session: no bet, but wins, cancels and promotion payouts.
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w12', 100, p_round => 'r12', p_ref => 'ref12')), 'OK', 'a bet in r12');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w13', 100, p_round => 'r13', p_ref => 'ref13')), 'OK', 'a bet in r13');
UPDATE wallet.game_session SET expires_at = now() - interval '1 second' WHERE account_id = 'cp1';
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w14', 100, p_round => 'r12')), 'PAM_ERR_SESSION_EXPIRED', 'no bet on an expired session');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'WITHDRAW', 'w12', 100, p_round => 'r12', p_ref => 'ref12')), 'OK',
          'a retry of a bet it took still answers OK');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'DEPOSIT', 'd12', 250, p_round => 'r12')), 'OK', 'a win on it is taken');
SELECT is(pg_temp.code(pg_temp.tx(:'t1', 'CANCEL', 'c13', 100, p_round => 'r13', p_ref => 'ref13')), 'OK', 'a cancel too');
SELECT is(pg_temp.cash(pg_temp.tx(:'t1', 'PROMODEPOSIT', 'pd1', 300, p_round => NULL)), 8651::bigint, 'and a promotion payout');
SELECT is(casino.balance_get(p_token => :'t1', p_provider => 'evolution', p_player_id => 'cp1')->'balance',
          '{"cash": 8651, "bonus": 300, "promo": 0}', 'which went to CASINO_BONUS (the money policy''s default)');

SELECT is((SELECT count(*) FROM ops.reconcile()), 0::bigint, 'the books reconcile');
SELECT * FROM finish();
ROLLBACK;
