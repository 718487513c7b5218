-- The player's split-balance snapshot (API.md, for the gateway).  STABLE, no locks.

-- [{bucket_type, kind, balance}] of one wallet group (NULL: the shared buckets), in topology
-- order, from the account's balances p_balances ({bucket_type: balance}; a type it lacks is 0).
-- Reads only configuration: on Citus no statement over a shard may call a function that reads
-- a table (docs/scaling.md C6), so the caller reads the account's buckets itself.
CREATE OR REPLACE FUNCTION wallet._bucket_lines(p_balances jsonb, p_topology integer, p_group text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', bt.code, 'kind', bt.kind,
                                                 'balance', coalesce((p_balances->>bt.code)::bigint, 0)) ORDER BY bt.position), '[]')
      FROM wallet.bucket_type bt
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
    v_balances jsonb;
    v_answer jsonb;
BEGIN
    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id;
    IF NOT FOUND THEN
        PERFORM wallet._fail('UNKNOWN_ACCOUNT', format('no account for player %s', p_player_id),
                             jsonb_build_object('player_id', p_player_id));
    END IF;
    -- Each read a statement of its own: the account's rows, then the configuration they are
    -- shown under (docs/scaling.md C6).
    SELECT coalesce(jsonb_object_agg(bucket_type, balance), '{}') INTO v_balances
      FROM wallet.bucket WHERE account_id = v_account.account_id;
    SELECT jsonb_build_object(
               'player_id', v_account.account_id,
               'currency', v_account.currency,
               'status', v_account.status,
               'topology_version', v_topology,
               'groups', coalesce(jsonb_agg(jsonb_build_object('code', g.code,
                                                               'buckets', wallet._bucket_lines(v_balances, v_topology, g.code))
                                            ORDER BY g.position), '[]'),
               'shared', wallet._bucket_lines(v_balances, v_topology, NULL))
      INTO v_answer
      FROM wallet.wallet_group g WHERE g.topology_version = v_topology;
    v_answer := v_answer || jsonb_build_object('withdrawable', wallet._withdrawable(v_account.account_id));
    RETURN v_answer || (SELECT jsonb_build_object(
        'coupons', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'coupon_id', c.coupon_id, 'amount', c.amount, 'remaining', c.remaining, 'expires_at', c.expires_at,
                        'restrictions', jsonb_build_object('provider_types', c.provider_types, 'min_odds', c.min_odds,
                                                           'max_stake', c.max_stake, 'stake_returned', c.stake_returned,
                                                           'winnings_bucket_type', c.winnings_bucket_type,
                                                           'rolling_multiplier', c.rolling_multiplier))
                        ORDER BY c.expires_at NULLS LAST, c.granted_at, c.coupon_id), '[]')
                      FROM wallet.coupon c WHERE c.account_id = v_account.account_id AND wallet._coupon_usable(c.status, c.expires_at)),
        'rolling', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'rolling_id', r.rolling_id, 'wallet_group', r.wallet_group, 'kind', r.kind, 'base_amount', r.base_amount,
                        'required', r.required, 'progress', r.progress, 'status', r.status) ORDER BY r.created_at, r.rolling_id), '[]')
                      FROM wallet.rolling_obligation r WHERE r.account_id = v_account.account_id AND r.status = 'ACTIVE'),
        'pending_withdrawals', (SELECT coalesce(sum(amount), 0) FROM wallet.withdrawal
                                 WHERE account_id = v_account.account_id AND status = 'PENDING'),
        'open_bets', (SELECT jsonb_build_object('count', count(*), 'stake', coalesce(sum(stake), 0)) FROM wallet.bet
                       WHERE account_id = v_account.account_id AND status = 'AUTHORIZED')));
END
$$;
