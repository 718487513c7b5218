-- The player's split-balance snapshot (API.md, for the gateway).  STABLE, no locks.

-- [{bucket_type, kind, balance}] of one wallet group (NULL: the shared buckets), in topology order.
CREATE OR REPLACE FUNCTION wallet._bucket_lines(p_account_id text, p_topology integer, p_group text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', bt.code, 'kind', bt.kind,
                                                 'balance', coalesce(b.balance, 0)) ORDER BY bt.position), '[]')
      FROM wallet.bucket_type bt
      LEFT JOIN wallet.bucket b ON b.account_id = p_account_id AND b.bucket_type = bt.code
     WHERE bt.topology_version = p_topology AND bt.wallet_group IS NOT DISTINCT FROM p_group);
END
$$;

-- The split-balance display of one player under the active topology (API.md, for the
-- gateway): every bucket type of each wallet group (zero when never credited) and the shared
-- ones, ACTIVE, unexpired coupons with their restrictions, active rolling obligations, the withdrawable
-- amount, pending withdrawals and open bet exposure.  Raises UNKNOWN_ACCOUNT.
-- Locks: nothing.  Raises: UNKNOWN_ACCOUNT.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.accounts.PlayerBalances.
CREATE OR REPLACE FUNCTION player.player_balances(p_player_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account wallet.account;
    v_topology integer := wallet._active_topology();
BEGIN
    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id;
    IF NOT FOUND THEN
        PERFORM wallet._fail('UNKNOWN_ACCOUNT', format('no account for player %s', p_player_id),
                             jsonb_build_object('player_id', p_player_id));
    END IF;
    RETURN jsonb_build_object(
        'player_id', v_account.account_id,
        'currency', v_account.currency,
        'status', v_account.status,
        'topology_version', v_topology,
        'groups', (SELECT coalesce(jsonb_agg(jsonb_build_object('code', g.code, 'buckets',
                                      wallet._bucket_lines(v_account.account_id, v_topology, g.code)) ORDER BY g.position), '[]')
                     FROM wallet.wallet_group g WHERE g.topology_version = v_topology),
        'shared', wallet._bucket_lines(v_account.account_id, v_topology, NULL),
        'coupons', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'coupon_id', c.coupon_id, 'amount', c.amount, 'remaining', c.remaining, 'expires_at', c.expires_at,
                        'restrictions', jsonb_build_object('provider_types', c.provider_types, 'min_odds', c.min_odds,
                                                           'max_stake', c.max_stake, 'stake_returned', c.stake_returned,
                                                           'winnings_bucket_type', c.winnings_bucket_type,
                                                           'rolling_multiplier', c.rolling_multiplier))
                        ORDER BY c.expires_at NULLS LAST, c.granted_at, c.coupon_id), '[]')
                      FROM wallet.coupon c WHERE c.account_id = v_account.account_id AND wallet._coupon_usable(c)),
        'rolling', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'rolling_id', r.rolling_id, 'wallet_group', r.wallet_group, 'kind', r.kind, 'base_amount', r.base_amount,
                        'required', r.required, 'progress', r.progress, 'status', r.status) ORDER BY r.rolling_id), '[]')
                      FROM wallet.rolling_obligation r WHERE r.account_id = v_account.account_id AND r.status = 'ACTIVE'),
        'withdrawable', wallet._withdrawable(v_account.account_id),
        'pending_withdrawals', (SELECT coalesce(sum(amount), 0) FROM wallet.withdrawal
                                 WHERE account_id = v_account.account_id AND status = 'PENDING'),
        'open_bets', (SELECT jsonb_build_object('count', count(*), 'stake', coalesce(sum(stake), 0)) FROM wallet.bet
                       WHERE account_id = v_account.account_id AND status = 'AUTHORIZED'));
END
$$;
