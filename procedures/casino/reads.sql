-- The aggregator's reads: balance, transactions, game round.  Accepted on an expired session
-- of the right player (a win's pre-checks must not fail on a timeout).  No lock, no write;
-- refusals are answered as data.

-- getBalance: what the player can stake with this provider (wallet._casino_balance).
-- Answers PAM_ERR_MISSING_PROVIDER, PAM_ERR_SESSION_NOT_FOUND.
-- Locks: nothing.  Raises: nothing (refusals are answered).  Writes: nothing.
CREATE OR REPLACE FUNCTION casino.balance_get(p_token text, p_provider text, p_player_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_provider_type text := wallet._casino_provider_type(p_provider);
    v_refusal jsonb := wallet._casino_player_refusal(v_provider_type, wallet._casino_session(p_token, p_provider, p_player_id), p_player_id);
BEGIN
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    END IF;
    RETURN wallet._casino_with_balance(jsonb_build_object('status', 'OK'), p_player_id, v_provider_type);
END
$$;

-- getTransactions: the player's transactions at this provider that the wallet applied, by
-- p_provider_bet_ref when given, else by p_provider_transaction_id, oldest first.
-- Answers PAM_ERR_MISSING_PROVIDER, PAM_ERR_SESSION_NOT_FOUND, PAM_ERR_UNDEFINED (neither
-- given), PAM_ERR_TRANS_NOT_FOUND (none found).
-- Locks: nothing.  Raises: nothing (refusals are answered).  Writes: nothing.
CREATE OR REPLACE FUNCTION casino.transactions_find(p_token text, p_provider text, p_player_id text,
                                                    p_provider_transaction_id text DEFAULT NULL,
                                                    p_provider_bet_ref text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_refusal jsonb := wallet._casino_player_refusal(wallet._casino_provider_type(p_provider),
                                                     wallet._casino_session(p_token, p_provider, p_player_id), p_player_id);
    v_found jsonb;
BEGIN
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    ELSIF p_provider_transaction_id IS NULL AND p_provider_bet_ref IS NULL THEN
        RETURN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'give providerTransactionId or providerBetRef');
    END IF;
    SELECT jsonb_agg(jsonb_build_object(
               'transaction_type', t.transaction_type, 'provider', t.provider,
               'provider_transaction_id', t.provider_transaction_id, 'provider_bet_ref', t.provider_bet_ref,
               'provider_game_id', t.provider_game_id, 'provider_round_id', t.provider_round_id,
               'cash', t.cash, 'bonus', t.bonus, 'promo', t.promo, 'transaction_at', t.transaction_at,
               'is_game_over', t.is_game_over, 'bet_code', t.details->>'betCode') ORDER BY t.created_at, t.transaction_id)
      INTO v_found
      FROM wallet.casino_transaction t
     WHERE t.account_id = p_player_id AND t.provider = p_provider AND t.outcome = 'APPLIED'
       AND CASE WHEN p_provider_bet_ref IS NOT NULL THEN t.provider_bet_ref = p_provider_bet_ref
                ELSE t.provider_transaction_id = p_provider_transaction_id END;
    IF v_found IS NULL THEN
        RETURN wallet._casino_refusal('PAM_ERR_TRANS_NOT_FOUND', 'no transaction of this player at this provider matches');
    END IF;
    RETURN jsonb_build_object('status', 'OK', 'currency', (SELECT currency FROM wallet.account WHERE account_id = p_player_id),
                              'transactions', v_found);
END
$$;

-- getGameRound: the player's round p_round_id at this provider, with its start and end.
-- Answers PAM_ERR_MISSING_PROVIDER, PAM_ERR_SESSION_NOT_FOUND, PAM_ERR_ROUND_NOT_FOUND.
-- Locks: nothing.  Raises: nothing (refusals are answered).  Writes: nothing.
CREATE OR REPLACE FUNCTION casino.round_get(p_token text, p_provider text, p_player_id text, p_round_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_refusal jsonb := wallet._casino_player_refusal(wallet._casino_provider_type(p_provider),
                                                     wallet._casino_session(p_token, p_provider, p_player_id), p_player_id);
    v_round wallet.casino_round;
BEGIN
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    END IF;
    SELECT * INTO v_round FROM wallet.casino_round
     WHERE account_id = p_player_id AND provider = p_provider AND round_id = p_round_id;
    IF NOT FOUND THEN
        RETURN wallet._casino_refusal('PAM_ERR_ROUND_NOT_FOUND', format('no round %s of this player at this provider', p_round_id));
    END IF;
    RETURN jsonb_build_object('status', 'OK', 'round', jsonb_build_object(
        'provider_game_id', v_round.game_id, 'provider_round_id', v_round.round_id, 'status', v_round.status,
        'started_at', v_round.started_at, 'ended_at', v_round.ended_at));
END
$$;
