-- Accounts: open one (idempotent on the player id), freeze, unfreeze and close one (admin).

-- Opens the wallet of p_player_id in p_currency.  Idempotent on the player id: a second call
-- with the same currency returns the account with "created": false; another currency is
-- IDEMPOTENCY_CONFLICT.  Concurrent opens of one player wait on its primary key, then see it.
-- Locks: the new account row (its primary key).  Raises: VALIDATION_FAILED, IDEMPOTENCY_CONFLICT.  Writes: wallet.account, outbox account.opened.
-- Answers (HTTP): ruby_wallet.routes.accounts.Account.
CREATE OR REPLACE FUNCTION payments.open_account(p_player_id text, p_currency text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]'::jsonb;
    v_account wallet.account;
BEGIN
    v_errors := wallet._check_key(v_errors, p_player_id, 'player_id');
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
-- Locks: the account.  Raises: UNKNOWN_ACCOUNT, VALIDATION_FAILED, INVALID_STATE.  Writes: wallet.account, audit log, outbox account.status_changed.
-- Answers (HTTP): ruby_wallet.routes.admin.AccountStatusChanged.
CREATE OR REPLACE FUNCTION admin.account_set_status(p_player_id text, p_status text, p_reason text,
                                                     p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]'::jsonb;
    v_account wallet.account;
    v_holding jsonb;
BEGIN
    v_errors := wallet._check(v_errors, p_status IN ('active', 'frozen', 'closed'), 'status',
                              'must be one of active, frozen, closed');
    v_errors := wallet._check_reason(v_errors, p_reason);
    PERFORM wallet._raise_invalid(v_errors);
    v_account := wallet._lock_account(p_player_id);
    IF p_status = 'closed' AND v_account.status <> 'closed' THEN
        v_holding := jsonb_build_object(
            'buckets', (SELECT count(*) FROM wallet.bucket WHERE account_id = v_account.account_id AND balance > 0),
            'open_bets', (SELECT count(*) FROM wallet.bet WHERE account_id = v_account.account_id AND status = 'AUTHORIZED'),
            'pending_withdrawals', (SELECT count(*) FROM wallet.withdrawal
                                     WHERE account_id = v_account.account_id AND status = 'PENDING'),
            'active_coupons', (SELECT count(*) FROM wallet.coupon c
                                WHERE c.account_id = v_account.account_id AND wallet._coupon_holds_money(c.status, c.expires_at, c.remaining)));
        IF EXISTS (SELECT 1 FROM jsonb_each(v_holding) WHERE value::bigint > 0) THEN
            PERFORM wallet._fail('INVALID_STATE',
                format('account %s still has money (%s) and cannot be closed', p_player_id,
                       (SELECT string_agg(key || ' ' || value, ', ' ORDER BY key) FROM jsonb_each(v_holding) WHERE value::bigint > 0)),
                jsonb_build_object('account_status', v_account.status) || v_holding);
        END IF;
    END IF;
    IF p_status <> v_account.status THEN
        UPDATE wallet.account SET status = p_status WHERE account_id = v_account.account_id;
        PERFORM wallet._audit(wallet._actor(p_actor), 'account.status', 'account:' || p_player_id,
                              'OK', jsonb_build_object('status', v_account.status),
                              jsonb_build_object('status', p_status), p_reason, p_account_id => v_account.account_id);
        PERFORM wallet._emit(v_account.account_id, 'account.status_changed',
            jsonb_build_object('player_id', p_player_id, 'from', v_account.status, 'to', p_status));
    END IF;
    RETURN jsonb_build_object('player_id', p_player_id, 'status', p_status);
END
$$;
