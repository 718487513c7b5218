-- Admin adjustments: a signed correction of one bucket against the account's ADJUSTMENT pocket.
-- The adjustment row is the record: the request and the answer's figures.

-- The answer of an adjustment, built from its record (the first answer and every replay).
CREATE OR REPLACE FUNCTION wallet._adjustment_answer(r wallet.adjustment)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('adjustment_id', r.adjustment_id, 'player_id', r.account_id, 'bucket_type', r.bucket_type,
                              'amount', r.amount, 'balance_after', r.balance_after, 'txn_id', r.txn_id)
$$;

-- Credits (p_amount > 0) or debits (p_amount < 0) one bucket type of the active topology,
-- against the account's ADJUSTMENT pocket.  Never takes a bucket below zero
-- (INSUFFICIENT_FUNDS with the amount available).  Idempotent on p_adjustment_id.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, UNKNOWN_BUCKET_TYPE, INSUFFICIENT_FUNDS,
-- IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger ADJUSTMENT, the bucket, wallet.adjustment (the record), audit log, outbox adjustment.applied.
-- Answers (HTTP): ruby_wallet.routes.admin.AdjustmentApplied.
CREATE OR REPLACE FUNCTION admin.admin_adjust(p_adjustment_id text, p_player_id text, p_bucket_type text,
                                               p_amount bigint, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]'::jsonb;
    v_actor text := wallet._actor(p_actor);
    v_account wallet.account;
    v_ctx record;
    v_ctx_account wallet.account;
    v_seen wallet.adjustment;
    v_response jsonb;
    v_type wallet.bucket_type;
    v_before bigint;
    v_txn_id bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_adjustment_id, 'adjustment_id');
    v_errors := wallet._check(v_errors, p_amount <> 0, 'amount', 'must be a non-zero integer (negative debits)');
    v_errors := wallet._check_reason(v_errors, p_reason);
    PERFORM wallet._raise_invalid(v_errors);

    -- The lock first, in a statement of its own: what the command reads next is read after
    -- it, so it sees every command on this player that committed while this one waited.
    v_ctx_account := wallet._lock_account(p_player_id);
    SELECT v_ctx_account AS account, r AS seen
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.adjustment r ON r.account_id = p_player_id AND r.adjustment_id = p_adjustment_id;
    v_account := v_ctx.account;
    v_seen := v_ctx.seen;
    IF v_seen.adjustment_id IS NOT NULL THEN
        IF (v_seen.bucket_type, v_seen.amount, v_seen.reason) = (p_bucket_type, p_amount, p_reason) THEN
            RETURN wallet._adjustment_answer(v_seen);
        END IF;
        PERFORM wallet._idempotency_conflict('admin_adjust', p_adjustment_id);
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);

    v_type := wallet._active_bucket_type(p_bucket_type);
    v_before := wallet._balance(v_account.account_id, p_bucket_type);
    IF v_before + p_amount < 0 THEN
        PERFORM wallet._fail('INSUFFICIENT_FUNDS',
            format('%s holds %s, cannot debit %s', p_bucket_type, v_before, -p_amount),
            jsonb_build_object('bucket_type', p_bucket_type, 'available', v_before, 'requested', -p_amount));
    END IF;

    v_txn_id := (wallet._post(v_account.account_id, 'ADJUSTMENT', 'adjustment:' || p_adjustment_id, v_actor,
                              ARRAY[wallet._bucket(p_bucket_type, p_amount), wallet._pocket('ADJUSTMENT', -p_amount)],
                              v_type.topology_version)).txn_id;
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_type.wallet_group], v_actor);

    INSERT INTO wallet.adjustment (account_id, adjustment_id, bucket_type, amount, reason, txn_id, balance_after, created_by)
    VALUES (p_player_id, p_adjustment_id, p_bucket_type, p_amount, p_reason, v_txn_id,
            wallet._balance(v_account.account_id, p_bucket_type), v_actor)
    RETURNING * INTO v_seen;
    v_response := wallet._adjustment_answer(v_seen);
    PERFORM wallet._audit(v_actor, 'adjustment.apply', 'account:' || p_player_id, 'OK',
                          jsonb_build_object('bucket_type', p_bucket_type, 'balance', v_before),
                          jsonb_build_object('bucket_type', p_bucket_type, 'balance', v_before + p_amount),
                          p_reason, jsonb_build_object('adjustment_id', p_adjustment_id, 'txn_id', v_txn_id),
                          p_account_id => v_account.account_id);
    PERFORM wallet._emit(v_account.account_id, 'adjustment.applied',
        v_response || jsonb_build_object('topology_version', v_type.topology_version,
                                         'wallet_group', v_type.wallet_group, 'reason', p_reason));
    RETURN v_response;
END
$$;
