-- Promotion credits (rebate, cashback, lossback, event reward) and their saga compensation.

-- Credits a promotion (rebate, cashback, lossback, event reward) to POINTS by default, or to
-- the bucket type the request names (validated against the active topology), from the
-- PROMOTION pocket; with a rolling multiplier it opens a BONUS obligation in that bucket's
-- group.  Idempotent on p_credit_id.  Locks the account.  Writes ledger PROMOTION_CREDIT,
-- outbox promotion.credited.  Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED,
-- UNKNOWN_BUCKET_TYPE, IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger PROMOTION_CREDIT, the bucket, wallet.promotion_credit, the resource directory, its rolling obligation, the idempotency record, outbox promotion.credited.
-- Answers (HTTP): ruby_wallet.routes.promotions.PromotionCredited.
CREATE OR REPLACE FUNCTION promotion.promotion_credit(p_credit_id text, p_player_id text, p_kind text, p_amount bigint,
                                                   p_bucket_type text DEFAULT 'POINTS', p_rolling_multiplier integer DEFAULT 0,
                                                   p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_bucket_type text := coalesce(p_bucket_type, 'POINTS');
    v_multiplier integer := coalesce(p_rolling_multiplier, 0);
    v_errors jsonb := '[]'::jsonb;
    v_request jsonb;
    v_account wallet.account;
    v_response jsonb;
    v_type wallet.bucket_type;
    v_rolling_id bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_credit_id, 'credit_id');
    v_errors := wallet._check(v_errors, p_kind IN ('REBATE', 'CASHBACK', 'LOSSBACK', 'EVENT'), 'kind', 'must be REBATE, CASHBACK, LOSSBACK or EVENT');
    v_errors := wallet._check_amount(v_errors, p_amount, 'amount');
    v_errors := wallet._check(v_errors, v_multiplier BETWEEN 0 AND 1000, 'rolling_multiplier', 'must be an integer from 0 to 1000');
    PERFORM wallet._raise_invalid(v_errors);

    v_account := wallet._lock_account(p_player_id);
    v_request := jsonb_build_object('player_id', p_player_id, 'kind', p_kind, 'amount', p_amount, 'bucket_type', v_bucket_type,
                                    'rolling_multiplier', v_multiplier);
    v_response := wallet._idem_replay(v_account.account_id, 'promotion_credit', p_credit_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);
    v_type := wallet._active_bucket_type(v_bucket_type);
    IF v_multiplier > 0 AND v_type.wallet_group IS NULL THEN
        PERFORM wallet._raise_invalid(wallet._problem('rolling_multiplier',
            format('rolling needs a bucket type of a wallet group; %s is shared', v_bucket_type)));
    END IF;
    PERFORM wallet._claim_resource('CREDIT', p_credit_id, v_account.account_id);

    PERFORM wallet._post(v_account.account_id, 'PROMOTION_CREDIT', 'credit:' || p_credit_id, v_actor,
                         ARRAY[wallet._bucket(v_bucket_type, p_amount), wallet._pocket('PROMOTION', -p_amount)], v_type.topology_version);
    IF v_multiplier > 0 THEN
        v_rolling_id := wallet._rolling_open(v_account.account_id, v_type.wallet_group, 'BONUS', p_amount, p_amount * v_multiplier,
                                             v_bucket_type, NULL, 'credit', p_credit_id,
                                             jsonb_build_object('rolling_multiplier', v_multiplier, 'kind', p_kind));
    END IF;
    INSERT INTO wallet.promotion_credit (account_id, credit_id, kind, amount, bucket_type, rolling_multiplier, rolling_id, created_by)
    VALUES (v_account.account_id, p_credit_id, p_kind, p_amount, v_bucket_type, v_multiplier, v_rolling_id, v_actor);

    v_response := jsonb_build_object('credit_id', p_credit_id, 'kind', p_kind, 'amount', p_amount, 'bucket_type', v_bucket_type,
                                     'balance_after', wallet._balance(v_account.account_id, v_bucket_type), 'rolling_id', v_rolling_id);
    PERFORM wallet._emit(v_account.account_id, 'promotion.credited', v_response || jsonb_build_object(
        'player_id', p_player_id, 'wallet_group', v_type.wallet_group, 'topology_version', v_type.topology_version));
    RETURN wallet._idem_store(v_account.account_id, 'promotion_credit', p_credit_id, v_request, v_response);
END
$$;

-- Saga compensation of a promotion credit: takes back min(credit, what the credited bucket
-- holds now) from that bucket alone, records the rest as `unrecovered`, cancels the rolling
-- obligation the credit opened.  Never fails half-way, never goes below zero.  Reversing a
-- reversed credit returns the first reversal.  Idempotent on p_reversal_id.
-- Raises CREDIT_NOT_FOUND, VALIDATION_FAILED, IDEMPOTENCY_CONFLICT.
-- Locks: the credit's account.  Raises: see above.  Writes: ledger PROMOTION_REVERSAL, the bucket, the credit, its rolling obligation, outbox promotion.reversed.
-- Answers (HTTP): ruby_wallet.routes.promotions.PromotionReversed.
CREATE OR REPLACE FUNCTION promotion.promotion_reverse(p_credit_id text, p_reversal_id text, p_reason text DEFAULT NULL,
                                                    p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_account wallet.account;
    v_request jsonb := jsonb_build_object('credit_id', p_credit_id);
    v_response jsonb;
    v_credit wallet.promotion_credit;
    v_taken bigint;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_key('[]', p_reversal_id, 'reversal_id'));
    v_account := wallet._lock_owner('CREDIT', p_credit_id, 'CREDIT_NOT_FOUND');
    v_response := wallet._idem_replay(v_account.account_id, 'promotion_reverse', p_reversal_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
    END IF;
    SELECT * INTO v_credit FROM wallet.promotion_credit WHERE account_id = v_account.account_id AND credit_id = p_credit_id;
    IF v_credit.status = 'REVERSED' THEN
        RETURN wallet._idem_store(v_account.account_id, 'promotion_reverse', p_reversal_id, v_request, v_credit.reversal_result);
    END IF;

    v_taken := least(v_credit.amount, wallet._balance(v_account.account_id, v_credit.bucket_type));
    PERFORM wallet._post(v_account.account_id, 'PROMOTION_REVERSAL', 'credit:' || p_credit_id, v_actor,
                         ARRAY[wallet._bucket(v_credit.bucket_type, -v_taken), wallet._pocket('PROMOTION', v_taken)],
                         wallet._active_topology());
    PERFORM wallet._rolling_cancel_with(v_account.account_id, v_credit.rolling_id, v_actor);
    v_response := jsonb_build_object('credit_id', p_credit_id, 'reversed', v_taken, 'unrecovered', v_credit.amount - v_taken,
                                     'bucket_type', v_credit.bucket_type, 'status', 'REVERSED');
    UPDATE wallet.promotion_credit SET status = 'REVERSED', reversed = v_taken, unrecovered = v_credit.amount - v_taken,
                                       reversal_result = v_response
     WHERE account_id = v_account.account_id AND credit_id = p_credit_id;
    PERFORM wallet._emit(v_account.account_id, 'promotion.reversed', v_response || jsonb_build_object(
        'player_id', v_account.account_id, 'reversal_id', p_reversal_id, 'reason', p_reason,
        'topology_version', wallet._active_topology()));
    RETURN wallet._idem_store(v_account.account_id, 'promotion_reverse', p_reversal_id, v_request, v_response);
END
$$;
