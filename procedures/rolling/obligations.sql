-- Rolling (wagering) obligations, SPEC §5a: opened by deposits, coupons, promotion credits and
-- transfers; progressed by settlements; completed, waived (admin) or cancelled (admin, or by the
-- reversal of what created them).  Completion releases money (ledger kind ROLLING_RELEASE),
-- cancellation forfeits bonus money (ROLLING_FORFEIT).  Every helper here runs with the account
-- already locked by the command that calls it.

-- Opens an obligation and returns its id; NULL (nothing opened) when p_required is 0.
CREATE OR REPLACE FUNCTION wallet._rolling_open(p_account_id text, p_group text, p_kind text, p_base bigint,
                                                p_required bigint, p_source_bucket_type text, p_provider_type text,
                                                p_source_kind text, p_source_id text, p_policy_snapshot jsonb)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_topology integer;  -- the active topology, read once: the row and its event name the same one
BEGIN
    IF p_required <= 0 THEN
        RETURN NULL;
    END IF;
    INSERT INTO wallet.rolling_obligation (account_id, wallet_group, kind, base_amount, required, topology_version,
                                           source_bucket_type, provider_type, source_kind, source_id, policy_snapshot)
    VALUES (p_account_id, p_group, p_kind, p_base, p_required, wallet._active_topology(),
            p_source_bucket_type, p_provider_type, p_source_kind, p_source_id, p_policy_snapshot)
    RETURNING rolling_id, topology_version INTO v_id, v_topology;
    INSERT INTO wallet.resource_owner (resource_kind, resource_id, account_id) VALUES ('ROLLING', v_id::text, p_account_id);
    -- The event (wallet._emit, inline: every deposit, grant, credit and transfer opens one).
    INSERT INTO wallet.outbox (account_id, event_type, payload)
    VALUES (p_account_id, 'rolling.created', jsonb_build_object(
        'player_id', p_account_id, 'rolling_id', v_id, 'wallet_group', p_group, 'kind', p_kind,
        'base_amount', p_base, 'required', p_required, 'source_bucket_type', p_source_bucket_type,
        'provider_type', p_provider_type, 'source', p_source_kind || ':' || p_source_id,
        'topology_version', v_topology, 'policy_snapshot', p_policy_snapshot));
    RETURN v_id;
END
$$;

-- Moves up to p_amount out of the group's buckets of p_kind (topology order) into p_destination
-- (p_destination NULL: into the PROMOTION pocket).  Returns what moved.
CREATE OR REPLACE FUNCTION wallet._sweep_group(p_account_id text, p_group text, p_kind text, p_amount bigint,
                                               p_destination text, p_ledger_kind text, p_ref text, p_actor text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_postings wallet.posting[] := '{}'::wallet.posting[];
    v_left bigint := p_amount;
    v_bucket record;
BEGIN
    FOR v_bucket IN
        SELECT b.bucket_type, b.balance FROM wallet.bucket b
          JOIN wallet.topology_version t ON t.status = 'ACTIVE'
          JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = b.bucket_type
         WHERE b.account_id = p_account_id AND bt.wallet_group = p_group AND bt.kind = p_kind AND b.balance > 0
           AND b.bucket_type IS DISTINCT FROM p_destination
         ORDER BY bt.position
    LOOP
        EXIT WHEN v_left <= 0;
        v_postings := v_postings || wallet._bucket(v_bucket.bucket_type, -least(v_bucket.balance, v_left));
        v_left := v_left - least(v_bucket.balance, v_left);
    END LOOP;
    IF p_amount - v_left > 0 THEN
        PERFORM wallet._post(p_account_id, p_ledger_kind, p_ref, p_actor,
            v_postings || CASE WHEN p_destination IS NULL THEN wallet._pocket('PROMOTION', p_amount - v_left)
                               ELSE wallet._bucket(p_destination, p_amount - v_left) END,
            wallet._active_topology());
    END IF;
    RETURN p_amount - v_left;
END
$$;

-- Closes an ACTIVE obligation as COMPLETED, WAIVED or CANCELLED (adding p_progress first) and
-- moves the money that goes with it (SPEC §5a):
--   COMPLETED/WAIVED DEPOSIT: the group's CASH → WITHDRAWABLE (all of it when no other active
--     DEPOSIT obligation remains in the group, else the base amount, capped);
--   COMPLETED/WAIVED BONUS: the group's BONUS → the money policy's conversion bucket, same rule;
--   CANCELLED BONUS with p_forfeit: the bonus money it covers → PROMOTION (ROLLING_FORFEIT).
-- Returns {rolling_id, status, progress, released, forfeited}.
CREATE OR REPLACE FUNCTION wallet._rolling_close(p_account_id text, p_rolling_id bigint, p_status text, p_actor text,
                                                 p_progress bigint DEFAULT 0, p_forfeit boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_ob wallet.rolling_obligation;
    v_others boolean;
    v_kind text;
    v_destination text;
    v_amount bigint;
    v_released bigint := 0;
    v_forfeited bigint := 0;
BEGIN
    UPDATE wallet.rolling_obligation SET progress = progress + p_progress, status = p_status, closed_at = now()
     WHERE account_id = p_account_id AND rolling_id = p_rolling_id AND status = 'ACTIVE'
    RETURNING * INTO v_ob;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'wallet._rolling_close: obligation % of account % is not active', p_rolling_id, p_account_id;
    END IF;
    v_kind := CASE v_ob.kind WHEN 'DEPOSIT' THEN 'CASH' ELSE 'BONUS' END;
    v_others := EXISTS (SELECT 1 FROM wallet.rolling_obligation WHERE account_id = p_account_id AND status = 'ACTIVE'
                          AND wallet_group = v_ob.wallet_group AND kind = v_ob.kind);
    v_amount := wallet._group_balance(p_account_id, v_ob.wallet_group, v_kind);
    IF v_others THEN
        v_amount := least(v_amount, v_ob.base_amount);
    END IF;

    IF p_status IN ('COMPLETED', 'WAIVED') THEN
        v_destination := CASE v_ob.kind
            WHEN 'DEPOSIT' THEN wallet._first_bucket(wallet._active_topology(), NULL, 'WITHDRAWABLE')
            ELSE (wallet._active_group_policy(v_ob.wallet_group)).conversion_bucket_type END;
        -- Without a WITHDRAWABLE bucket type the CASH stays where it is: unlocked, it is withdrawable.
        IF v_destination IS NOT NULL AND v_amount > 0 THEN
            v_released := wallet._sweep_group(p_account_id, v_ob.wallet_group, v_kind, v_amount, v_destination,
                                              'ROLLING_RELEASE', 'rolling:' || p_rolling_id, p_actor);
        END IF;
    ELSIF p_status = 'CANCELLED' AND p_forfeit AND v_ob.kind = 'BONUS' AND v_amount > 0 THEN
        v_forfeited := wallet._sweep_group(p_account_id, v_ob.wallet_group, 'BONUS', v_amount, NULL,
                                           'ROLLING_FORFEIT', 'rolling:' || p_rolling_id, p_actor);
    END IF;

    PERFORM wallet._emit(p_account_id, 'rolling.' || lower(p_status), jsonb_build_object(
        'player_id', p_account_id, 'rolling_id', p_rolling_id, 'wallet_group', v_ob.wallet_group,
        'kind', v_ob.kind, 'required', v_ob.required, 'progress', v_ob.progress, 'released', v_released,
        'forfeited', v_forfeited, 'released_to', v_destination, 'topology_version', wallet._active_topology(),
        'source_bucket_type', v_ob.source_bucket_type, 'policy_snapshot', v_ob.policy_snapshot));
    RETURN jsonb_build_object('rolling_id', p_rolling_id, 'status', p_status, 'progress', v_ob.progress,
                              'released', v_released, 'forfeited', v_forfeited);
END
$$;

-- Cancels the obligation a reversed grant or credit opened, if it is still active: nothing is
-- forfeited, the reversal itself took back what it could (SPEC §5).
CREATE OR REPLACE FUNCTION wallet._rolling_cancel_with(p_account_id text, p_rolling_id bigint, p_actor text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM wallet.rolling_obligation
                WHERE account_id = p_account_id AND rolling_id = p_rolling_id AND status = 'ACTIVE') THEN
        PERFORM wallet._rolling_close(p_account_id, p_rolling_id, 'CANCELLED', p_actor);
    END IF;
END
$$;

-- What one active obligation takes of a settled bet's progress (SPEC §5a): as much as its room
-- (required - progress) allows of what is left for its kind (DEPOSIT: of the deposit progress,
-- BONUS: of the bonus progress).  Obligations take in the order wallet._rolling_progress reads them.
CREATE OR REPLACE FUNCTION wallet._rolling_share(p_kind text, p_room bigint, p_left_deposit bigint, p_left_bonus bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT least(p_room, CASE p_kind WHEN 'DEPOSIT' THEN p_left_deposit ELSE p_left_bonus END)
$$;

-- An obligation a settlement progressed, as the settlement's answer lists it: {rolling_id,
-- progress, status}, COMPLETED once the progress reaches the requirement.  STABLE, as
-- jsonb_build_object is: declared IMMUTABLE, PostgreSQL would not inline it and would plan its
-- body on every call (bench/run's profile saw that on 20,000 of 20,000 settles).
CREATE OR REPLACE FUNCTION wallet._rolling_touched(p_rolling_id bigint, p_progress bigint, p_required bigint)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('rolling_id', p_rolling_id, 'progress', p_progress,
                              'status', CASE WHEN p_progress >= p_required THEN 'COMPLETED' ELSE 'ACTIVE' END)
$$;

-- A settled bet's progress (SPEC §5a): p_deposit_progress fills the group's active DEPOSIT
-- obligations, p_bonus_progress its BONUS obligations, each oldest first (by created_at, then
-- rolling_id: ids are not in creation order across Citus nodes, docs/scaling.md C17), the rest carrying on
-- to the next; an obligation that reaches its requirement completes (and releases), in the order
-- they were filled.  Each obligation's share is recorded (wallet.rolling_progress) so a rollback
-- can take it back.  Returns [{rolling_id, progress, status}] of the obligations it touched
-- (DEPOSIT ones first, then BONUS, each oldest first).
-- The obligations of each kind are read in that order, walking the index rolling_active
-- (account, group, kind, created_at, rolling_id; migration 0011) from the oldest, and the read
-- stops once that kind's amount is used up (room is never negative: the row rule keeps progress
-- <= required).  A declared cursor, not a FOR over a query: PL/pgSQL plans a declared cursor
-- for its first rows (CURSOR_OPT_FAST_PLAN), where a FOR over a query is planned for all of
-- them, a bitmap scan of every active obligation of the group and a sort (0.6 ms with 83 of
-- them, docs/benchmarks.md); one read per kind, so a kind with nothing left to fill stops the
-- walk instead of reading past its rows.  Each obligation that takes a share is updated by its
-- key and its share recorded (an INSERT ... VALUES).  The cursor asks for the group and the
-- kind through one subquery (an InitPlan), so the planner estimates every call alike and the
-- plan cache keeps one generic plan (with the values in sight, a rare kind's or group's custom
-- plan looked cheaper, and the walk was planned again on every settle:
-- tests/sql/test_plans_per_call.py).
CREATE OR REPLACE FUNCTION wallet._rolling_progress(p_account_id text, p_group text, p_bet_id text,
                                                    p_deposit_progress bigint, p_bonus_progress bigint, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    -- What is left to fill, by kind, in fill order: DEPOSIT, then BONUS.
    v_kinds text[] := ARRAY['DEPOSIT', 'BONUS'];
    v_left bigint[] := ARRAY[greatest(p_deposit_progress, 0), greatest(p_bonus_progress, 0)];
    v_amount bigint;
    v_progress bigint;
    v_touched jsonb := '[]'::jsonb;
    v_completed bigint[] := '{}'::bigint[];
    v_id bigint;
    c_oldest_first CURSOR (p_kind text) FOR
        SELECT o.rolling_id, o.kind, o.required, o.required - o.progress AS room
          FROM wallet.rolling_obligation o
         WHERE o.account_id = p_account_id AND (o.wallet_group, o.kind) = (SELECT p_group, p_kind) AND o.status = 'ACTIVE'
         ORDER BY o.created_at, o.rolling_id;
BEGIN
    FOR k IN 1 .. cardinality(v_kinds) LOOP
        CONTINUE WHEN v_left[k] = 0;
        FOR v_ob IN c_oldest_first(v_kinds[k]) LOOP  -- v_ob: the cursor's row, declared by the loop
            v_amount := wallet._rolling_share(v_ob.kind, v_ob.room, v_left[1], v_left[2]);
            v_left[k] := v_left[k] - v_amount;
            IF v_amount > 0 THEN
                UPDATE wallet.rolling_obligation SET progress = progress + v_amount
                 WHERE account_id = p_account_id AND rolling_id = v_ob.rolling_id
                RETURNING progress INTO v_progress;
                INSERT INTO wallet.rolling_progress (account_id, rolling_id, bet_id, amount)
                VALUES (p_account_id, v_ob.rolling_id, p_bet_id, v_amount);
                v_touched := v_touched || jsonb_build_array(wallet._rolling_touched(v_ob.rolling_id, v_progress, v_ob.required));
                IF v_progress >= v_ob.required THEN
                    v_completed := v_completed || v_ob.rolling_id;
                END IF;
            END IF;
            EXIT WHEN v_left[k] = 0;
        END LOOP;
    END LOOP;
    FOREACH v_id IN ARRAY v_completed LOOP
        PERFORM wallet._rolling_close(p_account_id, v_id, 'COMPLETED', p_actor);
    END LOOP;
    RETURN v_touched;
END
$$;

-- Takes back the progress a bet gave (its rollback).  Obligations it completed stay completed;
-- active ones lose the progress.  Returns [{rolling_id, progress_removed}].
CREATE OR REPLACE FUNCTION wallet._rolling_unprogress(p_account_id text, p_bet_id text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_removed jsonb := '[]'::jsonb;
    v_row wallet.rolling_progress;
BEGIN
    FOR v_row IN DELETE FROM wallet.rolling_progress WHERE account_id = p_account_id AND bet_id = p_bet_id RETURNING * LOOP
        UPDATE wallet.rolling_obligation SET progress = progress - v_row.amount
         WHERE account_id = p_account_id AND rolling_id = v_row.rolling_id AND status = 'ACTIVE';
        IF FOUND THEN
            v_removed := v_removed || jsonb_build_object('rolling_id', v_row.rolling_id, 'progress_removed', v_row.amount);
        END IF;
    END LOOP;
    RETURN v_removed;
END
$$;

-- Auto-completion (SPEC §5a): when a group's money — CASH balances plus the stakes of its open
-- bets — is at or below the money policy's auto_complete_below, its active DEPOSIT obligations
-- complete.  Called after settlements, rollbacks, withdrawals, transfers and adjustments.  Each
-- group (in group order) is decided by plain reads, the cheapest first: an active DEPOSIT
-- obligation there, the group's active policy, its cash (only then are the open stakes summed).
-- Plain statements each, not one read with subqueries: PostgreSQL judged that read's generic
-- plan costlier than a custom one in some sessions and planned it again on every call
-- (0.2-0.3 ms, a quarter of a settle; docs/benchmarks.md), and Citus plans a statement over
-- distributed tables only with its parameters' values (so no function-level
-- plan_cache_mode).  No statement over a shard calls a function that reads a table (on Citus
-- it may not, docs/scaling.md C6): the cash is wallet._group_balance's, called on its own.
-- One group (a settle's, a rollback's, an adjustment's) is taken as it is: ordering a list of
-- one with a query cost a settle 27k instructions (1.2%, callgrind).
CREATE OR REPLACE FUNCTION wallet._auto_complete(p_account_id text, p_groups text[], p_actor text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_groups text[] := coalesce(p_groups, '{}');
    v_group text;
    v_threshold bigint;
    v_cash bigint;
    v_money bigint;
    v_id bigint;
BEGIN
    IF cardinality(p_groups) > 1 THEN
        v_groups := ARRAY(SELECT DISTINCT g FROM unnest(p_groups) AS g WHERE g IS NOT NULL ORDER BY g);
    END IF;
    FOREACH v_group IN ARRAY v_groups LOOP
        CONTINUE WHEN v_group IS NULL;
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM wallet.rolling_obligation o
                                   WHERE o.account_id = p_account_id AND o.wallet_group = v_group
                                     AND o.kind = 'DEPOSIT' AND o.status = 'ACTIVE');
        SELECT gp.auto_complete_below INTO v_threshold
          FROM wallet.group_policy gp WHERE gp.status = 'ACTIVE' AND gp.wallet_group = v_group;
        CONTINUE WHEN NOT FOUND;
        v_cash := wallet._group_balance(p_account_id, v_group, 'CASH');
        CONTINUE WHEN v_cash > v_threshold;
        v_money := v_cash + coalesce((SELECT sum(stake) FROM wallet.bet WHERE account_id = p_account_id
                                       AND wallet_group = v_group AND status = 'AUTHORIZED'), 0);
        CONTINUE WHEN v_money > v_threshold;
        FOR v_id IN SELECT rolling_id FROM wallet.rolling_obligation
                     WHERE account_id = p_account_id AND wallet_group = v_group AND kind = 'DEPOSIT' AND status = 'ACTIVE'
                     ORDER BY created_at, rolling_id LOOP
            PERFORM wallet._rolling_close(p_account_id, v_id, 'COMPLETED', p_actor);
        END LOOP;
    END LOOP;
END
$$;
