-- Reconciliation and readiness.

-- Every discrepancy between stored balances and the ledger, one row each; no rows means the
-- books are right.  The checks themselves are the view analytics.reconciliation (so analysts
-- see the same thing).  Reads only, one snapshot: safe on a live system.
CREATE OR REPLACE FUNCTION wallet.reconcile()
RETURNS TABLE (check_name text, player_id text, subject text, expected bigint, actual bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT check_name, player_id, subject, expected, actual FROM analytics.reconciliation
     ORDER BY check_name, player_id, subject
$$;

-- The same checks for one player: reads only that account's rows (index scans; the view's
-- checks group by the account id, so the filter reaches every one of them), cheap enough after
-- every command of a test or at the end of a support case, however large the ledger.
CREATE OR REPLACE FUNCTION wallet.reconcile_player(p_player_id text)
RETURNS TABLE (check_name text, player_id text, subject text, expected bigint, actual bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT r.check_name, r.player_id, r.subject, r.expected, r.actual FROM analytics.reconciliation r
                  WHERE r.player_id = p_player_id ORDER BY r.check_name, r.subject;
END
$$;

-- What /readyz asks: the digest of the procedures and SQL the database runs, as recorded by
-- the last `ruby-wallet migrate`.  The API compares it with the digest of its own files.
CREATE OR REPLACE FUNCTION wallet.schema_digest()
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT digest FROM wallet_meta.code_state
$$;
