-- Deposits (scope payments, SPEC §5, §5a): create, approve (or auto-approve), reject.

-- A deposit's target must accept deposits (DEPOSIT_NOT_ALLOWED).
CREATE OR REPLACE FUNCTION wallet._deposit_accepting(p_type wallet.bucket_type)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT p_type.accepts_deposit THEN
        PERFORM wallet._fail('DEPOSIT_NOT_ALLOWED', format('bucket type %s does not accept deposits', p_type.code),
            jsonb_build_object('errors', wallet._problem('bucket_type', format('%s does not accept deposits', p_type.code))));
    END IF;
END
$$;

-- The target bucket type of a deposit under the active topology: it must exist
-- (UNKNOWN_BUCKET_TYPE) and accept deposits (DEPOSIT_NOT_ALLOWED).
CREATE OR REPLACE FUNCTION wallet._deposit_target(p_bucket_type text)
RETURNS wallet.bucket_type
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_type wallet.bucket_type := wallet._active_bucket_type(p_bucket_type);
BEGIN
    PERFORM wallet._deposit_accepting(v_type);
    RETURN v_type;
END
$$;

-- Approves a deposit of a locked account (a PENDING one, or the one deposit_create records
-- approved at once): EXTERNAL → target bucket, and the DEPOSIT rolling obligation of the
-- target's group (required = ceil(amount × deposit_rolling_bps / 10000)).  Writes the deposit
-- row APPROVED with its decision (the answer every repeat gives), and returns the decision.
CREATE OR REPLACE FUNCTION wallet._deposit_approve(p_account_id text, p_deposit_id text, p_amount bigint, p_actor text,
                                                   p_type wallet.bucket_type, p_policy wallet.group_policy, p_new boolean)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_txn wallet.ledger_txn;
    v_rolling_id bigint;
    v_result jsonb;
BEGIN
    v_txn := wallet._post(p_account_id, 'DEPOSIT', 'deposit:' || p_deposit_id, p_actor,
                          ARRAY[wallet._bucket(p_type.code, p_amount), wallet._pocket('EXTERNAL', -p_amount)],
                          p_type.topology_version);
    IF p_type.wallet_group IS NOT NULL THEN
        v_rolling_id := wallet._rolling_open(p_account_id, p_type.wallet_group, 'DEPOSIT', p_amount,
            wallet._pro_rata_ceil(p_amount, p_policy.deposit_rolling_bps, 10000), p_type.code, NULL,
            'deposit', p_deposit_id,
            jsonb_build_object('group_policy_version', p_policy.version, 'deposit_rolling_bps', p_policy.deposit_rolling_bps));
    END IF;
    v_result := jsonb_build_object('deposit_id', p_deposit_id, 'status', 'APPROVED', 'amount', p_amount,
                                   'bucket_type', p_type.code, 'balance_after', v_txn.balances_after[1],
                                   'rolling_id', v_rolling_id);
    IF p_new THEN
        INSERT INTO wallet.deposit (account_id, deposit_id, amount, bucket_type, status, created_by, decided_at, decided_by,
                                    rolling_id, txn_id, decision, auto_approve)
        VALUES (p_account_id, p_deposit_id, p_amount, p_type.code, 'APPROVED', p_actor, now(), p_actor,
                v_rolling_id, v_txn.txn_id, v_result, true);
    ELSE
        UPDATE wallet.deposit SET status = 'APPROVED', decided_at = now(), decided_by = p_actor, rolling_id = v_rolling_id,
                                  txn_id = v_txn.txn_id, decision = v_result
         WHERE account_id = p_account_id AND deposit_id = p_deposit_id;
    END IF;
    -- The event (wallet._emit, inline on this path).
    INSERT INTO wallet.outbox (account_id, event_type, payload)
    VALUES (p_account_id, 'deposit.approved', v_result || jsonb_build_object(
        'player_id', p_account_id, 'wallet_group', p_type.wallet_group,
        'topology_version', p_type.topology_version,
        'policy', CASE WHEN p_policy.version IS NOT NULL THEN jsonb_build_object('wallet_group', p_type.wallet_group, 'version', p_policy.version) END));
    RETURN v_result;
END
$$;

-- Every problem of a deposit request, as a problem list (empty: valid).
CREATE OR REPLACE FUNCTION wallet._deposit_problems(p_deposit_id text, p_amount bigint, p_bucket_type text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check(wallet._check_amount(wallet._check_key('[]', p_deposit_id, 'deposit_id'), p_amount, 'amount'),
                         p_bucket_type IS NOT NULL, 'bucket_type', 'is required')
$$;

-- Whether a deposit request is valid: true exactly when wallet._deposit_problems lists nothing,
-- as it asks the same rules (tests/sql/test_request_rules.py proves they agree).  The command
-- asks this and builds the problem list only for a request that is not valid (as bet
-- authorize, wallet._bet_authorize_valid).
CREATE OR REPLACE FUNCTION wallet._deposit_valid(p_deposit_id text, p_amount bigint, p_bucket_type text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT wallet._key_ok(p_deposit_id) AND wallet._amount_ok(p_amount) AND p_bucket_type IS NOT NULL
$$;

-- Records a deposit (PENDING) into a bucket type that accepts deposits; with p_auto_approve
-- (cash deposits) it is approved in the same transaction.  Idempotent on p_deposit_id (the
-- deposit row is the record: a replay answers PENDING as it was recorded, or the approval it
-- was auto-approved with).  Frozen accounts may receive deposits.
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
    v_auto boolean := coalesce(p_auto_approve, false);
    v_ctx record;
    v_ctx_account wallet.account;
    v_response jsonb;
BEGIN
    IF wallet._deposit_valid(p_deposit_id, p_amount, p_bucket_type) IS NOT TRUE THEN
        PERFORM wallet._raise_invalid(wallet._deposit_problems(p_deposit_id, p_amount, p_bucket_type));
    END IF;
    -- The lock, the deposit this id already names, the target bucket type in the active
    -- topology and its group's money policy.
    -- The lock first (wallet._lock_account, inline on this path), in a statement of its own:
    -- what the command reads next is read after it, so it sees every command on this player
    -- that committed while this one waited.
    SELECT * INTO v_ctx_account FROM wallet.account WHERE account_id = p_player_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM wallet._lock_account(p_player_id);  -- raises UNKNOWN_ACCOUNT
    END IF;
    SELECT v_ctx_account AS account, d AS seen, bt AS type, gp AS policy
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.deposit d ON d.account_id = p_player_id AND d.deposit_id = p_deposit_id
      LEFT JOIN wallet.topology_version t ON t.status = 'ACTIVE'
      LEFT JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = p_bucket_type
      LEFT JOIN wallet.group_policy gp ON gp.wallet_group = bt.wallet_group AND gp.status = 'ACTIVE';
    IF (v_ctx.seen).deposit_id IS NOT NULL THEN
        IF ((v_ctx.seen).amount, (v_ctx.seen).bucket_type, (v_ctx.seen).auto_approve) = (p_amount, p_bucket_type, v_auto) THEN
            RETURN CASE WHEN v_auto THEN (v_ctx.seen).decision
                        ELSE jsonb_build_object('deposit_id', p_deposit_id, 'status', 'PENDING', 'amount', p_amount,
                                                'bucket_type', p_bucket_type) END;
        END IF;
        PERFORM wallet._idempotency_conflict('deposit_create', p_deposit_id);
    END IF;
    IF (v_ctx.account).status <> 'active' THEN
        PERFORM wallet._require_open(v_ctx.account, p_allow_frozen => true);
    END IF;
    IF (v_ctx.type).code IS NULL THEN
        PERFORM wallet._active_bucket_type(p_bucket_type);  -- raises UNKNOWN_BUCKET_TYPE
    END IF;
    PERFORM wallet._deposit_accepting(v_ctx.type);
    PERFORM wallet._claim_resource('DEPOSIT', p_deposit_id, p_player_id);

    IF v_auto THEN
        RETURN wallet._deposit_approve(p_player_id, p_deposit_id, p_amount, v_actor, v_ctx.type, v_ctx.policy, true);
    END IF;
    INSERT INTO wallet.deposit (account_id, deposit_id, amount, bucket_type, created_by, auto_approve)
    VALUES (p_player_id, p_deposit_id, p_amount, p_bucket_type, v_actor, false);
    v_response := jsonb_build_object('deposit_id', p_deposit_id, 'status', 'PENDING', 'amount', p_amount, 'bucket_type', p_bucket_type);
    PERFORM wallet._emit(p_player_id, 'deposit.created', v_response || jsonb_build_object('player_id', p_player_id));
    RETURN v_response;
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
    v_type wallet.bucket_type;
BEGIN
    SELECT * INTO v_deposit FROM wallet.deposit WHERE account_id = v_account.account_id AND deposit_id = p_deposit_id;
    IF v_deposit.status = 'APPROVED' THEN
        RETURN v_deposit.decision;
    ELSIF v_deposit.status = 'REJECTED' THEN
        PERFORM wallet._fail('INVALID_STATE', format('deposit %s was rejected', p_deposit_id),
                             jsonb_build_object('deposit_id', p_deposit_id, 'deposit_status', v_deposit.status));
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);
    v_type := wallet._deposit_target(v_deposit.bucket_type);
    RETURN wallet._deposit_approve(v_account.account_id, p_deposit_id, v_deposit.amount, wallet._actor(p_actor), v_type,
                                   wallet._active_group_policy(v_type.wallet_group), false);
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
    v_actor text := wallet._actor(p_actor);
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
    -- The actor in a variable: on Citus a STABLE function inside UPDATE … SET is refused (C9).
    UPDATE wallet.deposit SET status = 'REJECTED', decided_at = now(), decided_by = v_actor, reason = p_reason,
                              decision = v_result
     WHERE account_id = v_account.account_id AND deposit_id = p_deposit_id;
    PERFORM wallet._emit(v_account.account_id, 'deposit.rejected', v_result || jsonb_build_object(
        'player_id', v_account.account_id, 'amount', v_deposit.amount, 'bucket_type', v_deposit.bucket_type));
    RETURN v_result;
END
$$;
