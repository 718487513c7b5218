-- Reconciliation (SPEC §2): every discrepancy between stored balances and the ledger.  The checks
-- themselves are the view analytics._reconciliation_checks (sql/95_analytics.sql), which analysts
-- read as analytics.reconciliation; these functions are its doors for DBAs and `ruby-wallet check`.

-- Every discrepancy between stored balances and the ledger, one row each; no rows means the
-- books are right.  The checks themselves are the view analytics._reconciliation_checks (so
-- analysts see the same thing, as analytics.reconciliation).  Reads only, one snapshot: safe on a live system.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION ops.reconcile()
RETURNS TABLE (check_name text, player_id text, subject text, expected bigint, actual bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    -- PL/pgSQL, not SQL: the view is created after the procedures (sql/95_analytics.sql).
    RETURN QUERY SELECT r.check_name, r.player_id, r.subject, r.expected, r.actual FROM analytics._reconciliation_checks r
                  ORDER BY r.check_name, r.player_id, r.subject;
END
$$;

-- The same checks for one player: reads only that account's rows (index scans; the view's
-- checks group by the account id, so the filter reaches every one of them), cheap enough after
-- every command of a test or at the end of a support case, however large the ledger.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION ops.reconcile_player(p_player_id text)
RETURNS TABLE (check_name text, player_id text, subject text, expected bigint, actual bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT r.check_name, r.player_id, r.subject, r.expected, r.actual FROM analytics._reconciliation_checks r
                  WHERE r.player_id = p_player_id ORDER BY r.check_name, r.subject;
END
$$;
