-- Privileges, re-applied on every migrate: start from nothing, then grant exactly this.
--   wallet_api      USAGE on schema wallet, EXECUTE on the public command functions
--   wallet_admin    the same, plus the admin-only functions and SELECT on wallet tables and views
--   wallet_analyst  SELECT on analytics views
-- No application role may INSERT, UPDATE or DELETE any table: money moves only inside the
-- SECURITY DEFINER functions owned by wallet_owner.

REVOKE ALL ON SCHEMA wallet, analytics, wallet_meta FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA wallet, analytics, wallet_meta FROM PUBLIC, wallet_api, wallet_admin, wallet_analyst;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA wallet, wallet_meta FROM PUBLIC, wallet_api, wallet_admin, wallet_analyst;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA wallet FROM PUBLIC, wallet_api, wallet_admin, wallet_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE wallet_owner IN SCHEMA wallet REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT USAGE ON SCHEMA wallet TO wallet_api, wallet_admin;
GRANT USAGE ON SCHEMA analytics TO wallet_analyst, wallet_admin;

DO $grants$
DECLARE
    -- Functions for DBAs and the command line only, never for the HTTP API.
    v_admin_only text[] := ARRAY['api_key_create', 'api_key_revoke', 'reconcile', 'reconcile_player', 'events_claim', 'events_ack'];
    v_fn record;
BEGIN
    FOR v_fn IN
        SELECT p.oid::regprocedure AS signature, p.proname
          FROM pg_proc p
         WHERE p.pronamespace = 'wallet'::regnamespace AND p.proname !~ '^_' AND p.prokind = 'f'
    LOOP
        IF v_fn.proname = ANY (v_admin_only) THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO wallet_admin', v_fn.signature);
        ELSE
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO wallet_api, wallet_admin', v_fn.signature);
        END IF;
    END LOOP;
END
$grants$;

GRANT SELECT ON ALL TABLES IN SCHEMA wallet TO wallet_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO wallet_analyst, wallet_admin;
