-- Rounds onto bets (SPEC §10, docs/casino.md "How rounds map onto bets"): what each transaction
-- type does to a round and its bets.  Each runs with the account locked, inside the
-- subtransaction of casino.transaction_add: a refusal (wallet._casino_refuse) or an error of a
-- command it calls rolls all of its work back.  Each takes the transaction's row as it will be
-- stored and returns it completed (bet, state, credit, effects, outcome).

-- The withdraws of the player at this provider that p_ref names: those whose providerBetRef is
-- p_ref, else those whose providerTransactionId is (Red Tiger cancels under the withdraw's own
-- id), optionally within one round.
CREATE OR REPLACE FUNCTION wallet._casino_withdraws_named(p_account_id text, p_provider text, p_ref text,
                                                          p_round_id text DEFAULT NULL)
RETURNS SETOF wallet.casino_transaction
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY SELECT * FROM wallet.casino_transaction
      WHERE account_id = p_account_id AND provider = p_provider AND provider_bet_ref = p_ref
        AND transaction_type IN ('WITHDRAW', 'PROMOWITHDRAW') AND (p_round_id IS NULL OR provider_round_id = p_round_id)
      ORDER BY created_at, transaction_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT * FROM wallet.casino_transaction
          WHERE account_id = p_account_id AND provider = p_provider AND provider_transaction_id = p_ref
            AND transaction_type IN ('WITHDRAW', 'PROMOWITHDRAW') AND (p_round_id IS NULL OR provider_round_id = p_round_id)
          ORDER BY created_at, transaction_id;
    END IF;
END
$$;

-- Ends a round (isGameOver): every open bet of it settles LOSS (game.bet_settle), its withdraws
-- become SETTLED, the round CLOSED.  Nothing for a round unknown or already closed.  Returns
-- [{bet_id, result}] of the bets it settled.
CREATE OR REPLACE FUNCTION wallet._casino_round_close(p_account_id text, p_provider text, p_round_id text, p_by bigint,
                                                      p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_withdraw wallet.casino_transaction;
    v_lost jsonb := '[]'::jsonb;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM wallet.casino_round WHERE account_id = p_account_id AND provider = p_provider
                      AND round_id = p_round_id AND status = 'OPEN') THEN
        RETURN v_lost;
    END IF;
    FOR v_withdraw IN SELECT * FROM wallet.casino_transaction
                       WHERE account_id = p_account_id AND provider = p_provider AND provider_round_id = p_round_id
                         AND transaction_type IN ('WITHDRAW', 'PROMOWITHDRAW') AND state = 'OPEN'
                       ORDER BY created_at, transaction_id LOOP
        IF v_withdraw.bet_id IS NOT NULL THEN
            PERFORM game.bet_settle(p_bet_id => v_withdraw.bet_id, p_player_id => p_account_id,
                                    p_settlement_id => format('casino:%s:close:%s', p_by, v_withdraw.transaction_id),
                                    p_result => 'LOSS', p_payout => 0, p_actor => p_actor);
            v_lost := v_lost || jsonb_build_object('bet_id', v_withdraw.bet_id, 'result', 'LOSS');
        END IF;
        UPDATE wallet.casino_transaction SET state = 'SETTLED'
         WHERE account_id = p_account_id AND transaction_id = v_withdraw.transaction_id;
    END LOOP;
    UPDATE wallet.casino_round SET status = 'CLOSED', ended_at = now()
     WHERE account_id = p_account_id AND provider = p_provider AND round_id = p_round_id;
    RETURN v_lost;
END
$$;

-- WITHDRAW / PROMOWITHDRAW: a bet in the round (game.bet_authorize: the provider type's policy
-- chooses the sources), the round opened on its first bet.  A withdraw of 0 joins the round
-- and moves nothing.  Refuses PAM_ERR_UNDEFINED (no round id), PAM_ERR_TRANS_ALREADY_CANCELLED
-- (cancelled before it arrived), PAM_ERR_BET_NOT_ALLOWED (the round is over),
-- PAM_ERR_GAME_NOT_FOUND (no game in the transaction nor the session).
CREATE OR REPLACE FUNCTION wallet._casino_withdraw(p_row wallet.casino_transaction, p_provider_type text,
                                                   p_session_game text, p_actor text)
RETURNS wallet.casino_transaction
LANGUAGE plpgsql AS $$
DECLARE
    v_round wallet.casino_round;
    v_amount bigint := p_row.cash + p_row.bonus + p_row.promo;
    v_bet jsonb;
BEGIN
    IF p_row.provider_round_id IS NULL THEN
        PERFORM wallet._casino_refuse('PAM_ERR_UNDEFINED', 'a withdraw needs providerRoundId');
    END IF;
    IF EXISTS (SELECT 1 FROM wallet.casino_transaction
                WHERE account_id = p_row.account_id AND provider = p_row.provider AND outcome = 'CANCEL_NOT_FOUND'
                  AND coalesce(provider_bet_ref, provider_transaction_id) IN (p_row.provider_transaction_id, p_row.provider_bet_ref)) THEN
        PERFORM wallet._casino_refuse('PAM_ERR_TRANS_ALREADY_CANCELLED', 'this withdraw was cancelled before it arrived');
    END IF;
    SELECT * INTO v_round FROM wallet.casino_round
     WHERE account_id = p_row.account_id AND provider = p_row.provider AND round_id = p_row.provider_round_id;
    IF FOUND AND v_round.status = 'CLOSED' THEN
        PERFORM wallet._casino_refuse('PAM_ERR_BET_NOT_ALLOWED', format('round %s is over', p_row.provider_round_id));
    ELSIF NOT FOUND THEN
        IF coalesce(p_row.provider_game_id, p_session_game) IS NULL THEN
            PERFORM wallet._casino_refuse('PAM_ERR_GAME_NOT_FOUND', 'no providerGameId in the transaction nor in the session');
        END IF;
        INSERT INTO wallet.casino_round (account_id, provider, round_id, game_id, provider_type)
        VALUES (p_row.account_id, p_row.provider, p_row.provider_round_id, coalesce(p_row.provider_game_id, p_session_game),
                p_provider_type)
        RETURNING * INTO v_round;
    END IF;

    p_row.state := 'OPEN';
    p_row.effects := jsonb_build_object('round_id', v_round.round_id);
    IF v_amount > 0 THEN
        p_row.bet_id := wallet._casino_ref(p_row.provider, CASE p_row.transaction_type WHEN 'WITHDRAW' THEN 'W' ELSE 'PW' END,
                                           p_row.provider_transaction_id);
        v_bet := game.bet_authorize(p_bet_id => p_row.bet_id, p_player_id => p_row.account_id,
                                    p_provider_type => v_round.provider_type, p_provider_id => p_row.provider,
                                    p_stake => v_amount, p_actor => p_actor);
        p_row.effects := p_row.effects || jsonb_build_object('bet', v_bet);
    END IF;
    RETURN p_row;
END
$$;

-- DEPOSIT: a win of the round (SPEC §10).  The withdraws it pays: those providerBetRef names in
-- the round, when it names any, else all of the round's.  The first win settles their open bets
-- (WIN, the amount split over them by stake: game.bet_settle); a later one pays more on the
-- settled ones (wallet._bet_pay_more), to the destinations of their snapshots.  A win of 0
-- moves nothing.  Refuses PAM_ERR_TRANS_NOT_FOUND (no such round, or no bet in it to pay),
-- PAM_ERR_TRANS_ALREADY_SETTLED (the round is over), PAM_ERR_TRANS_ALREADY_CANCELLED (the
-- bets it names were cancelled).
CREATE OR REPLACE FUNCTION wallet._casino_deposit(p_row wallet.casino_transaction, p_actor text)
RETURNS wallet.casino_transaction
LANGUAGE plpgsql AS $$
DECLARE
    v_round wallet.casino_round;
    v_amount bigint := p_row.cash + p_row.bonus + p_row.promo;
    v_named wallet.casino_transaction[];
    v_candidates wallet.casino_transaction[];
    v_targets wallet.casino_transaction[];
    v_settle boolean;
    v_share wallet.settle_share;
    v_i integer := 0;
    v_paid jsonb := '[]'::jsonb;
BEGIN
    IF p_row.provider_round_id IS NOT NULL THEN
        SELECT * INTO v_round FROM wallet.casino_round
         WHERE account_id = p_row.account_id AND provider = p_row.provider AND round_id = p_row.provider_round_id;
    ELSIF p_row.provider_bet_ref IS NOT NULL THEN
        SELECT r.* INTO v_round
          FROM wallet._casino_withdraws_named(p_row.account_id, p_row.provider, p_row.provider_bet_ref) w
          JOIN wallet.casino_round r ON r.account_id = w.account_id AND r.provider = w.provider AND r.round_id = w.provider_round_id
         LIMIT 1;
    END IF;
    IF v_round.round_id IS NULL THEN
        PERFORM wallet._casino_refuse('PAM_ERR_TRANS_NOT_FOUND', 'no round of this player at this provider for this win');
    ELSIF v_round.status = 'CLOSED' THEN
        PERFORM wallet._casino_refuse('PAM_ERR_TRANS_ALREADY_SETTLED', format('round %s is over', v_round.round_id));
    END IF;
    p_row.effects := jsonb_build_object('round_id', v_round.round_id);

    IF p_row.provider_bet_ref IS NOT NULL THEN
        v_named := ARRAY(SELECT w FROM wallet._casino_withdraws_named(p_row.account_id, p_row.provider,
                                                                      p_row.provider_bet_ref, v_round.round_id) w);
        IF cardinality(v_named) > 0 AND NOT EXISTS (SELECT 1 FROM unnest(v_named) w WHERE w.state <> 'CANCELLED') THEN
            PERFORM wallet._casino_refuse('PAM_ERR_TRANS_ALREADY_CANCELLED', 'the bet this win names was cancelled');
        END IF;
    END IF;
    IF coalesce(cardinality(v_named), 0) = 0 THEN
        v_named := ARRAY(SELECT w FROM wallet.casino_transaction w
                          WHERE w.account_id = p_row.account_id AND w.provider = p_row.provider
                            AND w.provider_round_id = v_round.round_id AND w.transaction_type IN ('WITHDRAW', 'PROMOWITHDRAW')
                          ORDER BY w.created_at, w.transaction_id);
    END IF;
    IF v_amount = 0 THEN
        RETURN p_row;
    END IF;

    v_candidates := ARRAY(SELECT w FROM unnest(v_named) w WHERE w.bet_id IS NOT NULL AND w.state <> 'CANCELLED'
                           ORDER BY w.created_at, w.transaction_id);
    v_targets := ARRAY(SELECT w FROM unnest(v_candidates) w WHERE w.state = 'OPEN' ORDER BY w.created_at, w.transaction_id);
    v_settle := cardinality(v_targets) > 0;
    IF NOT v_settle THEN
        v_targets := v_candidates;
    END IF;
    IF cardinality(v_targets) = 0 THEN
        IF EXISTS (SELECT 1 FROM unnest(v_named) w WHERE w.bet_id IS NOT NULL) THEN
            PERFORM wallet._casino_refuse('PAM_ERR_TRANS_ALREADY_CANCELLED', 'every bet of the round was cancelled');
        END IF;
        PERFORM wallet._casino_refuse('PAM_ERR_TRANS_NOT_FOUND', format('round %s holds no bet to pay', v_round.round_id));
    END IF;

    -- The win split over the bets by stake (largest remainder), each share then over the bet's
    -- own funding sources by the bet command.
    FOREACH v_share IN ARRAY wallet._settlement_split(v_amount, ARRAY(
            SELECT (w.bet_id, 'CASH', w.cash + w.bonus + w.promo, 'bet', true)::wallet.settle_source FROM unnest(v_targets) w)) LOOP
        v_i := v_i + 1;
        IF v_settle THEN
            PERFORM game.bet_settle(p_bet_id => v_share.source, p_player_id => p_row.account_id,
                                    p_settlement_id => format('casino:%s:%s', p_row.transaction_id, v_i),
                                    p_result => 'WIN', p_payout => v_share.share, p_actor => p_actor);
            UPDATE wallet.casino_transaction SET state = 'SETTLED'
             WHERE account_id = p_row.account_id AND transaction_id = (v_targets[v_i]).transaction_id;
        ELSIF v_share.share > 0 THEN
            PERFORM wallet._bet_pay_more(p_row.account_id, v_share.source, v_share.share,
                                         format('casino:%s', p_row.transaction_id), p_actor);
        END IF;
        v_paid := v_paid || jsonb_build_object('bet_id', v_share.source, 'amount', v_share.share,
                                               'as', CASE WHEN v_settle THEN 'settlement' ELSE 'payout_added' END);
    END LOOP;
    p_row.effects := p_row.effects || jsonb_build_object('paid', v_paid);
    RETURN p_row;
END
$$;

-- CANCEL / PROMOCANCEL: rolls back the bets of the withdraws it names — by providerBetRef, or
-- else by its own providerTransactionId — through game.bet_rollback (sources restored exactly).
-- A withdraw never seen: outcome CANCEL_NOT_FOUND and a tombstone (game.bet_rollback of the
-- withdraw's bet id, and this row), so the late withdraw is refused.  Refuses
-- PAM_ERR_CANCEL_NON_WITHDRAW, PAM_ERR_TRANS_ALREADY_SETTLED, PAM_ERR_TRANS_ALREADY_CANCELLED.
CREATE OR REPLACE FUNCTION wallet._casino_cancel(p_row wallet.casino_transaction, p_actor text)
RETURNS wallet.casino_transaction
LANGUAGE plpgsql AS $$
DECLARE
    v_ref text := coalesce(p_row.provider_bet_ref, p_row.provider_transaction_id);
    v_named wallet.casino_transaction[];
    v_withdraw wallet.casino_transaction;
    v_cancelled jsonb := '[]'::jsonb;
BEGIN
    v_named := ARRAY(SELECT w FROM wallet._casino_withdraws_named(p_row.account_id, p_row.provider, v_ref) w);
    IF cardinality(v_named) = 0 THEN
        IF EXISTS (SELECT 1 FROM wallet.casino_transaction
                    WHERE account_id = p_row.account_id AND provider = p_row.provider AND outcome = 'APPLIED'
                      AND transaction_type IN ('DEPOSIT', 'PROMODEPOSIT')
                      AND (provider_bet_ref = v_ref OR provider_transaction_id = v_ref)) THEN
            PERFORM wallet._casino_refuse('PAM_ERR_CANCEL_NON_WITHDRAW', format('%s names a transaction that is not a withdraw', v_ref));
        END IF;
        PERFORM game.bet_rollback(p_bet_id => wallet._casino_ref(p_row.provider,
                                                CASE p_row.transaction_type WHEN 'CANCEL' THEN 'W' ELSE 'PW' END, v_ref),
                                  p_player_id => p_row.account_id, p_rollback_id => format('casino:%s', p_row.transaction_id),
                                  p_reason => 'casino cancel before its withdraw', p_actor => p_actor);
        p_row.outcome := 'CANCEL_NOT_FOUND';
        p_row.effects := jsonb_build_object('tombstone', v_ref);
        RETURN p_row;
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(v_named) w WHERE w.state = 'SETTLED') THEN
        PERFORM wallet._casino_refuse('PAM_ERR_TRANS_ALREADY_SETTLED', 'the bet this cancel names is settled');
    ELSIF NOT EXISTS (SELECT 1 FROM unnest(v_named) w WHERE w.state = 'OPEN') THEN
        PERFORM wallet._casino_refuse('PAM_ERR_TRANS_ALREADY_CANCELLED', 'the withdraw this cancel names was cancelled before');
    END IF;

    FOR v_withdraw IN SELECT * FROM unnest(v_named) w WHERE w.state = 'OPEN' ORDER BY w.created_at, w.transaction_id LOOP
        IF v_withdraw.bet_id IS NOT NULL THEN
            PERFORM game.bet_rollback(p_bet_id => v_withdraw.bet_id, p_player_id => p_row.account_id,
                                      p_rollback_id => format('casino:%s:%s', p_row.transaction_id, v_withdraw.transaction_id),
                                      p_reason => 'casino cancel', p_actor => p_actor);
        END IF;
        UPDATE wallet.casino_transaction SET state = 'CANCELLED', cancelled_by = p_row.transaction_id
         WHERE account_id = p_row.account_id AND transaction_id = v_withdraw.transaction_id;
        v_cancelled := v_cancelled || jsonb_build_object('transaction_id', v_withdraw.transaction_id, 'bet_id', v_withdraw.bet_id);
    END LOOP;
    p_row.effects := jsonb_build_object('round_id', (v_named[1]).provider_round_id, 'cancelled', v_cancelled);
    RETURN p_row;
END
$$;

-- PROMODEPOSIT: a promotion payout without a bet (free-spin winnings, tournament prizes):
-- promotion.promotion_credit (kind EVENT) to the bucket the wallet group's money policy names
-- for promotion payouts (default its first BONUS bucket, else its first CASH bucket), with the
-- policy's rolling multiplier for them.  A payout of 0 moves nothing.
CREATE OR REPLACE FUNCTION wallet._casino_promo_deposit(p_row wallet.casino_transaction, p_provider_type text, p_actor text)
RETURNS wallet.casino_transaction
LANGUAGE plpgsql AS $$
DECLARE
    v_topology integer := wallet._active_topology();
    v_group text := wallet._group_of(v_topology, p_provider_type);
    v_policy wallet.group_policy := wallet._active_group_policy(v_group);
    v_amount bigint := p_row.cash + p_row.bonus + p_row.promo;
    v_credit jsonb;
BEGIN
    p_row.effects := jsonb_build_object('round_id', p_row.provider_round_id);
    IF v_amount = 0 THEN
        RETURN p_row;
    END IF;
    p_row.credit_id := wallet._casino_ref(p_row.provider, 'PD', p_row.provider_transaction_id);
    v_credit := promotion.promotion_credit(
        p_credit_id => p_row.credit_id, p_player_id => p_row.account_id, p_kind => 'EVENT', p_amount => v_amount,
        p_bucket_type => coalesce(v_policy.promo_payout_bucket_type, wallet._first_bucket(v_topology, v_group, 'BONUS'),
                                  wallet._first_bucket(v_topology, v_group, 'CASH')),
        p_rolling_multiplier => coalesce(v_policy.promo_payout_rolling_multiplier, 0), p_actor => p_actor);
    p_row.effects := p_row.effects || jsonb_build_object('credit', v_credit);
    RETURN p_row;
END
$$;
