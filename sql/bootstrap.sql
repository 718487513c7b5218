-- Runs first on every migrate, as the connecting user (superuser or a role with CREATEROLE):
-- the cluster-wide roles and the schemas they own.  Everything after it runs as wallet_owner.
--   wallet_owner    owns every table and every SECURITY DEFINER function; never logs in
--   wallet_api      what the HTTP API runs as: EXECUTE on command functions, nothing else
--   wallet_admin    DBAs in psql: the API's functions plus admin and maintenance ones
--   wallet_analyst  SELECT on the analytics views only
DO $bootstrap$
DECLARE
    v_role text;
BEGIN
    FOREACH v_role IN ARRAY ARRAY['wallet_owner', 'wallet_api', 'wallet_admin', 'wallet_analyst'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', v_role);
        END IF;
    END LOOP;
    -- The migrating user acts as wallet_owner (connection option `-c role=wallet_owner`).
    IF NOT pg_has_role(current_user, 'wallet_owner', 'MEMBER') THEN
        EXECUTE format('GRANT wallet_owner TO %I', current_user);
    END IF;
END
$bootstrap$;

CREATE SCHEMA IF NOT EXISTS wallet AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS analytics AUTHORIZATION wallet_owner;
-- yoyo's bookkeeping tables and the applied-code digest live here, owned by wallet_owner too.
CREATE SCHEMA IF NOT EXISTS wallet_meta AUTHORIZATION wallet_owner;
