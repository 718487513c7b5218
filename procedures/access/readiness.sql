-- What the API process asks the database before it serves (GET /readyz).

-- What /readyz asks: the digest of the procedures and SQL the database runs, as recorded by
-- the last `ruby-wallet migrate`.  The API compares it with the digest of its own files.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION api.schema_digest()
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT digest FROM wallet_meta.code_state
$$;

-- Whether this database is a distributed wallet (the Citus extension is installed, which
-- `ruby-wallet distribute` needs): the API then sends a batch's items as single-account
-- commands, each forwarded whole to its player's worker (docs/scaling.md, Batches).
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION api.wallet_distributed()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')
$$;
