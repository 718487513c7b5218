-- Accounts and admin adjustments.

-- Opens the wallet of p_player_id in p_currency.  Idempotent on the player id: a second call
-- with the same currency returns the account with "created": false; another currency is
-- IDEMPOTENCY_CONFLICT.  Concurrent opens of one player wait on its primary key, then see it.
CREATE OR REPLACE FUNCTION wallet.open_account(p_player_id text, p_currency text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]';
    v_account wallet.account;
BEGIN
    v_errors := wallet._check(v_errors, p_player_id ~ '^[[:graph:]]{1,128}$', 'player_id',
                              'must be 1 to 128 printable characters without spaces');
    v_errors := wallet._check(v_errors, p_currency ~ '^[A-Z]{3}$', 'currency',
                              'must be an ISO 4217 code of three capital letters');
    PERFORM wallet._raise_invalid(v_errors);

    INSERT INTO wallet.account (account_id, currency, created_by)
    VALUES (p_player_id, p_currency, wallet._actor(p_actor))
    ON CONFLICT (account_id) DO NOTHING;
    IF FOUND THEN
        PERFORM wallet._emit(p_player_id, 'account.opened',
            jsonb_build_object('player_id', p_player_id, 'currency', p_currency));
        RETURN jsonb_build_object('player_id', p_player_id, 'currency', p_currency,
                                  'status', 'active', 'created', true);
    END IF;

    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id;
    IF v_account.currency <> p_currency THEN
        PERFORM wallet._fail('IDEMPOTENCY_CONFLICT',
            format('player %s already has an account in %s', p_player_id, v_account.currency),
            jsonb_build_object('key', p_player_id, 'currency', v_account.currency));
    END IF;
    RETURN jsonb_build_object('player_id', p_player_id, 'currency', v_account.currency,
                              'status', v_account.status, 'created', false);
END
$$;

-- Freezes, unfreezes or closes an account (admin).  Audited.  Raises UNKNOWN_ACCOUNT,
-- VALIDATION_FAILED; INVALID_STATE when closing an account that still has money: a bucket
-- above zero, an open bet (stake in HOLD), a pending withdrawal (in HOLD) or an active,
-- unexpired coupon with something left — a closed account settles, pays and refunds nothing.
CREATE OR REPLACE FUNCTION wallet.account_set_status(p_player_id text, p_status text, p_reason text,
                                                     p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]';
    v_account wallet.account;
    v_holding jsonb;
BEGIN
    v_errors := wallet._check(v_errors, p_status IN ('active', 'frozen', 'closed'), 'status',
                              'must be one of active, frozen, closed');
    v_errors := wallet._check(v_errors, length(trim(p_reason)) > 0, 'reason', 'is required');
    PERFORM wallet._raise_invalid(v_errors);
    v_account := wallet._lock_account(p_player_id);
    IF p_status = 'closed' AND v_account.status <> 'closed' THEN
        v_holding := jsonb_build_object(
            'buckets', (SELECT count(*) FROM wallet.bucket WHERE account_id = v_account.account_id AND balance > 0),
            'open_bets', (SELECT count(*) FROM wallet.bet WHERE account_id = v_account.account_id AND status = 'AUTHORIZED'),
            'pending_withdrawals', (SELECT count(*) FROM wallet.withdrawal
                                     WHERE account_id = v_account.account_id AND status = 'PENDING'),
            'active_coupons', (SELECT count(*) FROM wallet.coupon
                                WHERE account_id = v_account.account_id AND status = 'ACTIVE' AND remaining > 0
                                  AND (expires_at IS NULL OR expires_at > now())));
        IF EXISTS (SELECT 1 FROM jsonb_each(v_holding) WHERE value::bigint > 0) THEN
            PERFORM wallet._fail('INVALID_STATE',
                format('account %s still has money (%s) and cannot be closed', p_player_id,
                       (SELECT string_agg(key || ' ' || value, ', ' ORDER BY key) FROM jsonb_each(v_holding) WHERE value::bigint > 0)),
                jsonb_build_object('account_status', v_account.status) || v_holding);
        END IF;
    END IF;
    IF p_status <> v_account.status THEN
        UPDATE wallet.account SET status = p_status WHERE account_id = v_account.account_id;
        PERFORM wallet._audit(coalesce(p_actor, 'db:' || session_user), 'account.status', 'account:' || p_player_id,
                              'OK', jsonb_build_object('status', v_account.status),
                              jsonb_build_object('status', p_status), p_reason);
        PERFORM wallet._emit(v_account.account_id, 'account.status_changed',
            jsonb_build_object('player_id', p_player_id, 'from', v_account.status, 'to', p_status));
    END IF;
    RETURN jsonb_build_object('player_id', p_player_id, 'status', p_status);
END
$$;

-- Credits (p_amount > 0) or debits (p_amount < 0) one bucket type of the active topology,
-- against the account's ADJUSTMENT pocket.  Never takes a bucket below zero
-- (INSUFFICIENT_FUNDS with the amount available).  Idempotent on p_adjustment_id.
-- Locks the account.  Writes ledger (kind ADJUSTMENT), audit log and outbox.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, UNKNOWN_BUCKET_TYPE, INSUFFICIENT_FUNDS,
-- IDEMPOTENCY_CONFLICT.
CREATE OR REPLACE FUNCTION wallet.admin_adjust(p_adjustment_id text, p_player_id text, p_bucket_type text,
                                               p_amount bigint, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]';
    v_actor text := coalesce(p_actor, 'db:' || session_user);
    v_request jsonb;
    v_account wallet.account;
    v_response jsonb;
    v_type wallet.bucket_type;
    v_before bigint;
    v_txn_id bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_adjustment_id, 'adjustment_id');
    v_errors := wallet._check(v_errors, p_amount <> 0, 'amount', 'must be a non-zero integer (negative debits)');
    v_errors := wallet._check(v_errors, length(trim(p_reason)) > 0, 'reason', 'is required');
    PERFORM wallet._raise_invalid(v_errors);

    v_account := wallet._lock_account(p_player_id);
    v_request := jsonb_build_object('player_id', p_player_id, 'bucket_type', p_bucket_type,
                                    'amount', p_amount, 'reason', p_reason);
    v_response := wallet._idem_replay(v_account.account_id, 'admin_adjust', p_adjustment_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);

    v_type := wallet._active_bucket_type(p_bucket_type);
    v_before := wallet._balance(v_account.account_id, p_bucket_type);
    IF v_before + p_amount < 0 THEN
        PERFORM wallet._fail('INSUFFICIENT_FUNDS',
            format('%s holds %s, cannot debit %s', p_bucket_type, v_before, -p_amount),
            jsonb_build_object('bucket_type', p_bucket_type, 'available', v_before, 'requested', -p_amount));
    END IF;

    v_txn_id := wallet._post(v_account.account_id, 'ADJUSTMENT', 'adjustment:' || p_adjustment_id, v_actor,
                             ARRAY[wallet._bucket(p_bucket_type, p_amount), wallet._pocket('ADJUSTMENT', -p_amount)],
                             v_type.topology_version);
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_type.wallet_group], v_actor);

    v_response := jsonb_build_object(
        'adjustment_id', p_adjustment_id, 'player_id', p_player_id, 'bucket_type', p_bucket_type,
        'amount', p_amount, 'balance_after', wallet._balance(v_account.account_id, p_bucket_type),
        'txn_id', v_txn_id);
    PERFORM wallet._audit(v_actor, 'adjustment.apply', 'account:' || p_player_id, 'OK',
                          jsonb_build_object('bucket_type', p_bucket_type, 'balance', v_before),
                          jsonb_build_object('bucket_type', p_bucket_type, 'balance', v_before + p_amount),
                          p_reason, jsonb_build_object('adjustment_id', p_adjustment_id, 'txn_id', v_txn_id));
    PERFORM wallet._emit(v_account.account_id, 'adjustment.applied',
        v_response || jsonb_build_object('topology_version', v_type.topology_version,
                                         'wallet_group', v_type.wallet_group, 'reason', p_reason));
    RETURN wallet._idem_store(v_account.account_id, 'admin_adjust', p_adjustment_id, v_request, v_response);
END
$$;
