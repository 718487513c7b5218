-- Reads for the gateway and the admin: balances snapshot, ledger history.  STABLE, no locks.

-- The player's ledger lines on buckets and coupons (pockets are the house side), newest first.
-- p_before is the `next` cursor of the previous page ("<txn_id>.<entry_no>").
-- Raises UNKNOWN_ACCOUNT, INVALID_CURSOR, VALIDATION_FAILED.
CREATE OR REPLACE FUNCTION wallet.ledger_history(p_player_id text, p_limit integer DEFAULT 50, p_before text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account_id text;
    v_before_txn bigint := 9223372036854775807;
    v_before_entry integer := 32767;
    v_entries jsonb;
    v_count integer;
    v_next text;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 500, 'limit', 'must be between 1 and 500'));
    SELECT account_id INTO v_account_id FROM wallet.account WHERE account_id = p_player_id;
    IF v_account_id IS NULL THEN
        PERFORM wallet._fail('UNKNOWN_ACCOUNT', format('no account for player %s', p_player_id),
                             jsonb_build_object('player_id', p_player_id));
    END IF;
    IF p_before IS NOT NULL THEN
        IF p_before !~ '^[0-9]{1,18}\.[0-9]{1,5}$' THEN
            PERFORM wallet._fail('INVALID_CURSOR', 'before is not a ledger cursor',
                jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('path', 'before', 'message', 'not a cursor returned by this API'))));
        END IF;
        v_before_txn := split_part(p_before, '.', 1)::bigint;
        v_before_entry := least(split_part(p_before, '.', 2)::integer, 32767);
    END IF;

    SELECT coalesce(jsonb_agg(line ORDER BY txn_id DESC, entry_no DESC), '[]'), count(*),
           (array_agg(txn_id || '.' || entry_no ORDER BY txn_id, entry_no))[1]
      INTO v_entries, v_count, v_next
      FROM (SELECT e.txn_id, e.entry_no,
                   jsonb_strip_nulls(jsonb_build_object(
                       'txn_id', e.txn_id, 'kind', t.kind,
                       'bucket_type', e.bucket_type, 'coupon_id', e.coupon_id,
                       'amount', e.amount, 'balance_after', e.balance_after,
                       'created_at', t.created_at, 'ref', t.ref)) AS line
              FROM wallet.ledger_entry e
              JOIN wallet.ledger_txn t USING (account_id, txn_id)
             WHERE e.account_id = v_account_id AND e.pocket IS NULL
               AND (e.txn_id, e.entry_no) < (v_before_txn, v_before_entry)
             ORDER BY e.txn_id DESC, e.entry_no DESC
             LIMIT p_limit) page;

    -- A full page may have more behind it; a short page is the end.
    RETURN jsonb_build_object('entries', v_entries,
                              'next', CASE WHEN v_count = p_limit THEN v_next END);
END
$$;

-- The split-balance display of one player under the active topology (API.md, for the
-- gateway): every bucket type of each wallet group (zero when never credited) and the shared
-- ones, ACTIVE, unexpired coupons with their restrictions, active rolling obligations, the withdrawable
-- amount, pending withdrawals and open bet exposure.  Raises UNKNOWN_ACCOUNT.
CREATE OR REPLACE FUNCTION wallet.player_balances(p_player_id text)
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
                      FROM wallet.coupon c WHERE c.account_id = v_account.account_id AND c.status = 'ACTIVE'
                       AND (c.expires_at IS NULL OR c.expires_at > now())),
        'rolling', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'rolling_id', r.rolling_id, 'wallet_group', r.wallet_group, 'kind', r.kind, 'base_amount', r.base_amount,
                        'required', r.required, 'progress', r.progress, 'status', r.status) ORDER BY r.rolling_id), '[]')
                      FROM wallet.rolling_obligation r WHERE r.account_id = v_account.account_id AND r.status = 'ACTIVE'),
        'withdrawable', wallet._withdrawable(v_account.account_id, v_topology),
        'pending_withdrawals', (SELECT coalesce(sum(amount), 0) FROM wallet.withdrawal
                                 WHERE account_id = v_account.account_id AND status = 'PENDING'),
        'open_bets', (SELECT jsonb_build_object('count', count(*), 'stake', coalesce(sum(stake), 0)) FROM wallet.bet
                       WHERE account_id = v_account.account_id AND status = 'AUTHORIZED'));
END
$$;

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

-- Withdrawable amount (SPEC §5a): WITHDRAWABLE buckets plus the CASH buckets of groups with
-- no active DEPOSIT rolling obligation.
CREATE OR REPLACE FUNCTION wallet._withdrawable(p_account_id text, p_topology integer)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(balance), 0)::bigint FROM wallet._withdrawable_buckets(p_account_id));
END
$$;
