-- Housekeeping (SPEC §11): the jobs `ruby-wallet worker` runs on a schedule, or pg_cron where it
-- is installed (ops.run_housekeeping).  Each job function does a bounded amount of work in the
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
-- many were deleted.
CREATE OR REPLACE FUNCTION ops.outbox_prune(p_limit integer DEFAULT 5000)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_count integer;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 100000, 'limit', 'must be between 1 and 100000'));
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

-- Every housekeeping job drained, one short transaction per call (COMMIT between calls): what
-- pg_cron schedules (docs/operations.md).  A procedure, not a function, so that it can commit;
-- it runs with its caller's rights (the database owner or wallet_dba) and calls the job
-- functions above.  p_max_calls bounds one run.
CREATE OR REPLACE PROCEDURE ops.run_housekeeping(p_max_calls integer DEFAULT 100000)
LANGUAGE plpgsql AS $$
DECLARE
    v_calls integer := 0;
BEGIN
    WHILE v_calls < p_max_calls AND ops.coupon_expire_next() > 0 LOOP
        v_calls := v_calls + 1;
        COMMIT;
    END LOOP;
    COMMIT;
    WHILE v_calls < p_max_calls AND ops.outbox_prune() > 0 LOOP
        v_calls := v_calls + 1;
        COMMIT;
    END LOOP;
END
$$;
