-- Deposits and withdrawals (scope payments).  SPEC §5, §5a.

-- The target bucket type of a deposit under the active topology: it must exist
-- (UNKNOWN_BUCKET_TYPE) and accept deposits (DEPOSIT_NOT_ALLOWED).
CREATE OR REPLACE FUNCTION wallet._deposit_target(p_bucket_type text)
RETURNS wallet.bucket_type
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_type wallet.bucket_type := wallet._active_bucket_type(p_bucket_type);
BEGIN
    IF NOT v_type.accepts_deposit THEN
        PERFORM wallet._fail('DEPOSIT_NOT_ALLOWED', format('bucket type %s does not accept deposits', p_bucket_type),
            jsonb_build_object('errors', wallet._problem('bucket_type', format('%s does not accept deposits', p_bucket_type))));
    END IF;
    RETURN v_type;
END
$$;

-- Approves a locked PENDING deposit: EXTERNAL → target bucket, and the DEPOSIT rolling
-- obligation of the target's group (required = ceil(amount × deposit_rolling_bps / 10000)).
CREATE OR REPLACE FUNCTION wallet._deposit_approve(p_account_id text, p_deposit wallet.deposit, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_type wallet.bucket_type := wallet._deposit_target(p_deposit.bucket_type);
    v_policy wallet.group_policy;
    v_txn_id bigint;
    v_rolling_id bigint;
    v_result jsonb;
BEGIN
    v_txn_id := wallet._post(p_account_id, 'DEPOSIT', 'deposit:' || p_deposit.deposit_id, p_actor,
                             ARRAY[wallet._bucket(p_deposit.bucket_type, p_deposit.amount), wallet._pocket('EXTERNAL', -p_deposit.amount)],
                             v_type.topology_version);
    IF v_type.wallet_group IS NOT NULL THEN
        v_policy := wallet._active_group_policy(v_type.wallet_group);
        v_rolling_id := wallet._rolling_open(p_account_id, v_type.wallet_group, 'DEPOSIT', p_deposit.amount,
            ceil(p_deposit.amount::numeric * v_policy.deposit_rolling_bps / 10000)::bigint, p_deposit.bucket_type, NULL,
            'deposit', p_deposit.deposit_id,
            jsonb_build_object('group_policy_version', v_policy.version, 'deposit_rolling_bps', v_policy.deposit_rolling_bps));
    END IF;
    v_result := jsonb_build_object('deposit_id', p_deposit.deposit_id, 'status', 'APPROVED', 'amount', p_deposit.amount,
                                   'bucket_type', p_deposit.bucket_type,
                                   'balance_after', wallet._balance(p_account_id, p_deposit.bucket_type), 'rolling_id', v_rolling_id);
    UPDATE wallet.deposit SET status = 'APPROVED', decided_at = now(), decided_by = p_actor, rolling_id = v_rolling_id,
                              txn_id = v_txn_id, decision = v_result
     WHERE account_id = p_account_id AND deposit_id = p_deposit.deposit_id;
    PERFORM wallet._emit(p_account_id, 'deposit.approved', v_result || jsonb_build_object(
        'player_id', p_account_id, 'wallet_group', v_type.wallet_group,
        'topology_version', v_type.topology_version,
        'policy', CASE WHEN v_policy.version IS NOT NULL THEN jsonb_build_object('wallet_group', v_type.wallet_group, 'version', v_policy.version) END));
    RETURN v_result;
END
$$;

-- Records a deposit (PENDING) into a bucket type that accepts deposits; with p_auto_approve
-- (cash deposits) it is approved in the same transaction.  Idempotent on p_deposit_id.
-- Frozen accounts may receive deposits.  Locks the account.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED, UNKNOWN_BUCKET_TYPE,
-- DEPOSIT_NOT_ALLOWED, IDEMPOTENCY_CONFLICT.
CREATE OR REPLACE FUNCTION wallet.deposit_create(p_deposit_id text, p_player_id text, p_amount bigint, p_bucket_type text,
                                                 p_auto_approve boolean DEFAULT false, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := '[]';
    v_request jsonb;
    v_account wallet.account;
    v_response jsonb;
    v_deposit wallet.deposit;
BEGIN
    v_errors := wallet._check_key(v_errors, p_deposit_id, 'deposit_id');
    v_errors := wallet._check_amount(v_errors, p_amount, 'amount');
    v_errors := wallet._check(v_errors, p_bucket_type IS NOT NULL, 'bucket_type', 'is required');
    PERFORM wallet._raise_invalid(v_errors);

    v_account := wallet._lock_account(p_player_id);
    v_request := jsonb_build_object('player_id', p_player_id, 'amount', p_amount, 'bucket_type', p_bucket_type,
                                    'auto_approve', coalesce(p_auto_approve, false));
    v_response := wallet._idem_replay(v_account.account_id, 'deposit_create', p_deposit_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);
    PERFORM wallet._deposit_target(p_bucket_type);
    PERFORM wallet._claim_resource('DEPOSIT', p_deposit_id, v_account.account_id);

    INSERT INTO wallet.deposit (account_id, deposit_id, amount, bucket_type, created_by)
    VALUES (v_account.account_id, p_deposit_id, p_amount, p_bucket_type, v_actor)
    RETURNING * INTO v_deposit;
    IF p_auto_approve THEN
        v_response := wallet._deposit_approve(v_account.account_id, v_deposit, v_actor);
    ELSE
        v_response := jsonb_build_object('deposit_id', p_deposit_id, 'status', 'PENDING', 'amount', p_amount, 'bucket_type', p_bucket_type);
        PERFORM wallet._emit(v_account.account_id, 'deposit.created', v_response || jsonb_build_object('player_id', p_player_id));
    END IF;
    RETURN wallet._idem_store(v_account.account_id, 'deposit_create', p_deposit_id, v_request, v_response);
END
$$;

-- Approves a PENDING deposit (the target is re-validated against the active topology).
-- Approving an APPROVED deposit returns the approval; a REJECTED one is INVALID_STATE.
-- Locks the owning account.  Raises DEPOSIT_NOT_FOUND, INVALID_STATE, UNKNOWN_BUCKET_TYPE, DEPOSIT_NOT_ALLOWED.
CREATE OR REPLACE FUNCTION wallet.deposit_approve(p_deposit_id text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account wallet.account := wallet._lock_owner('DEPOSIT', p_deposit_id, 'DEPOSIT_NOT_FOUND');
    v_deposit wallet.deposit;
BEGIN
    SELECT * INTO v_deposit FROM wallet.deposit WHERE account_id = v_account.account_id AND deposit_id = p_deposit_id;
    IF v_deposit.status = 'APPROVED' THEN
        RETURN v_deposit.decision;
    ELSIF v_deposit.status = 'REJECTED' THEN
        PERFORM wallet._fail('INVALID_STATE', format('deposit %s was rejected', p_deposit_id),
                             jsonb_build_object('deposit_id', p_deposit_id, 'deposit_status', v_deposit.status));
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);
    RETURN wallet._deposit_approve(v_account.account_id, v_deposit, wallet._actor(p_actor));
END
$$;

-- Rejects a PENDING deposit (no money moves).  Rejecting a REJECTED deposit returns its state;
-- an APPROVED one is INVALID_STATE.  Raises DEPOSIT_NOT_FOUND, INVALID_STATE, VALIDATION_FAILED.
CREATE OR REPLACE FUNCTION wallet.deposit_reject(p_deposit_id text, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account wallet.account;
    v_deposit wallet.deposit;
    v_result jsonb;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', length(trim(p_reason)) > 0, 'reason', 'is required'));
    v_account := wallet._lock_owner('DEPOSIT', p_deposit_id, 'DEPOSIT_NOT_FOUND');
    SELECT * INTO v_deposit FROM wallet.deposit WHERE account_id = v_account.account_id AND deposit_id = p_deposit_id;
    IF v_deposit.status = 'REJECTED' THEN
        RETURN v_deposit.decision;
    ELSIF v_deposit.status = 'APPROVED' THEN
        PERFORM wallet._fail('INVALID_STATE', format('deposit %s was approved', p_deposit_id),
                             jsonb_build_object('deposit_id', p_deposit_id, 'deposit_status', v_deposit.status));
    END IF;
    v_result := jsonb_build_object('deposit_id', p_deposit_id, 'status', 'REJECTED', 'reason', p_reason);
    UPDATE wallet.deposit SET status = 'REJECTED', decided_at = now(), decided_by = wallet._actor(p_actor), reason = p_reason,
                              decision = v_result
     WHERE account_id = v_account.account_id AND deposit_id = p_deposit_id;
    PERFORM wallet._emit(v_account.account_id, 'deposit.rejected', v_result || jsonb_build_object(
        'player_id', v_account.account_id, 'amount', v_deposit.amount, 'bucket_type', v_deposit.bucket_type));
    RETURN v_result;
END
$$;

-- The buckets a withdrawal may take from, in the order it takes them (SPEC §5a): the
-- WITHDRAWABLE bucket, then the CASH buckets of groups with no active DEPOSIT obligation, in
-- topology order.
CREATE OR REPLACE FUNCTION wallet._withdrawable_buckets(p_account_id text)
RETURNS TABLE (bucket_type text, balance bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
        SELECT b.bucket_type, b.balance
          FROM wallet.bucket b
          JOIN wallet.bucket_type bt ON bt.topology_version = wallet._active_topology() AND bt.code = b.bucket_type
         WHERE b.account_id = p_account_id AND b.balance > 0
           AND (bt.kind = 'WITHDRAWABLE' OR (bt.kind = 'CASH' AND NOT wallet._group_cash_locked(p_account_id, bt.wallet_group)))
         ORDER BY bt.kind <> 'WITHDRAWABLE', bt.position;
END
$$;

-- Takes p_amount of withdrawable money into a PENDING withdrawal (money moves to the HOLD
-- pocket, sources recorded for an exact refund).  Idempotent on p_withdrawal_id.  Locks the
-- account.  Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED,
-- INSUFFICIENT_FUNDS (with the withdrawable amount), IDEMPOTENCY_CONFLICT.
CREATE OR REPLACE FUNCTION wallet.withdrawal_create(p_withdrawal_id text, p_player_id text, p_amount bigint, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := '[]';
    v_request jsonb;
    v_account wallet.account;
    v_response jsonb;
    v_available bigint;
    v_left bigint := p_amount;
    v_source record;
    v_seq integer := 0;
    v_postings wallet.posting[] := '{}';
    v_groups text[];
BEGIN
    v_errors := wallet._check_key(v_errors, p_withdrawal_id, 'withdrawal_id');
    v_errors := wallet._check_amount(v_errors, p_amount, 'amount');
    PERFORM wallet._raise_invalid(v_errors);

    v_account := wallet._lock_account(p_player_id);
    v_request := jsonb_build_object('player_id', p_player_id, 'amount', p_amount);
    v_response := wallet._idem_replay(v_account.account_id, 'withdrawal_create', p_withdrawal_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
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
      FROM wallet.withdrawal_source s JOIN wallet.bucket_type bt ON bt.topology_version = wallet._active_topology() AND bt.code = s.bucket_type
     WHERE s.account_id = v_account.account_id AND s.withdrawal_id = p_withdrawal_id;
    PERFORM wallet._auto_complete(v_account.account_id, v_groups, v_actor);
    v_response := jsonb_build_object('withdrawal_id', p_withdrawal_id, 'status', 'PENDING', 'amount', p_amount,
                                     'sources', wallet._withdrawal_sources(v_account.account_id, p_withdrawal_id));
    PERFORM wallet._emit(v_account.account_id, 'withdrawal.requested', v_response || jsonb_build_object(
        'player_id', p_player_id, 'topology_version', wallet._active_topology()));
    RETURN wallet._idem_store(v_account.account_id, 'withdrawal_create', p_withdrawal_id, v_request, v_response);
END
$$;

CREATE OR REPLACE FUNCTION wallet._withdrawal_sources(p_account_id text, p_withdrawal_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', bucket_type, 'amount', amount) ORDER BY seq), '[]')
      FROM wallet.withdrawal_source WHERE account_id = p_account_id AND withdrawal_id = p_withdrawal_id);
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
CREATE OR REPLACE FUNCTION wallet.withdrawal_complete(p_withdrawal_id text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._withdrawal_decide(p_withdrawal_id, 'PAID', NULL, wallet._actor(p_actor))
$$;

-- Rejects a PENDING withdrawal, refunding each source exactly.
-- Raises WITHDRAWAL_NOT_FOUND, INVALID_STATE, VALIDATION_FAILED.
CREATE OR REPLACE FUNCTION wallet.withdrawal_reject(p_withdrawal_id text, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', length(trim(p_reason)) > 0, 'reason', 'is required'));
    RETURN wallet._withdrawal_decide(p_withdrawal_id, 'REJECTED', p_reason, wallet._actor(p_actor));
END
$$;
