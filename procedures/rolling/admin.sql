-- Admin decisions on a rolling obligation: waive (complete without progress) and cancel.

CREATE OR REPLACE FUNCTION wallet._rolling_admin_close(p_rolling_id bigint, p_status text, p_reason text, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_account wallet.account;
    v_ob wallet.rolling_obligation;
    v_result jsonb;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_reason('[]', p_reason));
    v_account := wallet._lock_owner('ROLLING', p_rolling_id::text, 'ROLLING_NOT_FOUND');
    SELECT * INTO v_ob FROM wallet.rolling_obligation WHERE account_id = v_account.account_id AND rolling_id = p_rolling_id;
    IF v_ob.status = p_status THEN
        -- The same answer as the first time: what the close released or forfeited is in its
        -- ledger transaction (ref rolling:<id>; nothing moved, no transaction).
        RETURN (SELECT jsonb_build_object('rolling_id', p_rolling_id, 'status', v_ob.status, 'progress', v_ob.progress,
                    'released', coalesce(sum(e.amount) FILTER (WHERE t.kind = 'ROLLING_RELEASE' AND e.bucket_type IS NOT NULL), 0),
                    'forfeited', coalesce(sum(e.amount) FILTER (WHERE t.kind = 'ROLLING_FORFEIT' AND e.pocket = 'PROMOTION'), 0))
                  FROM wallet.ledger_txn t
                  JOIN wallet.ledger_entry e ON e.account_id = t.account_id AND e.txn_id = t.txn_id
                 WHERE t.account_id = v_account.account_id AND t.ref = 'rolling:' || p_rolling_id
                   AND t.kind IN ('ROLLING_RELEASE', 'ROLLING_FORFEIT') AND e.amount > 0);
    ELSIF v_ob.status <> 'ACTIVE' THEN
        PERFORM wallet._fail('INVALID_STATE', format('rolling obligation %s is %s', p_rolling_id, v_ob.status),
                             jsonb_build_object('rolling_id', p_rolling_id, 'rolling_status', v_ob.status));
    END IF;
    v_result := wallet._rolling_close(v_account.account_id, p_rolling_id, p_status, p_actor, 0, p_forfeit => true);
    PERFORM wallet._audit(p_actor, 'rolling.' || lower(p_status), 'rolling:' || p_rolling_id, 'OK',
                          jsonb_build_object('status', 'ACTIVE', 'progress', v_ob.progress, 'required', v_ob.required),
                          v_result, p_reason, jsonb_build_object('player_id', v_account.account_id),
                          p_account_id => v_account.account_id);
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_ob.wallet_group], p_actor);
    RETURN v_result;
END
$$;

-- Admin: complete an obligation without progress (WAIVED), releasing as a completion does.
-- Repeating it on a WAIVED obligation returns the first answer and moves nothing; any other
-- closed state is INVALID_STATE.
-- Raises ROLLING_NOT_FOUND, INVALID_STATE, VALIDATION_FAILED.  Audited.
-- Locks: the obligation's account.  Raises: ROLLING_NOT_FOUND, INVALID_STATE, VALIDATION_FAILED.  Writes: the obligation, ledger ROLLING_RELEASE, audit log, outbox rolling.waived.
-- Answers (HTTP): ruby_wallet.routes.rolling.RollingClosed.
CREATE OR REPLACE FUNCTION admin.rolling_waive(p_rolling_id bigint, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN wallet._rolling_admin_close(p_rolling_id, 'WAIVED', p_reason, wallet._actor(p_actor));
END
$$;

-- Admin: end an obligation (CANCELLED), forfeiting the bonus money it covers to PROMOTION.
-- Repeating it on a CANCELLED obligation returns the first answer and moves nothing.
-- Locks: the obligation's account.  Raises: ROLLING_NOT_FOUND, INVALID_STATE, VALIDATION_FAILED.  Writes: the obligation, ledger ROLLING_FORFEIT, audit log, outbox rolling.cancelled.
-- Answers (HTTP): ruby_wallet.routes.rolling.RollingClosed.
CREATE OR REPLACE FUNCTION admin.rolling_cancel(p_rolling_id bigint, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN wallet._rolling_admin_close(p_rolling_id, 'CANCELLED', p_reason, wallet._actor(p_actor));
END
$$;
