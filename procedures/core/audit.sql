-- The audit log (SPEC §7): actor, action, target, outcome, before, after, reason.  Append-only.

CREATE OR REPLACE FUNCTION wallet._audit(p_actor text, p_action text, p_target text, p_outcome text,
                                         p_before jsonb, p_after jsonb, p_reason text, p_detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE sql AS $$
    INSERT INTO wallet.audit_log (actor, action, target, outcome, before, after, reason, detail)
    VALUES (p_actor, p_action, p_target, p_outcome, p_before, p_after, p_reason, p_detail);
$$;
