-- Transfers between a player's own buckets along the active topology's edges (SPEC §3, §5):
-- normal ↔ normal, points → normal, withdrawable → normal ("recycle").  The transfer row is the
-- record: the request, the amounts, and the rolling the transfer moved and opened.

-- The answer of a transfer, built from its record (the first answer and every replay).
CREATE OR REPLACE FUNCTION wallet._transfer_answer(r wallet.transfer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('transfer_id', r.transfer_id, 'from', r.from_type, 'to', r.to_type, 'debited', r.debited,
                              'credited', r.credited, 'rolling_moved', r.rolling_moved, 'rolling', coalesce(r.rolling, '[]'),
                              'inherited_rolling_id', r.inherited_rolling_id, 'arrival_rolling_id', r.arrival_rolling_id)
$$;

-- Moves p_amount from p_from to p_to.  The edge must exist in the active topology; the amount
-- must be within the edge's min/max and the money policies' transfer min/max of the groups
-- involved, and the edge's rate [from_units, to_units] must give a whole amount — otherwise
-- TRANSFER_NOT_ALLOWED.  Rolling moves with the money (SPEC §5a): under PROPORTIONAL
-- inheritance, the share of the source group's obligations (of the kind that covers the source
-- bucket: DEPOSIT for CASH, BONUS for BONUS) that the amount is of the group's balance moves to
-- the target group (ops.rolling_inheritance), as one obligation there; the target group's
-- arrival rolling rate may add another.  A rate other than 1:1 books the difference to PROMOTION.
-- Idempotent on p_transfer_id.  Locks the account.  Writes ledger TRANSFER, outbox
-- transfer.completed.  Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED,
-- UNKNOWN_BUCKET_TYPE, TRANSFER_NOT_ALLOWED, INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger TRANSFER, the two buckets, wallet.transfer (the record), rolling obligations moved or opened, outbox transfer.completed.
-- Answers (HTTP): ruby_wallet.routes.transfers.TransferCompleted.
CREATE OR REPLACE FUNCTION player.transfer_create(p_transfer_id text, p_player_id text, p_from text, p_to text, p_amount bigint,
                                                  p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := '[]'::jsonb;
    v_account wallet.account;
    v_ctx record;
    v_ctx_account wallet.account;
    v_seen wallet.transfer;
    v_response jsonb;
    v_topology integer;
    v_from wallet.bucket_type;
    v_to wallet.bucket_type;
    v_edge wallet.transfer_edge;
    v_policy wallet.group_policy;
    v_credited bigint;
    v_balance bigint;
    v_group_balance bigint;
    v_moved jsonb := '[]'::jsonb;
    v_moved_total bigint := 0;
    v_moved_base bigint := 0;
    v_ob wallet.rolling_obligation;
    v_share wallet.rolling_share;
    v_new_id bigint;
    v_arrival_id bigint;
    v_txn_id bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_transfer_id, 'transfer_id');
    v_errors := wallet._check_amount(v_errors, p_amount, 'amount');
    v_errors := wallet._check(v_errors, p_from IS NOT NULL, 'from', 'is required');
    v_errors := wallet._check(v_errors, p_to IS NOT NULL, 'to', 'is required');
    PERFORM wallet._raise_invalid(v_errors);

    -- The lock first, in a statement of its own: what the command reads next is read after
    -- it, so it sees every command on this player that committed while this one waited.
    v_ctx_account := wallet._lock_account(p_player_id);
    SELECT v_ctx_account AS account, r AS seen
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.transfer r ON r.account_id = p_player_id AND r.transfer_id = p_transfer_id;
    v_account := v_ctx.account;
    v_seen := v_ctx.seen;
    IF v_seen.transfer_id IS NOT NULL THEN
        IF (v_seen.from_type, v_seen.to_type, v_seen.debited) = (p_from, p_to, p_amount) THEN
            RETURN wallet._transfer_answer(v_seen);
        END IF;
        PERFORM wallet._idempotency_conflict('transfer', p_transfer_id);
    END IF;
    PERFORM wallet._require_open(v_account);

    v_topology := wallet._active_topology();
    v_from := wallet._active_bucket_type(p_from, 'from');
    v_to := wallet._active_bucket_type(p_to, 'to');
    SELECT * INTO v_edge FROM wallet.transfer_edge WHERE topology_version = v_topology AND from_type = p_from AND to_type = p_to;
    IF NOT FOUND THEN
        PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('topology %s has no transfer edge %s -> %s', v_topology, p_from, p_to),
                             jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'no_edge'));
    END IF;
    IF p_amount < coalesce(v_edge.min_amount, 1) OR p_amount > coalesce(v_edge.max_amount, p_amount) THEN
        PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('the edge %s -> %s allows %s to %s', p_from, p_to,
                             coalesce(v_edge.min_amount, 1), coalesce(v_edge.max_amount::text, 'any amount')),
                             jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'edge_limits',
                                                'min', v_edge.min_amount, 'max', v_edge.max_amount));
    END IF;
    FOR v_policy IN SELECT * FROM wallet.group_policy WHERE status = 'ACTIVE'
                     AND wallet_group IN (v_from.wallet_group, v_to.wallet_group) ORDER BY wallet_group LOOP
        IF p_amount < coalesce(v_policy.transfer_min, 1) OR p_amount > coalesce(v_policy.transfer_max, p_amount) THEN
            PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('the %s money policy allows transfers of %s to %s', v_policy.wallet_group,
                                 coalesce(v_policy.transfer_min, 1), coalesce(v_policy.transfer_max::text, 'any amount')),
                                 jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'policy_limits', 'wallet_group', v_policy.wallet_group,
                                                    'min', v_policy.transfer_min, 'max', v_policy.transfer_max));
        END IF;
    END LOOP;
    IF (p_amount * v_edge.rate_to) % v_edge.rate_from <> 0 THEN
        PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('at the rate %s:%s, %s %s is not a whole amount of %s',
                             v_edge.rate_from, v_edge.rate_to, p_amount, p_from, p_to),
                             jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'rate', 'rate', jsonb_build_array(v_edge.rate_from, v_edge.rate_to)));
    END IF;
    v_credited := p_amount * v_edge.rate_to / v_edge.rate_from;
    v_balance := wallet._balance(v_account.account_id, p_from);
    IF v_balance < p_amount THEN
        PERFORM wallet._fail('INSUFFICIENT_FUNDS', format('%s holds %s, cannot transfer %s', p_from, v_balance, p_amount),
                             jsonb_build_object('bucket_type', p_from, 'available', v_balance, 'requested', p_amount));
    END IF;

    -- Rolling moves with the money, measured against the group's balance before the transfer;
    -- the money moves first, so an obligation that what stays behind now meets releases only
    -- what stays behind.
    v_group_balance := wallet._group_balance(v_account.account_id, v_from.wallet_group, v_from.kind);
    v_txn_id := (wallet._post(v_account.account_id, 'TRANSFER', 'transfer:' || p_transfer_id, v_actor,
                              ARRAY[wallet._bucket(p_from, -p_amount), wallet._bucket(p_to, v_credited),
                                    wallet._pocket('PROMOTION', p_amount - v_credited)], v_topology)).txn_id;
    v_policy := wallet._active_group_policy(v_from.wallet_group);
    IF v_from.wallet_group IS NOT NULL AND v_to.wallet_group IS NOT NULL AND v_from.wallet_group <> v_to.wallet_group
       AND v_from.kind IN ('CASH', 'BONUS') AND v_policy.rolling_inheritance = 'PROPORTIONAL' THEN
        FOR v_ob IN SELECT * FROM wallet.rolling_obligation
                     WHERE account_id = v_account.account_id AND wallet_group = v_from.wallet_group AND status = 'ACTIVE'
                       AND kind = CASE v_from.kind WHEN 'CASH' THEN 'DEPOSIT' ELSE 'BONUS' END
                     ORDER BY rolling_id LOOP
            v_share := wallet._rolling_inheritance(p_amount, v_group_balance, v_ob.base_amount, v_ob.required, v_ob.progress);
            CONTINUE WHEN v_share.moved_required = 0 AND v_share.moved_base = 0;
            UPDATE wallet.rolling_obligation
               SET base_amount = base_amount - v_share.moved_base, required = required - v_share.moved_required
             WHERE account_id = v_account.account_id AND rolling_id = v_ob.rolling_id;
            v_moved := v_moved || jsonb_build_object('from_rolling_id', v_ob.rolling_id,
                                                     'base_amount', v_share.moved_base, 'required', v_share.moved_required);
            v_moved_base := v_moved_base + v_share.moved_base;
            v_moved_total := v_moved_total + v_share.moved_required;
            -- What stays behind may now be met: it completes (and releases) like any other.
            IF v_ob.required - v_share.moved_required <= v_ob.progress THEN
                PERFORM wallet._rolling_close(v_account.account_id, v_ob.rolling_id, 'COMPLETED', v_actor);
            END IF;
        END LOOP;
        -- What moved becomes one obligation in the target group (not one per source obligation:
        -- money going back and forth must not multiply obligations).
        v_new_id := wallet._rolling_open(v_account.account_id, v_to.wallet_group,
                                         CASE v_from.kind WHEN 'CASH' THEN 'DEPOSIT' ELSE 'BONUS' END,
                                         v_moved_base, v_moved_total, p_from, NULL, 'transfer', p_transfer_id,
                                         jsonb_build_object('inherited_from', v_moved, 'group_policy_version', v_policy.version,
                                                            'rolling_inheritance', v_policy.rolling_inheritance));
    END IF;

    IF v_to.wallet_group IS NOT NULL AND v_to.wallet_group IS DISTINCT FROM v_from.wallet_group THEN
        v_policy := wallet._active_group_policy(v_to.wallet_group);
        v_arrival_id := wallet._rolling_open(v_account.account_id, v_to.wallet_group,
                                             CASE v_to.kind WHEN 'BONUS' THEN 'BONUS' ELSE 'DEPOSIT' END, v_credited,
                                             ceil(v_credited::numeric * v_policy.arrival_rolling_bps / 10000)::bigint, p_to, NULL,
                                             'transfer', p_transfer_id,
                                             jsonb_build_object('group_policy_version', v_policy.version,
                                                                'arrival_rolling_bps', v_policy.arrival_rolling_bps));
    END IF;
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_from.wallet_group, v_to.wallet_group], v_actor);

    INSERT INTO wallet.transfer (account_id, transfer_id, from_type, to_type, debited, credited, txn_id, created_by,
                                 rolling_moved, rolling, inherited_rolling_id, arrival_rolling_id)
    VALUES (v_account.account_id, p_transfer_id, p_from, p_to, p_amount, v_credited, v_txn_id, v_actor,
            v_moved_total, nullif(v_moved, '[]'::jsonb), v_new_id, v_arrival_id)
    RETURNING * INTO v_seen;
    v_response := wallet._transfer_answer(v_seen);
    PERFORM wallet._emit(v_account.account_id, 'transfer.completed', v_response || jsonb_build_object(
        'player_id', p_player_id, 'from_group', v_from.wallet_group, 'to_group', v_to.wallet_group, 'topology_version', v_topology));
    RETURN v_response;
END
$$;
