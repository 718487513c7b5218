-- Privileges, re-applied on every migrate: start from nothing, then grant exactly this.  Who may
-- call a function follows the schema it lives in (sql/bootstrap.sql lists the roles), so a new
-- function is executable by exactly the roles of its schema, and no list here needs to know it.
-- No application role may INSERT, UPDATE or DELETE any table: money moves only inside the
-- SECURITY DEFINER functions owned by wallet_owner.

DO $grants$
DECLARE
    -- schema -> the role that may execute its functions
    v_callers constant jsonb := '{"game": "wallet_game", "payments": "wallet_payments", "promotion": "wallet_promotion",
                                  "player": "wallet_player", "events": "wallet_events", "casino": "wallet_casino",
                                  "admin": "wallet_admin", "api": "wallet_api", "ops": "wallet_dba"}';
    v_app_roles constant text[] := ARRAY['wallet_game', 'wallet_payments', 'wallet_promotion', 'wallet_player', 'wallet_events',
                                         'wallet_casino', 'wallet_admin', 'wallet_api', 'wallet_dba', 'wallet_analyst'];
    v_schema text;
    v_roles text;
BEGIN
    v_roles := (SELECT string_agg(quote_ident(r), ', ') FROM unnest(v_app_roles) r);
    FOR v_schema IN SELECT jsonb_object_keys(v_callers) UNION ALL SELECT 'wallet' UNION ALL SELECT 'analytics' UNION ALL SELECT 'wallet_meta' LOOP
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC, %s', v_schema, v_roles);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM PUBLIC, %s', v_schema, v_roles);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM PUBLIC, %s', v_schema, v_roles);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM PUBLIC, %s', v_schema, v_roles);
    END LOOP;
    -- A function wallet_owner creates is executable by nobody until the loop below grants it.
    ALTER DEFAULT PRIVILEGES FOR ROLE wallet_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
    FOR v_schema IN SELECT jsonb_object_keys(v_callers) LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', v_schema, v_callers->>v_schema);
        EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', v_schema, v_callers->>v_schema);
    END LOOP;
END
$grants$;

-- DBAs read every table (and need the wallet schema for its types: ops.funding_plan takes
-- wallet.fund_available[]).  The analytics views and their grants come after this file
-- (sql/95_analytics.sql).
GRANT USAGE ON SCHEMA wallet TO wallet_dba;
GRANT SELECT ON ALL TABLES IN SCHEMA wallet TO wallet_dba;
