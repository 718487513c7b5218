-- Runs first on every migrate, as the connecting user (superuser or a role with CREATEROLE):
-- the cluster-wide roles and the schemas they own.  Everything after it runs as wallet_owner.
-- Who may call what follows the schema a function lives in (docs/adr/0004-core-layer-schemas-and-roles.md):
--
--   role              may                                                   for
--   wallet_owner      own every table and function; never logs in           `ruby-wallet migrate`
--   wallet_game       EXECUTE the functions of schema game                  routes of scope game
--   wallet_payments   … of schema payments                                  scope payments
--   wallet_promotion  … of schema promotion                                 scope promotion
--   wallet_player     … of schema player                                    scope player
--   wallet_events     … of schema events                                    scope events
--   wallet_casino     … of schema casino                                    scope casino
--   wallet_admin      … of schema admin                                     scope admin
--   wallet_api        the API's login: nothing but schema api (authenticate a key, readiness);
--                     NOINHERIT member of every scope role, so each call runs as the role of its
--                     route's scope (the API's pool for that role sets it at connect)
--   wallet_dba        DBAs in psql and the CLI: every scope role's functions, schema ops
--                     (API keys, reconciliation, relays, housekeeping), SELECT on the tables
--   wallet_analyst    SELECT on the analytics views only
DO $bootstrap$
DECLARE
    v_scope_roles text[] := ARRAY['wallet_game', 'wallet_payments', 'wallet_promotion', 'wallet_player',
                                  'wallet_events', 'wallet_casino', 'wallet_admin'];
    v_role text;
BEGIN
    FOREACH v_role IN ARRAY ARRAY['wallet_owner', 'wallet_api', 'wallet_dba', 'wallet_analyst'] || v_scope_roles LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = v_role) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', v_role);
        END IF;
    END LOOP;
    -- The API login holds no scope's rights by itself: it acts as one scope role at a time.
    ALTER ROLE wallet_api NOINHERIT;
    FOREACH v_role IN ARRAY v_scope_roles LOOP
        IF NOT pg_has_role('wallet_api', v_role, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO wallet_api', v_role);
        END IF;
        IF NOT pg_has_role('wallet_dba', v_role, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO wallet_dba', v_role);
        END IF;
    END LOOP;
    -- The migrating user acts as wallet_owner (connection option `-c role=wallet_owner`).
    IF NOT pg_has_role(current_user, 'wallet_owner', 'MEMBER') THEN
        EXECUTE format('GRANT wallet_owner TO %I', current_user);
    END IF;
END
$bootstrap$;

-- Tables, types, sequences and the private helpers (`_name`) every command is built from.
CREATE SCHEMA IF NOT EXISTS wallet AUTHORIZATION wallet_owner;
-- One schema per API scope: the functions a caller with that scope may run.
CREATE SCHEMA IF NOT EXISTS game AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS payments AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS promotion AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS player AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS events AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS casino AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS admin AUTHORIZATION wallet_owner;
-- What the API process itself calls (key authentication, readiness), and what only DBAs and
-- the command line call (API keys, reconciliation, relays, housekeeping, the pure rules).
CREATE SCHEMA IF NOT EXISTS api AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS ops AUTHORIZATION wallet_owner;
CREATE SCHEMA IF NOT EXISTS analytics AUTHORIZATION wallet_owner;
-- yoyo's bookkeeping tables and the applied-code digest live here, owned by wallet_owner too.
CREATE SCHEMA IF NOT EXISTS wallet_meta AUTHORIZATION wallet_owner;
