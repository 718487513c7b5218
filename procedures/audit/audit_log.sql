-- The audit log, read (admin).  Rows are written by wallet._audit (core).

-- The audit log, newest first (by when each entry was written, then its id: on Citus ids come
-- from each node's own range, docs/scaling.md C17); p_before is the `next` of the previous page
-- (an entry's id: the page goes on after it).  Raises VALIDATION_FAILED.
-- Locks: nothing.  Raises: VALIDATION_FAILED.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.config.AuditPage.
CREATE OR REPLACE FUNCTION admin.audit_log_read(p_limit integer DEFAULT 50, p_before bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_entries jsonb;
    v_count integer;
    v_last bigint;
    v_before_at timestamptz := 'infinity'::timestamptz;
    v_before_id bigint := 9223372036854775807;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 500, 'limit', 'must be between 1 and 500'));
    IF p_before IS NOT NULL THEN
        -- The page goes on after the entry p_before names; an id no entry has: after every entry
        -- written before it (on one node ids are drawn in writing order).
        v_before_id := p_before;
        SELECT at INTO v_before_at FROM wallet.audit_log WHERE audit_id = p_before;
        v_before_at := coalesce(v_before_at, (SELECT max(at) FROM wallet.audit_log WHERE audit_id < p_before), '-infinity');
    END IF;
    SELECT coalesce(jsonb_agg(to_jsonb(a) - 'position' ORDER BY a.position), '[]'), count(*),
           (array_agg(a.audit_id ORDER BY a.position DESC))[1]
      INTO v_entries, v_count, v_last
      FROM (SELECT audit_id, at, actor, action, target, outcome, before, after, reason, detail,
                   row_number() OVER (ORDER BY at DESC, audit_id DESC) AS position
              FROM (SELECT * FROM wallet.audit_log WHERE (at, audit_id) < (v_before_at, v_before_id)
                     ORDER BY at DESC, audit_id DESC LIMIT p_limit) newest) a;
    RETURN jsonb_build_object('entries', v_entries, 'next', CASE WHEN v_count = p_limit THEN v_last END);
END
$$;
