-- Coupon expiry (SPEC §11): a wallet command, run by housekeeping (ops.coupon_expire_next).

-- Expires the account's coupons whose expiry has passed: each becomes EXPIRED with remaining 0,
-- what remained goes back to the PROMOTION pocket (ledger COUPON_EXPIRE), outbox coupon.expired.
-- The snapshot stopped offering such a coupon at its expiry (wallet._coupon_usable); this makes
-- the books say so.  Open bets it funded settle normally; a later rollback of one returns the
-- coupon's share to PROMOTION, as for a reversed coupon.  Its rolling obligation stays: it
-- covers winnings already made.  Idempotent by state (an EXPIRED coupon is not touched again).
-- Call with the account locked; coupons in coupon_id order.  Returns how many expired.
CREATE OR REPLACE FUNCTION wallet._coupons_expire(p_account wallet.account, p_actor text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_coupon wallet.coupon;
    v_topology integer;
    v_txn_id bigint;
    v_count integer := 0;
BEGIN
    FOR v_coupon IN
        SELECT * FROM wallet.coupon
         WHERE account_id = p_account.account_id AND status = 'ACTIVE' AND expires_at <= now()
         ORDER BY coupon_id
           FOR UPDATE
    LOOP
        v_topology := coalesce(v_topology, wallet._active_topology());
        v_txn_id := (wallet._post(p_account.account_id, 'COUPON_EXPIRE', 'coupon:' || v_coupon.coupon_id, p_actor,
                                  ARRAY[wallet._coupon(v_coupon.coupon_id, -v_coupon.remaining),
                                        wallet._pocket('PROMOTION', v_coupon.remaining)], v_topology)).txn_id;
        UPDATE wallet.coupon SET status = 'EXPIRED', expired = v_coupon.remaining
         WHERE account_id = p_account.account_id AND coupon_id = v_coupon.coupon_id;
        PERFORM wallet._emit(p_account.account_id, 'coupon.expired', jsonb_build_object(
            'player_id', p_account.account_id, 'coupon_id', v_coupon.coupon_id, 'status', 'EXPIRED',
            'amount', v_coupon.amount, 'expired', v_coupon.remaining,
            'consumed', v_coupon.amount - v_coupon.remaining, 'expires_at', v_coupon.expires_at,
            'provider_types', v_coupon.provider_types, 'wallet_group', v_coupon.wallet_group,
            'txn_id', v_txn_id, 'topology_version', v_topology));
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END
$$;
