-- Withdrawals (scope payments, SPEC §5, §5a): only withdrawable money leaves; exact refunds.

-- Takes p_amount of withdrawable money into a PENDING withdrawal (money moves to the HOLD
-- pocket, sources recorded for an exact refund).  Idempotent on p_withdrawal_id.  Locks the
-- account.  Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED,
-- INSUFFICIENT_FUNDS (with the withdrawable amount), IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger WITHDRAWAL, the buckets it takes from, wallet.withdrawal and its sources, outbox withdrawal.requested.
-- Answers (HTTP): ruby_wallet.routes.payments.WithdrawalCreated.
CREATE OR REPLACE FUNCTION payments.withdrawal_create(p_withdrawal_id text, p_player_id text, p_amount bigint, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := '[]'::jsonb;
    v_account wallet.account;
    v_ctx record;
    v_ctx_account wallet.account;
    v_seen wallet.withdrawal;
    v_response jsonb;
    v_available bigint;
    v_left bigint := p_amount;
    v_source record;
    v_seq integer := 0;
    v_postings wallet.posting[] := '{}'::wallet.posting[];
    v_groups text[];
BEGIN
    v_errors := wallet._check_key(v_errors, p_withdrawal_id, 'withdrawal_id');
    v_errors := wallet._check_amount(v_errors, p_amount, 'amount');
    PERFORM wallet._raise_invalid(v_errors);

    -- The lock first, in a statement of its own: what the command reads next is read after
    -- it, so it sees every command on this player that committed while this one waited.
    v_ctx_account := wallet._lock_account(p_player_id);
    SELECT v_ctx_account AS account, w AS seen
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.withdrawal w ON w.account_id = p_player_id AND w.withdrawal_id = p_withdrawal_id;
    v_account := v_ctx.account;
    v_seen := v_ctx.seen;
    IF v_seen.withdrawal_id IS NOT NULL THEN
        -- The withdrawal row is the record: the same request answers what creating it answered.
        IF v_seen.amount = p_amount THEN
            RETURN wallet._withdrawal_requested_answer(v_seen);
        END IF;
        PERFORM wallet._idempotency_conflict('withdrawal_create', p_withdrawal_id);
    END IF;
    PERFORM wallet._require_open(v_account);
    SELECT coalesce(sum(balance), 0) INTO v_available FROM wallet._withdrawable_buckets(v_account.account_id);
    IF v_available < p_amount THEN
        PERFORM wallet._fail('INSUFFICIENT_FUNDS', format('withdrawable money is %s, %s was asked', v_available, p_amount),
                             jsonb_build_object('available', v_available, 'requested', p_amount));
    END IF;
    PERFORM wallet._claim_resource('WITHDRAWAL', p_withdrawal_id, v_account.account_id);
    INSERT INTO wallet.withdrawal (account_id, withdrawal_id, amount, created_by)
    VALUES (v_account.account_id, p_withdrawal_id, p_amount, v_actor);
    FOR v_source IN SELECT * FROM wallet._withdrawable_buckets(v_account.account_id) LOOP
        EXIT WHEN v_left = 0;
        v_seq := v_seq + 1;
        INSERT INTO wallet.withdrawal_source (account_id, withdrawal_id, seq, bucket_type, amount)
        VALUES (v_account.account_id, p_withdrawal_id, v_seq, v_source.bucket_type, least(v_source.balance, v_left));
        v_postings := v_postings || wallet._bucket(v_source.bucket_type, -least(v_source.balance, v_left));
        v_left := v_left - least(v_source.balance, v_left);
    END LOOP;
    PERFORM wallet._post(v_account.account_id, 'WITHDRAWAL', 'withdrawal:' || p_withdrawal_id, v_actor,
                         v_postings || wallet._pocket('HOLD', p_amount), wallet._active_topology());

    SELECT array_agg(DISTINCT bt.wallet_group) INTO v_groups
      FROM wallet.withdrawal_source s
      JOIN wallet.topology_version t ON t.status = 'ACTIVE'
      JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = s.bucket_type
     WHERE s.account_id = v_account.account_id AND s.withdrawal_id = p_withdrawal_id;
    PERFORM wallet._auto_complete(v_account.account_id, v_groups, v_actor);
    SELECT * INTO v_seen FROM wallet.withdrawal WHERE account_id = p_player_id AND withdrawal_id = p_withdrawal_id;
    v_response := wallet._withdrawal_requested_answer(v_seen);
    PERFORM wallet._emit(v_account.account_id, 'withdrawal.requested', v_response || jsonb_build_object(
        'player_id', p_player_id, 'topology_version', wallet._active_topology()));
    RETURN v_response;
END
$$;

-- [{bucket_type, amount}] of the buckets a withdrawal took its money from, in the order it took it.
CREATE OR REPLACE FUNCTION wallet._withdrawal_sources(p_account_id text, p_withdrawal_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', bucket_type, 'amount', amount) ORDER BY seq), '[]')
      FROM wallet.withdrawal_source WHERE account_id = p_account_id AND withdrawal_id = p_withdrawal_id);
END
$$;

-- The answer of a withdrawal's creation, built from its record (the first answer and every replay).
CREATE OR REPLACE FUNCTION wallet._withdrawal_requested_answer(w wallet.withdrawal)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT jsonb_build_object('withdrawal_id', w.withdrawal_id, 'status', 'PENDING', 'amount', w.amount,
                                  'sources', wallet._withdrawal_sources(w.account_id, w.withdrawal_id)));
END
$$;

-- Decides a PENDING withdrawal: PAID pays HOLD → EXTERNAL; REJECTED refunds each source
-- exactly.  Repeating the same decision returns it; the opposite one is INVALID_STATE.
CREATE OR REPLACE FUNCTION wallet._withdrawal_decide(p_withdrawal_id text, p_status text, p_reason text, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_account wallet.account := wallet._lock_owner('WITHDRAWAL', p_withdrawal_id, 'WITHDRAWAL_NOT_FOUND');
    v_withdrawal wallet.withdrawal;
    v_result jsonb;
BEGIN
    SELECT * INTO v_withdrawal FROM wallet.withdrawal WHERE account_id = v_account.account_id AND withdrawal_id = p_withdrawal_id;
    IF v_withdrawal.status = p_status THEN
        RETURN v_withdrawal.decision;
    ELSIF v_withdrawal.status <> 'PENDING' THEN
        PERFORM wallet._fail('INVALID_STATE', format('withdrawal %s is %s', p_withdrawal_id, v_withdrawal.status),
                             jsonb_build_object('withdrawal_id', p_withdrawal_id, 'withdrawal_status', v_withdrawal.status));
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);
    IF p_status = 'PAID' THEN
        PERFORM wallet._post(v_account.account_id, 'WITHDRAWAL_PAID', 'withdrawal:' || p_withdrawal_id, p_actor,
                             ARRAY[wallet._pocket('HOLD', -v_withdrawal.amount), wallet._pocket('EXTERNAL', v_withdrawal.amount)],
                             wallet._active_topology());
        v_result := jsonb_build_object('withdrawal_id', p_withdrawal_id, 'status', 'PAID', 'amount', v_withdrawal.amount);
    ELSE
        PERFORM wallet._post(v_account.account_id, 'WITHDRAWAL_REFUND', 'withdrawal:' || p_withdrawal_id, p_actor,
                             ARRAY(SELECT wallet._bucket(bucket_type, amount) FROM wallet.withdrawal_source
                                    WHERE account_id = v_account.account_id AND withdrawal_id = p_withdrawal_id ORDER BY seq)
                             || wallet._pocket('HOLD', -v_withdrawal.amount),
                             wallet._active_topology());
        v_result := jsonb_build_object('withdrawal_id', p_withdrawal_id, 'status', 'REJECTED', 'amount', v_withdrawal.amount,
                                       'refunded', wallet._withdrawal_sources(v_account.account_id, p_withdrawal_id),
                                       'reason', p_reason);
    END IF;
    UPDATE wallet.withdrawal SET status = p_status, decided_at = now(), decided_by = p_actor, reason = p_reason, decision = v_result
     WHERE account_id = v_account.account_id AND withdrawal_id = p_withdrawal_id;
    PERFORM wallet._emit(v_account.account_id, 'withdrawal.' || lower(p_status), v_result || jsonb_build_object(
        'player_id', v_account.account_id, 'topology_version', wallet._active_topology()));
    RETURN v_result;
END
$$;

-- Pays a PENDING withdrawal out (to the EXTERNAL pocket).  Raises WITHDRAWAL_NOT_FOUND, INVALID_STATE.
-- Locks: the withdrawal's account.  Raises: WITHDRAWAL_NOT_FOUND, INVALID_STATE.  Writes: ledger WITHDRAWAL_PAID, wallet.withdrawal, outbox withdrawal.paid.
-- Answers (HTTP): ruby_wallet.routes.payments.WithdrawalPaid.
CREATE OR REPLACE FUNCTION payments.withdrawal_complete(p_withdrawal_id text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN wallet._withdrawal_decide(p_withdrawal_id, 'PAID', NULL, wallet._actor(p_actor));
END
$$;

-- Rejects a PENDING withdrawal, refunding each source exactly.
-- Raises WITHDRAWAL_NOT_FOUND, INVALID_STATE, VALIDATION_FAILED.
-- Locks: the withdrawal's account.  Raises: WITHDRAWAL_NOT_FOUND, INVALID_STATE, VALIDATION_FAILED.  Writes: ledger WITHDRAWAL_REFUND, the buckets, wallet.withdrawal, outbox withdrawal.rejected.
-- Answers (HTTP): ruby_wallet.routes.payments.WithdrawalRejected.
CREATE OR REPLACE FUNCTION payments.withdrawal_reject(p_withdrawal_id text, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_reason('[]', p_reason));
    RETURN wallet._withdrawal_decide(p_withdrawal_id, 'REJECTED', p_reason, wallet._actor(p_actor));
END
$$;
