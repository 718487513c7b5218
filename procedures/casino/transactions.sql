-- addTransaction (SPEC §10): the one entry of the aggregator's money.  docs/casino.md says what
-- each transaction type does; procedures/casino/rounds.sql does it.

-- Records a transaction the aggregator sends for p_player_id and applies it: WITHDRAW and
-- PROMOWITHDRAW place a bet in the round, DEPOSIT pays a win of it, CANCEL and PROMOCANCEL
-- roll a withdraw's bet back, PROMODEPOSIT credits a promotion payout; p_is_game_over then
-- ends the round (its bets without a win settle LOSS).  Amounts in minor units of the account's
-- currency; the stake or win is p_cash + p_bonus + p_promo (the split is advisory).
-- Checks, in order: the provider (enabled) and the session (this player's at this provider),
-- then locks the account, then the request's shape and currency, then idempotency — the same
-- (provider, type, provider transaction id) again answers OK with the current balance and writes
-- nothing, with another player, game, round or amount it is PAM_ERR_DUPLICATE_TRANS — then, for
-- a bet, that the session is not expired (wins, cancels and promotion payouts are taken on an
-- expired session).  The work runs in a subtransaction: a refusal, or an error of a command it
-- calls (mapped by wallet._casino_code_of), rolls all of it back and is answered as data with
-- the balance; only the CANCEL of an unseen withdraw writes and refuses (its tombstone).
-- Never raises a wallet error; an infrastructure error (serialization, deadlock) propagates.
-- Locks the account.  Writes wallet.casino_transaction, its key in wallet.resource_owner,
-- wallet.casino_round, and through game.bet_authorize / game.bet_settle / game.bet_rollback /
-- wallet._bet_pay_more / promotion.promotion_credit their ledger, rolling and outbox.
-- Answers {"status": "OK", "transaction_id", "currency", "balance": {"cash", "bonus", "promo"}}
-- or {"status": "ERROR", "code": "PAM_ERR_…", "message"[, "currency", "balance"]}.
-- Locks: the account.  Raises: nothing the wallet defines (refusals are answered; serialization failures and deadlocks propagate).  Writes: wallet.casino_transaction, wallet.resource_owner, wallet.casino_round, and through the bet and promotion commands their ledger, buckets, coupons, bets, rolling, idempotency records and outbox events.
CREATE OR REPLACE FUNCTION casino.transaction_add(p_token text, p_provider text, p_player_id text, p_transaction_type text,
                                                  p_provider_transaction_id text, p_currency text, p_cash bigint,
                                                  p_bonus bigint, p_promo bigint, p_transaction_at timestamptz,
                                                  p_provider_bet_ref text DEFAULT NULL, p_provider_game_id text DEFAULT NULL,
                                                  p_provider_round_id text DEFAULT NULL, p_is_game_over boolean DEFAULT false,
                                                  p_details jsonb DEFAULT NULL, p_correlation_id text DEFAULT NULL,
                                                  p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_provider_type text := wallet._casino_provider_type(p_provider);
    v_session wallet.game_session := wallet._casino_session(p_token, p_provider, p_player_id);
    v_refusal jsonb := wallet._casino_player_refusal(v_provider_type, v_session, p_player_id);
    v_account wallet.account;
    v_existing wallet.casino_transaction;
    v_row wallet.casino_transaction;
    v_lost jsonb;
    v_sqlstate text;
    v_message text;
    v_detail text;
    v_code text;
BEGIN
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    END IF;
    v_account := wallet._lock_account(p_player_id);
    v_refusal := CASE
        WHEN p_transaction_type IS NULL OR p_transaction_type NOT IN ('DEPOSIT', 'WITHDRAW', 'CANCEL', 'PROMODEPOSIT',
                                                                      'PROMOWITHDRAW', 'PROMOCANCEL')
            THEN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'transactionType is not one of the contract''s')
        WHEN NOT wallet._casino_id_ok(p_provider_transaction_id)
            THEN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'providerTransactionId must be 1 to 40 characters')
        WHEN p_provider_bet_ref IS NOT NULL AND NOT wallet._casino_id_ok(p_provider_bet_ref)
            THEN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'providerBetRef must be 1 to 40 characters')
        WHEN p_provider_game_id IS NOT NULL AND NOT wallet._casino_id_ok(p_provider_game_id)
            THEN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'providerGameId must be 1 to 40 characters')
        WHEN p_provider_round_id IS NOT NULL AND NOT wallet._casino_id_ok(p_provider_round_id, true)
            THEN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'providerRoundId must be 1 to 40 characters, without "/"')
        WHEN p_cash < 0 OR p_bonus < 0 OR p_promo < 0
            THEN wallet._casino_refusal('PAM_ERR_NEGATIVE_STAKE', 'an amount is below zero')
        WHEN p_cash IS NULL OR p_bonus IS NULL OR p_promo IS NULL OR p_cash + p_bonus + p_promo > 1000000000000000
            THEN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'the amounts must be given and sum to at most 10^15 minor units')
        WHEN p_currency IS DISTINCT FROM v_account.currency
            THEN wallet._casino_refusal('PAM_ERR_TRANS_CURRENCY', format('the account is in %s', v_account.currency))
        WHEN p_transaction_at IS NULL
            THEN wallet._casino_refusal('PAM_ERR_UNDEFINED', 'transactionDateTime is required')
    END;
    IF v_refusal IS NOT NULL THEN
        RETURN wallet._casino_with_balance(v_refusal, p_player_id, v_provider_type);
    END IF;

    SELECT * INTO v_existing FROM wallet.casino_transaction
     WHERE account_id = p_player_id AND provider = p_provider AND transaction_type = p_transaction_type
       AND provider_transaction_id = p_provider_transaction_id;
    IF FOUND THEN
        IF v_existing.provider_game_id IS DISTINCT FROM p_provider_game_id
           OR v_existing.provider_round_id IS DISTINCT FROM p_provider_round_id
           OR v_existing.cash + v_existing.bonus + v_existing.promo <> p_cash + p_bonus + p_promo THEN
            v_refusal := wallet._casino_refusal('PAM_ERR_DUPLICATE_TRANS',
                'this transaction id was used with another game, round or amount');
        ELSIF v_existing.outcome = 'CANCEL_NOT_FOUND' THEN
            v_refusal := wallet._casino_refusal('PAM_ERR_CANCEL_NOT_FOUND', 'the withdraw this cancel names was never seen');
        ELSE
            v_refusal := jsonb_build_object('status', 'OK', 'transaction_id', v_existing.transaction_id);
        END IF;
        RETURN wallet._casino_with_balance(v_refusal, p_player_id, v_provider_type);
    END IF;
    IF p_transaction_type IN ('WITHDRAW', 'PROMOWITHDRAW') AND v_session.expires_at <= now() THEN
        RETURN wallet._casino_refusal('PAM_ERR_SESSION_EXPIRED', format('the session expired at %s', v_session.expires_at));
    END IF;

    v_row.account_id := p_player_id;
    v_row.transaction_id := nextval('wallet.casino_transaction_id_seq');
    v_row.provider := p_provider;
    v_row.transaction_type := p_transaction_type;
    v_row.provider_transaction_id := p_provider_transaction_id;
    v_row.provider_bet_ref := p_provider_bet_ref;
    v_row.provider_game_id := p_provider_game_id;
    v_row.provider_round_id := p_provider_round_id;
    v_row.currency := p_currency;
    v_row.cash := p_cash;
    v_row.bonus := p_bonus;
    v_row.promo := p_promo;
    v_row.is_game_over := coalesce(p_is_game_over, false);
    v_row.transaction_at := p_transaction_at;
    v_row.outcome := 'APPLIED';
    v_row.details := p_details;
    v_row.correlation_id := p_correlation_id;
    v_row.actor := v_actor;
    v_row.created_at := clock_timestamp();  -- when it was written: the order of a round's transactions (C17)
    BEGIN
        -- Another player's transaction with this key: the claim refuses it (IDEMPOTENCY_CONFLICT,
        -- answered PAM_ERR_DUPLICATE_TRANS), also one committing while this one runs (the
        -- claim waits for it).  On Citus keys are unique per player (docs/scaling.md C15).
        PERFORM wallet._claim_resource('CASINO_TXN', wallet._casino_key(p_provider, p_transaction_type, p_provider_transaction_id),
                                       p_player_id);
        v_row := CASE
            WHEN p_transaction_type IN ('WITHDRAW', 'PROMOWITHDRAW') THEN wallet._casino_withdraw(v_row, v_provider_type, v_session.game_id, v_actor)
            WHEN p_transaction_type = 'DEPOSIT' THEN wallet._casino_deposit(v_row, v_actor)
            WHEN p_transaction_type IN ('CANCEL', 'PROMOCANCEL') THEN wallet._casino_cancel(v_row, v_actor)
            ELSE wallet._casino_promo_deposit(v_row, v_provider_type, v_actor)
        END;
        INSERT INTO wallet.casino_transaction SELECT (v_row).*;
        IF coalesce(p_is_game_over, false) AND v_row.outcome = 'APPLIED' AND v_row.effects->>'round_id' IS NOT NULL THEN
            v_lost := wallet._casino_round_close(p_player_id, p_provider, v_row.effects->>'round_id', v_row.transaction_id, v_actor);
            UPDATE wallet.casino_transaction SET effects = effects || jsonb_build_object('round_closed', true, 'lost', v_lost)
             WHERE account_id = p_player_id AND transaction_id = v_row.transaction_id;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_sqlstate = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
        SELECT e.code INTO v_code FROM wallet.error_code e WHERE e.sqlstate = v_sqlstate;
        IF v_code IS NULL THEN
            RAISE;
        END IF;
        RETURN wallet._casino_with_balance(wallet._casino_refusal(
            CASE WHEN v_code = 'CASINO_REFUSED' THEN v_detail::jsonb->>'code' ELSE wallet._casino_code_of(v_code) END,
            v_message), p_player_id, v_provider_type);
    END;
    IF v_row.outcome = 'CANCEL_NOT_FOUND' THEN
        RETURN wallet._casino_with_balance(wallet._casino_refusal('PAM_ERR_CANCEL_NOT_FOUND',
            'the withdraw this cancel names was never seen; it will be refused if it arrives'), p_player_id, v_provider_type);
    END IF;
    RETURN wallet._casino_with_balance(jsonb_build_object('status', 'OK', 'transaction_id', v_row.transaction_id),
                                       p_player_id, v_provider_type);
END
$$;
