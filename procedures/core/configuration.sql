-- The active configuration every command reads after locking its account: the active topology
-- version and its bucket types, groups and provider mapping, the active money policies, and
-- the lock that serializes configuration changes.  Reads only (but _config_lock).

CREATE OR REPLACE FUNCTION wallet._active_topology()
RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT version FROM wallet.topology_version WHERE status = 'ACTIVE');
END
$$;

-- The bucket type row of the active topology, or UNKNOWN_BUCKET_TYPE (422, path p_path).
CREATE OR REPLACE FUNCTION wallet._active_bucket_type(p_code text, p_path text DEFAULT 'bucket_type')
RETURNS wallet.bucket_type
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_row wallet.bucket_type;
BEGIN
    SELECT bt.* INTO v_row
      FROM wallet.topology_version t
      JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = p_code
     WHERE t.status = 'ACTIVE';
    IF NOT FOUND THEN
        PERFORM wallet._fail('UNKNOWN_BUCKET_TYPE',
            format('bucket type %s is not in the active topology', p_code),
            jsonb_build_object('errors', jsonb_build_array(jsonb_build_object(
                'path', p_path, 'message', format('unknown bucket type %s', p_code)))));
    END IF;
    RETURN v_row;
END
$$;

-- The bucket type of a topology, or NULL.
CREATE OR REPLACE FUNCTION wallet._bucket_type_of(p_topology integer, p_code text)
RETURNS wallet.bucket_type
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_type wallet.bucket_type;
BEGIN
    SELECT * INTO v_type FROM wallet.bucket_type WHERE topology_version = p_topology AND code = p_code;
    RETURN v_type;
END
$$;

-- The first bucket type (in topology order) of a group and kind; p_group NULL: shared ones.
CREATE OR REPLACE FUNCTION wallet._first_bucket(p_topology integer, p_group text, p_kind text)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT code FROM wallet.bucket_type
     WHERE topology_version = p_topology AND wallet_group IS NOT DISTINCT FROM p_group AND kind = p_kind
     ORDER BY position LIMIT 1);
END
$$;

CREATE OR REPLACE FUNCTION wallet._group_of(p_topology integer, p_provider_type text)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT wallet_group FROM wallet.provider_mapping WHERE topology_version = p_topology AND provider_type = p_provider_type);
END
$$;

CREATE OR REPLACE FUNCTION wallet._active_group_policy(p_group text)
RETURNS wallet.group_policy
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_policy wallet.group_policy;
BEGIN
    SELECT * INTO v_policy FROM wallet.group_policy WHERE wallet_group = p_group AND status = 'ACTIVE';
    RETURN v_policy;
END
$$;

CREATE OR REPLACE FUNCTION wallet._config_lock()
RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(72630002)
$$;

-- Whether this database is a Citus coordinator whose wallet is distributed (ruby_wallet.distribute).
-- For the few functions that must work differently there: the ones that lock or delete rows of
-- many accounts at once (claims and pruning: Citus locks rows only in a statement naming one
-- shard, docs/scaling.md C16), and the batch settlement, once a call (its plain path locks a
-- call's accounts in one statement).  Never on a single money command's path.  The catalog is read with
-- EXECUTE: a server without Citus has no pg_dist_partition.
CREATE OR REPLACE FUNCTION wallet._distributed()
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_distributed boolean := false;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE logicalrelid = %L::regclass)',
                       'pg_catalog.pg_dist_partition', 'wallet.account')
           INTO v_distributed;
    END IF;
    RETURN v_distributed;
END
$$;
