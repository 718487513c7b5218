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

-- The transfer limits of one money policy (SPEC §3): p_amount within its transfer_min (1 when
-- unset) and transfer_max, else TRANSFER_NOT_ALLOWED naming the group.  No policy: no limit.
CREATE OR REPLACE FUNCTION wallet._transfer_within_policy(p_policy wallet.group_policy, p_from text, p_to text, p_amount bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_policy.wallet_group IS NOT NULL
       AND (p_amount < coalesce(p_policy.transfer_min, 1) OR p_amount > coalesce(p_policy.transfer_max, p_amount)) THEN
        PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('the %s money policy allows transfers of %s to %s', p_policy.wallet_group,
                             coalesce(p_policy.transfer_min, 1), coalesce(p_policy.transfer_max::text, 'any amount')),
                             jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'policy_limits', 'wallet_group', p_policy.wallet_group,
                                                'min', p_policy.transfer_min, 'max', p_policy.transfer_max));
    END IF;
END
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
    v_account wallet.account;
    v_ctx record;
    v_seen wallet.transfer;
    v_response jsonb;
    v_from wallet.bucket_type;
    v_to wallet.bucket_type;
    v_edge wallet.transfer_edge;
    v_policy wallet.group_policy;
    v_credited bigint;
    v_group_balance bigint;
    v_moved jsonb;
    v_moved_total bigint;
    v_moved_base bigint;
    v_met bigint[];
    v_id bigint;
    v_new_id bigint;
    v_arrival_id bigint;
    v_txn_id bigint;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check(wallet._check(wallet._check_amount(wallet._check_key(
                '[]', p_transfer_id, 'transfer_id'), p_amount, 'amount'),
                p_from IS NOT NULL, 'from', 'is required'), p_to IS NOT NULL, 'to', 'is required'));

    -- The lock first (wallet._lock_account, inline on this path), in a statement of its own:
    -- what the command reads next is read after it, so it sees every command on this player
    -- that committed while this one waited.
    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM wallet._lock_account(p_player_id);  -- raises UNKNOWN_ACCOUNT
    END IF;
    -- Then one read: a transfer with this id (a replay is answered from it), the active
    -- topology's two bucket types and edge, the money policies of their groups (in group
    -- order: the first one refusing the amount answers), and what the source bucket holds.
    SELECT r AS seen, t.version AS topology, bf AS from_type, bt AS to_type, e AS edge,
           CASE WHEN pf.wallet_group <= pt.wallet_group OR pt.wallet_group IS NULL THEN pf ELSE pt END AS first_policy,
           CASE WHEN pf.wallet_group <= pt.wallet_group OR pt.wallet_group IS NULL THEN pt ELSE pf END AS second_policy,
           coalesce(b.balance, 0) AS balance
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.transfer r ON r.account_id = p_player_id AND r.transfer_id = p_transfer_id
      LEFT JOIN wallet.topology_version t ON t.status = 'ACTIVE'
      LEFT JOIN wallet.bucket_type bf ON bf.topology_version = t.version AND bf.code = p_from
      LEFT JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = p_to
      LEFT JOIN wallet.transfer_edge e ON e.topology_version = t.version AND e.from_type = p_from AND e.to_type = p_to
      LEFT JOIN wallet.group_policy pf ON pf.wallet_group = bf.wallet_group AND pf.status = 'ACTIVE'
      LEFT JOIN wallet.group_policy pt ON pt.wallet_group = bt.wallet_group AND pt.status = 'ACTIVE'
                                      AND pt.wallet_group IS DISTINCT FROM pf.wallet_group
      LEFT JOIN wallet.bucket b ON b.account_id = p_player_id AND b.bucket_type = p_from;
    v_seen := v_ctx.seen;
    IF v_seen.transfer_id IS NOT NULL THEN
        IF (v_seen.from_type, v_seen.to_type, v_seen.debited) = (p_from, p_to, p_amount) THEN
            RETURN wallet._transfer_answer(v_seen);
        END IF;
        PERFORM wallet._idempotency_conflict('transfer', p_transfer_id);
    END IF;
    IF v_account.status <> 'active' THEN
        PERFORM wallet._require_open(v_account);
    END IF;

    v_from := v_ctx.from_type;
    v_to := v_ctx.to_type;
    v_edge := v_ctx.edge;
    IF v_from.code IS NULL THEN
        PERFORM wallet._active_bucket_type(p_from, 'from');  -- raises UNKNOWN_BUCKET_TYPE
    END IF;
    IF v_to.code IS NULL THEN
        PERFORM wallet._active_bucket_type(p_to, 'to');
    END IF;
    IF v_edge.from_type IS NULL THEN
        PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('topology %s has no transfer edge %s -> %s', v_ctx.topology, p_from, p_to),
                             jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'no_edge'));
    END IF;
    IF p_amount < coalesce(v_edge.min_amount, 1) OR p_amount > coalesce(v_edge.max_amount, p_amount) THEN
        PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('the edge %s -> %s allows %s to %s', p_from, p_to,
                             coalesce(v_edge.min_amount, 1), coalesce(v_edge.max_amount::text, 'any amount')),
                             jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'edge_limits',
                                                'min', v_edge.min_amount, 'max', v_edge.max_amount));
    END IF;
    PERFORM wallet._transfer_within_policy(v_ctx.first_policy, p_from, p_to, p_amount);
    PERFORM wallet._transfer_within_policy(v_ctx.second_policy, p_from, p_to, p_amount);
    IF (p_amount * v_edge.rate_to) % v_edge.rate_from <> 0 THEN
        PERFORM wallet._fail('TRANSFER_NOT_ALLOWED', format('at the rate %s:%s, %s %s is not a whole amount of %s',
                             v_edge.rate_from, v_edge.rate_to, p_amount, p_from, p_to),
                             jsonb_build_object('from', p_from, 'to', p_to, 'reason', 'rate', 'rate', jsonb_build_array(v_edge.rate_from, v_edge.rate_to)));
    END IF;
    v_credited := p_amount * v_edge.rate_to / v_edge.rate_from;
    IF v_ctx.balance < p_amount THEN
        PERFORM wallet._fail('INSUFFICIENT_FUNDS', format('%s holds %s, cannot transfer %s', p_from, v_ctx.balance, p_amount),
                             jsonb_build_object('bucket_type', p_from, 'available', v_ctx.balance, 'requested', p_amount));
    END IF;

    -- Rolling moves with the money, measured against the group's balance before the transfer;
    -- the money moves first, so an obligation that what stays behind now meets releases only
    -- what stays behind.
    v_policy := CASE WHEN (v_ctx.first_policy).wallet_group = v_from.wallet_group THEN v_ctx.first_policy ELSE v_ctx.second_policy END;
    IF v_from.wallet_group IS NOT NULL AND v_to.wallet_group IS NOT NULL AND v_from.wallet_group <> v_to.wallet_group
       AND v_from.kind IN ('CASH', 'BONUS') AND v_policy.rolling_inheritance = 'PROPORTIONAL' THEN
        v_group_balance := wallet._group_balance(v_account.account_id, v_from.wallet_group, v_from.kind);
    END IF;
    v_txn_id := (wallet._post(v_account.account_id, 'TRANSFER', 'transfer:' || p_transfer_id, v_actor,
                              ARRAY[wallet._bucket(p_from, -p_amount), wallet._bucket(p_to, v_credited),
                                    wallet._pocket('PROMOTION', p_amount - v_credited)], v_ctx.topology)).txn_id;
    IF v_group_balance IS NOT NULL THEN
        -- Every obligation of the kind that covers the source bucket gives up its share, in one
        -- statement (wallet._rolling_moved_share: the amount is within the source bucket, so
        -- within the group's balance); what stays behind and is now met completes (and
        -- releases) like any other, oldest first.  The share is computed once a row (OFFSET 0
        -- keeps the subquery whole: flattened, each field would compute it again) and each row
        -- is updated where the read found it (ctid: the account's lock keeps it there), not by
        -- joining the account's obligations again.  The group and the kind are asked through
        -- one subquery (an InitPlan), so the planner estimates every call alike and the plan
        -- cache keeps one generic plan: with their values in sight, a rare group's custom plan
        -- looked cheaper and the statement was planned again on every call (0.23 ms;
        -- tests/sql/test_plans_per_call.py).
        WITH share AS (
            SELECT o.tid, o.rolling_id, (o.s).moved_base, (o.s).moved_required
              FROM (SELECT r.ctid AS tid, r.rolling_id,
                           wallet._rolling_moved_share(p_amount, v_group_balance, r.base_amount, r.required, r.progress) AS s
                      FROM wallet.rolling_obligation r
                     WHERE r.account_id = v_account.account_id AND r.status = 'ACTIVE'
                       -- A searched CASE: Citus mis-plans `CASE <variable> WHEN …` in a statement
                       -- with a modifying CTE (operator does not exist: text = boolean).
                       AND (r.wallet_group, r.kind) = (SELECT v_from.wallet_group, CASE WHEN v_from.kind = 'CASH' THEN 'DEPOSIT' ELSE 'BONUS' END)
                    OFFSET 0) o
             WHERE (o.s).moved_base <> 0 OR (o.s).moved_required <> 0
        ), moved AS (
            UPDATE wallet.rolling_obligation o
               SET base_amount = o.base_amount - s.moved_base, required = o.required - s.moved_required
              FROM share s
             WHERE o.ctid = s.tid AND o.account_id = v_account.account_id AND o.rolling_id = s.rolling_id
            RETURNING o.rolling_id, o.created_at, s.moved_base, s.moved_required, o.required <= o.progress AS met
        )
        SELECT coalesce(jsonb_agg(jsonb_build_object('from_rolling_id', rolling_id, 'base_amount', moved_base,
                                                     'required', moved_required) ORDER BY created_at, rolling_id), '[]'),
               coalesce(sum(moved_base), 0), coalesce(sum(moved_required), 0),
               coalesce(array_agg(rolling_id ORDER BY created_at, rolling_id) FILTER (WHERE met), '{}')
          INTO v_moved, v_moved_base, v_moved_total, v_met
          FROM moved;
        FOREACH v_id IN ARRAY v_met LOOP
            PERFORM wallet._rolling_close(v_account.account_id, v_id, 'COMPLETED', v_actor);
        END LOOP;
        -- What moved becomes one obligation in the target group (not one per source obligation:
        -- money going back and forth must not multiply obligations).  Its source is this
        -- transfer, whose record lists what each obligation gave (`rolling`); the snapshot keeps
        -- the policy it was moved under, not a second copy of that list (ADR 0008).
        v_new_id := wallet._rolling_open(v_account.account_id, v_to.wallet_group,
                                         CASE v_from.kind WHEN 'CASH' THEN 'DEPOSIT' ELSE 'BONUS' END,
                                         v_moved_base, v_moved_total, p_from, NULL, 'transfer', p_transfer_id,
                                         jsonb_build_object('group_policy_version', v_policy.version,
                                                            'rolling_inheritance', v_policy.rolling_inheritance));
    END IF;

    IF v_to.wallet_group IS NOT NULL AND v_to.wallet_group IS DISTINCT FROM v_from.wallet_group THEN
        v_policy := CASE WHEN (v_ctx.first_policy).wallet_group = v_to.wallet_group THEN v_ctx.first_policy ELSE v_ctx.second_policy END;
        v_arrival_id := wallet._rolling_open(v_account.account_id, v_to.wallet_group,
                                             CASE v_to.kind WHEN 'BONUS' THEN 'BONUS' ELSE 'DEPOSIT' END, v_credited,
                                             wallet._pro_rata_ceil(v_credited, v_policy.arrival_rolling_bps, 10000), p_to, NULL,
                                             'transfer', p_transfer_id,
                                             jsonb_build_object('group_policy_version', v_policy.version,
                                                                'arrival_rolling_bps', v_policy.arrival_rolling_bps));
    END IF;
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_from.wallet_group, v_to.wallet_group], v_actor);

    INSERT INTO wallet.transfer (account_id, transfer_id, from_type, to_type, debited, credited, txn_id, created_by,
                                 rolling_moved, rolling, inherited_rolling_id, arrival_rolling_id)
    VALUES (v_account.account_id, p_transfer_id, p_from, p_to, p_amount, v_credited, v_txn_id, v_actor,
            coalesce(v_moved_total, 0), nullif(v_moved, '[]'::jsonb), v_new_id, v_arrival_id)
    RETURNING * INTO v_seen;
    v_response := wallet._transfer_answer(v_seen);
    -- The event (wallet._emit, inline on this path).
    INSERT INTO wallet.outbox (account_id, event_type, payload)
    VALUES (v_account.account_id, 'transfer.completed', v_response || jsonb_build_object(
        'player_id', p_player_id, 'from_group', v_from.wallet_group, 'to_group', v_to.wallet_group, 'topology_version', v_ctx.topology));
    RETURN v_response;
END
$$;
