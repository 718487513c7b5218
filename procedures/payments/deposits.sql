-- Deposits (scope payments, SPEC §5, §5a): create, approve (or auto-approve), reject.

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
-- Locks: the account.  Raises: see above.  Writes: wallet.deposit, the resource directory; when approved, ledger DEPOSIT, the bucket, the DEPOSIT rolling obligation, outbox deposit.approved; else outbox deposit.created.
-- Answers (HTTP): ruby_wallet.routes.payments.DepositRecorded.
CREATE OR REPLACE FUNCTION payments.deposit_create(p_deposit_id text, p_player_id text, p_amount bigint, p_bucket_type text,
                                                 p_auto_approve boolean DEFAULT false, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := '[]'::jsonb;
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
-- Locks: the deposit's account.  Raises: see above.  Writes: ledger DEPOSIT, the bucket, the DEPOSIT rolling obligation, wallet.deposit, outbox deposit.approved.
-- Answers (HTTP): ruby_wallet.routes.payments.DepositApproved.
CREATE OR REPLACE FUNCTION payments.deposit_approve(p_deposit_id text, p_actor text DEFAULT NULL)
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
-- Locks: the deposit's account.  Raises: see above.  Writes: wallet.deposit, outbox deposit.rejected.
-- Answers (HTTP): ruby_wallet.routes.payments.DepositRejected.
CREATE OR REPLACE FUNCTION payments.deposit_reject(p_deposit_id text, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account wallet.account;
    v_deposit wallet.deposit;
    v_result jsonb;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_reason('[]', p_reason));
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
