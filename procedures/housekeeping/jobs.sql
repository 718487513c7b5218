-- Housekeeping (SPEC §11): the jobs `ruby-wallet worker` runs on a schedule, or pg_cron where it
-- is installed (ops.housekeeping_run).  Each job function does a bounded amount of work in the
-- caller's transaction and returns how much it did; the worker calls it again until it returns
-- 0.  Every job is safe to run concurrently with itself.

-- The retention window in days: the database setting wallet.retention_days (ALTER DATABASE …
-- SET wallet.retention_days = 365), default 180; a value that is not a whole number of days of
-- at least 1 falls back to the default rather than pruning everything.
CREATE OR REPLACE FUNCTION wallet._retention_days()
RETURNS integer
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_setting text := current_setting('wallet.retention_days', true);
BEGIN
    IF v_setting ~ '^\s*[0-9]{1,6}\s*$' AND v_setting::integer >= 1 THEN
        RETURN v_setting::integer;
    END IF;
    RETURN 180;
END
$$;

-- Expires the coupons past their expiry of one account (promotions: wallet._coupons_expire):
-- the account holding the coupon that expired first, among those no other transaction holds
-- (FOR UPDATE SKIP LOCKED on the account row, never waiting while holding a lock, so a running
-- command and another worker are never waited for and no deadlock can form).  One account per
-- call and per transaction (SPEC §2).  Returns how many coupons expired (0: nothing due that
-- could be taken now).
-- Locks: one account (SKIP LOCKED), then its due coupons.  Raises: nothing.  Writes: ledger COUPON_EXPIRE, wallet.coupon (EXPIRED), outbox coupon.expired.
CREATE OR REPLACE FUNCTION ops.coupon_expire_next(p_actor text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_candidate text;
    v_account wallet.account;
BEGIN
    FOR v_candidate IN
        SELECT c.account_id FROM wallet.coupon c
         WHERE c.status = 'ACTIVE' AND c.expires_at <= now()
         GROUP BY c.account_id
         ORDER BY min(c.expires_at), c.account_id
         LIMIT 20
    LOOP
        SELECT * INTO v_account FROM wallet.account WHERE account_id = v_candidate FOR UPDATE SKIP LOCKED;
        IF FOUND THEN
            RETURN wallet._coupons_expire(v_account, coalesce(p_actor, 'housekeeping'));
        END IF;
    END LOOP;
    RETURN 0;
END
$$;

-- Deletes up to p_limit outbox events delivered (acknowledged by a relay) more than
-- wallet.retention_days ago, oldest first.  Events not delivered are never pruned.  Returns how
-- many were deleted.  On Citus, where rows are locked only by a statement naming one shard
-- (docs/scaling.md C16): the candidates are read without a lock, then deleted account by account
-- in account order (an order every pruner shares), each statement naming its account and
-- checking the age again.
-- Locks: the pruned outbox rows (SKIP LOCKED; on Citus, waiting).  Raises: VALIDATION_FAILED.  Writes: deletes delivered outbox rows.
CREATE OR REPLACE FUNCTION ops.outbox_prune(p_limit integer DEFAULT 5000)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_count integer;
    v_cutoff timestamptz;
    v_doomed jsonb;
    v_account text;
    v_ids jsonb;
    v_deleted integer;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 100000, 'limit', 'must be between 1 and 100000'));
    IF wallet._distributed() THEN
        v_cutoff := now() - make_interval(days => wallet._retention_days());
        SELECT coalesce(jsonb_object_agg(account_id, ids), '{}') INTO v_doomed
          FROM (SELECT account_id, jsonb_agg(event_id) AS ids
                  FROM (SELECT account_id, event_id FROM wallet.outbox
                         WHERE published_at IS NOT NULL AND published_at < v_cutoff
                         ORDER BY published_at LIMIT p_limit) d
                 GROUP BY account_id) per_account;
        v_count := 0;
        FOR v_account, v_ids IN SELECT key, value FROM jsonb_each(v_doomed) ORDER BY key LOOP
            DELETE FROM wallet.outbox
             WHERE account_id = v_account AND event_id = ANY (ARRAY(SELECT jsonb_array_elements_text(v_ids)::bigint))
               AND published_at IS NOT NULL AND published_at < v_cutoff;
            GET DIAGNOSTICS v_deleted = ROW_COUNT;
            v_count := v_count + v_deleted;
        END LOOP;
        RETURN v_count;
    END IF;
    WITH doomed AS (
        SELECT account_id, event_id FROM wallet.outbox
         WHERE published_at IS NOT NULL AND published_at < now() - make_interval(days => wallet._retention_days())
         ORDER BY published_at
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    )
    DELETE FROM wallet.outbox o USING doomed d WHERE o.account_id = d.account_id AND o.event_id = d.event_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- Idempotency retention (SPEC §11; ADR 0005): deletes up to p_limit repeat keys (a second
-- rollback or reversal under a key of its own, wallet.repeat_key) older than
-- wallet.retention_days, oldest first.  Every other key lives in the money record it created
-- (the bet, the deposit, …), which is never pruned, so a key is always answered from its record;
-- a pruned repeat key's replay is answered from the record it repeated (the first rollback or
-- reversal), never applied twice.  Returns how many were deleted.
-- On Citus (docs/scaling.md C16): the candidates are read without a lock, then each is deleted
-- by a statement naming its account, in account order, checking the age again.
-- Locks: the pruned repeat keys (SKIP LOCKED; on Citus, waiting).  Raises: VALIDATION_FAILED.  Writes: deletes old rows of wallet.repeat_key.
CREATE OR REPLACE FUNCTION ops.idempotency_prune(p_limit integer DEFAULT 5000)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_count integer;
    v_cutoff timestamptz;
    v_doomed jsonb;
    v_key record;
    v_deleted integer;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 100000, 'limit', 'must be between 1 and 100000'));
    IF wallet._distributed() THEN
        v_cutoff := now() - make_interval(days => wallet._retention_days());
        SELECT coalesce(jsonb_agg(jsonb_build_object('a', account_id, 'c', command, 'k', key) ORDER BY account_id, command, key), '[]')
          INTO v_doomed
          FROM (SELECT account_id, command, key FROM wallet.repeat_key
                 WHERE created_at < v_cutoff ORDER BY created_at LIMIT p_limit) d;
        v_count := 0;
        FOR v_key IN SELECT k->>'a' AS account_id, k->>'c' AS command, k->>'k' AS key FROM jsonb_array_elements(v_doomed) k LOOP
            DELETE FROM wallet.repeat_key
             WHERE account_id = v_key.account_id AND command = v_key.command AND key = v_key.key AND created_at < v_cutoff;
            GET DIAGNOSTICS v_deleted = ROW_COUNT;
            v_count := v_count + v_deleted;
        END LOOP;
        RETURN v_count;
    END IF;
    WITH doomed AS (
        SELECT account_id, command, key FROM wallet.repeat_key
         WHERE created_at < now() - make_interval(days => wallet._retention_days())
         ORDER BY created_at
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    )
    DELETE FROM wallet.repeat_key r USING doomed d
     WHERE r.account_id = d.account_id AND r.command = d.command AND r.key = d.key;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- One bounded pass of every housekeeping job in one transaction: what pg_cron schedules
-- (docs/operations.md), where a job is one statement.  Expires the due coupons of up to
-- p_accounts accounts (each taken with SKIP LOCKED: the pass never waits for a lock, so it
-- cannot deadlock; the accounts it took stay locked until it commits, so keep p_accounts small —
-- the worker instead commits after every account), prunes up to p_events delivered events and
-- up to p_events repeat keys past retention.
-- Returns {"coupons_expired", "events_pruned", "keys_pruned"}.
-- Locks: up to p_accounts accounts (SKIP LOCKED) and their due coupons, pruned outbox rows and repeat keys.  Raises: VALIDATION_FAILED.  Writes: as ops.coupon_expire_next, ops.outbox_prune and ops.idempotency_prune.
CREATE OR REPLACE FUNCTION ops.housekeeping_run(p_accounts integer DEFAULT 20, p_events integer DEFAULT 5000)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_expired integer := 0;
    v_done integer;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_accounts BETWEEN 1 AND 1000, 'accounts', 'must be between 1 and 1000'));
    FOR v_i IN 1 .. p_accounts LOOP
        v_done := ops.coupon_expire_next();
        EXIT WHEN v_done = 0;
        v_expired := v_expired + v_done;
    END LOOP;
    RETURN jsonb_build_object('coupons_expired', v_expired, 'events_pruned', ops.outbox_prune(p_limit => p_events),
                              'keys_pruned', ops.idempotency_prune(p_limit => p_events));
END
$$;
