-- Promotion credits (rebate, cashback, lossback, event reward) and their saga compensation.

-- The answer of a promotion credit, built from its record and its ledger transaction (the
-- first answer and every replay): balance_after is the credited bucket's balance after it.
CREATE OR REPLACE FUNCTION wallet._promotion_credited_answer(c wallet.promotion_credit)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT jsonb_build_object('credit_id', c.credit_id, 'kind', c.kind, 'amount', c.amount, 'bucket_type', c.bucket_type,
                                  'balance_after', (SELECT t.balances_after[1] FROM wallet.ledger_txn t
                                                     WHERE t.account_id = c.account_id AND t.txn_id = c.txn_id),
                                  'rolling_id', c.rolling_id));
END
$$;

-- Credits a promotion (rebate, cashback, lossback, event reward) to POINTS by default, or to
-- the bucket type the request names (validated against the active topology), from the
-- PROMOTION pocket; with a rolling multiplier it opens a BONUS obligation in that bucket's
-- group.  Idempotent on p_credit_id.  Locks the account.  Writes ledger PROMOTION_CREDIT,
-- outbox promotion.credited.  Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED,
-- UNKNOWN_BUCKET_TYPE, IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger PROMOTION_CREDIT, the bucket, wallet.promotion_credit (the record), the resource directory, its rolling obligation, outbox promotion.credited.
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
    v_account wallet.account;
    v_ctx record;
    v_ctx_account wallet.account;
    v_seen wallet.promotion_credit;
    v_txn wallet.ledger_txn;
    v_response jsonb;
    v_type wallet.bucket_type;
    v_rolling_id bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_credit_id, 'credit_id');
    v_errors := wallet._check(v_errors, p_kind IN ('REBATE', 'CASHBACK', 'LOSSBACK', 'EVENT'), 'kind', 'must be REBATE, CASHBACK, LOSSBACK or EVENT');
    v_errors := wallet._check_amount(v_errors, p_amount, 'amount');
    v_errors := wallet._check(v_errors, v_multiplier BETWEEN 0 AND 1000, 'rolling_multiplier', 'must be an integer from 0 to 1000');
    PERFORM wallet._raise_invalid(v_errors);

    -- The lock first, in a statement of its own: what the command reads next is read after
    -- it, so it sees every command on this player that committed while this one waited.
    v_ctx_account := wallet._lock_account(p_player_id);
    SELECT v_ctx_account AS account, c AS seen
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.promotion_credit c ON c.account_id = p_player_id AND c.credit_id = p_credit_id;
    v_account := v_ctx.account;
    v_seen := v_ctx.seen;
    IF v_seen.credit_id IS NOT NULL THEN
        -- The credit row is the record: the same credit answers what crediting it answered.
        IF (v_seen.kind, v_seen.amount, v_seen.bucket_type, v_seen.rolling_multiplier) = (p_kind, p_amount, v_bucket_type, v_multiplier) THEN
            RETURN wallet._promotion_credited_answer(v_seen);
        END IF;
        PERFORM wallet._idempotency_conflict('promotion_credit', p_credit_id);
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);
    v_type := wallet._active_bucket_type(v_bucket_type);
    IF v_multiplier > 0 AND v_type.wallet_group IS NULL THEN
        PERFORM wallet._raise_invalid(wallet._problem('rolling_multiplier',
            format('rolling needs a bucket type of a wallet group; %s is shared', v_bucket_type)));
    END IF;
    PERFORM wallet._claim_resource('CREDIT', p_credit_id, v_account.account_id);

    v_txn := wallet._post(v_account.account_id, 'PROMOTION_CREDIT', 'credit:' || p_credit_id, v_actor,
                          ARRAY[wallet._bucket(v_bucket_type, p_amount), wallet._pocket('PROMOTION', -p_amount)], v_type.topology_version);
    IF v_multiplier > 0 THEN
        v_rolling_id := wallet._rolling_open(v_account.account_id, v_type.wallet_group, 'BONUS', p_amount, p_amount * v_multiplier,
                                             v_bucket_type, NULL, 'credit', p_credit_id,
                                             jsonb_build_object('rolling_multiplier', v_multiplier, 'kind', p_kind));
    END IF;
    INSERT INTO wallet.promotion_credit (account_id, credit_id, kind, amount, bucket_type, rolling_multiplier, rolling_id, created_by,
                                         txn_id)
    VALUES (v_account.account_id, p_credit_id, p_kind, p_amount, v_bucket_type, v_multiplier, v_rolling_id, v_actor, v_txn.txn_id);

    v_response := jsonb_build_object('credit_id', p_credit_id, 'kind', p_kind, 'amount', p_amount, 'bucket_type', v_bucket_type,
                                     'balance_after', v_txn.balances_after[1], 'rolling_id', v_rolling_id);
    PERFORM wallet._emit(v_account.account_id, 'promotion.credited', v_response || jsonb_build_object(
        'player_id', p_player_id, 'wallet_group', v_type.wallet_group, 'topology_version', v_type.topology_version));
    RETURN v_response;
END
$$;

-- Saga compensation of a promotion credit: takes back min(credit, what the credited bucket
-- holds now) from that bucket alone, records the rest as `unrecovered`, cancels the rolling
-- obligation the credit opened.  Never fails half-way, never goes below zero.  Reversing a
-- reversed credit returns the first reversal.  Idempotent on p_reversal_id.
-- Raises CREDIT_NOT_FOUND, VALIDATION_FAILED, IDEMPOTENCY_CONFLICT.
-- Locks: the credit's account.  Raises: see above.  Writes: ledger PROMOTION_REVERSAL, the bucket, the credit (the reversal's record), its rolling obligation, a repeat key for a second reversal, outbox promotion.reversed.
-- Answers (HTTP): ruby_wallet.routes.promotions.PromotionReversed.
CREATE OR REPLACE FUNCTION promotion.promotion_reverse(p_credit_id text, p_reversal_id text, p_reason text DEFAULT NULL,
                                                    p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_account wallet.account;
    v_keyed text;
    v_response jsonb;
    v_credit wallet.promotion_credit;
    v_taken bigint;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_key('[]', p_reversal_id, 'reversal_id'));
    v_account := wallet._lock_owner('CREDIT', p_credit_id, 'CREDIT_NOT_FOUND');
    SELECT c.credit_id INTO v_keyed FROM wallet.promotion_credit c
     WHERE c.account_id = v_account.account_id AND c.reversal_id = p_reversal_id;
    IF v_keyed IS NULL THEN
        SELECT r.target INTO v_keyed FROM wallet.repeat_key r
         WHERE r.account_id = v_account.account_id AND r.command = 'promotion_reverse' AND r.key = p_reversal_id;
    END IF;
    SELECT * INTO v_credit FROM wallet.promotion_credit WHERE account_id = v_account.account_id AND credit_id = p_credit_id;
    IF v_keyed IS NOT NULL THEN
        IF v_keyed = p_credit_id THEN
            RETURN v_credit.reversal_result;
        END IF;
        PERFORM wallet._idempotency_conflict('promotion_reverse', p_reversal_id);
    END IF;
    IF v_credit.status = 'REVERSED' THEN
        -- Reversed before, under another id: the first answer, and this id remembered.
        PERFORM wallet._repeat_key(v_account.account_id, 'promotion_reverse', p_reversal_id, p_credit_id);
        RETURN v_credit.reversal_result;
    END IF;

    v_taken := least(v_credit.amount, wallet._balance(v_account.account_id, v_credit.bucket_type));
    PERFORM wallet._post(v_account.account_id, 'PROMOTION_REVERSAL', 'credit:' || p_credit_id, v_actor,
                         ARRAY[wallet._bucket(v_credit.bucket_type, -v_taken), wallet._pocket('PROMOTION', v_taken)],
                         wallet._active_topology());
    PERFORM wallet._rolling_cancel_with(v_account.account_id, v_credit.rolling_id, v_actor);
    v_response := jsonb_build_object('credit_id', p_credit_id, 'reversed', v_taken, 'unrecovered', v_credit.amount - v_taken,
                                     'bucket_type', v_credit.bucket_type, 'status', 'REVERSED');
    UPDATE wallet.promotion_credit SET status = 'REVERSED', reversed = v_taken, unrecovered = v_credit.amount - v_taken,
                                       reversal_result = v_response, reversal_id = p_reversal_id, reversed_at = now()
     WHERE account_id = v_account.account_id AND credit_id = p_credit_id;
    PERFORM wallet._emit(v_account.account_id, 'promotion.reversed', v_response || jsonb_build_object(
        'player_id', v_account.account_id, 'reversal_id', p_reversal_id, 'reason', p_reason,
        'topology_version', wallet._active_topology()));
    RETURN v_response;
END
$$;
