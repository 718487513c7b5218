-- The audit log, read (admin).  Rows are written by wallet._audit (core).

-- The audit log, newest first; p_before is the `next` of the previous page.
-- Raises VALIDATION_FAILED.
-- Locks: nothing.  Raises: VALIDATION_FAILED.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.config.AuditPage.
CREATE OR REPLACE FUNCTION admin.audit_log_read(p_limit integer DEFAULT 50, p_before bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_entries jsonb;
    v_count integer;
    v_last bigint;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 500, 'limit', 'must be between 1 and 500'));
    SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.audit_id DESC), '[]'), count(*), min(a.audit_id)
      INTO v_entries, v_count, v_last
      FROM (SELECT audit_id, at, actor, action, target, outcome, before, after, reason, detail
              FROM wallet.audit_log WHERE audit_id < coalesce(p_before, 9223372036854775807)
             ORDER BY audit_id DESC LIMIT p_limit) a;
    RETURN jsonb_build_object('entries', v_entries, 'next', CASE WHEN v_count = p_limit THEN v_last END);
END
$$;
