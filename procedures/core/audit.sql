-- The audit log (SPEC §7): actor, action, target, outcome, before, after, reason.  Append-only.
-- Keyed by account (migration 0010): an entry about one account carries its id, so on Citus the
-- command writes it on that account's shard; configuration entries carry '' (docs/scaling.md C14).

-- PL/pgSQL, not SQL: on Citus a SQL function's parameters over a distributed table cannot be
-- planned (docs/scaling.md C11), and a PL/pgSQL INSERT's plan is cached for the session.
CREATE OR REPLACE FUNCTION wallet._audit(p_actor text, p_action text, p_target text, p_outcome text,
                                         p_before jsonb, p_after jsonb, p_reason text, p_detail jsonb DEFAULT NULL,
                                         p_account_id text DEFAULT '')
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.audit_log (account_id, actor, action, target, outcome, before, after, reason, detail)
    VALUES (coalesce(p_account_id, ''), p_actor, p_action, p_target, p_outcome, p_before, p_after, p_reason, p_detail);
END
$$;
