-- Topology versions (API.md "Admin"): create a draft, list, read, preview and activate.
-- Versions are immutable; every create and activate is audited, refused attempts too (refusals
-- are returned as data, see wallet._refusal).  All take wallet._config_lock.

-- Stores a valid document as the next DRAFT version (materialized into rows); an invalid one
-- is refused with TOPOLOGY_INVALID listing every fault.  Both are audited.
-- Locks: the configuration lock.  Raises: nothing (an invalid document is a refusal as data).  Writes: the topology tables, audit log.
-- Answers (HTTP): ruby_wallet.routes.config.TopologyDraft.
CREATE OR REPLACE FUNCTION admin.topology_create(p_document jsonb, p_reason text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_problems jsonb;
    v_version integer;
BEGIN
    PERFORM wallet._config_lock();
    v_problems := wallet._topology_problems(p_document);
    IF jsonb_array_length(v_problems) > 0 THEN
        PERFORM wallet._audit(wallet._actor(p_actor), 'topology.create', 'topology:new', 'REFUSED', NULL, NULL, p_reason,
                              jsonb_build_object('errors', v_problems, 'document', p_document));
        RETURN wallet._refusal('TOPOLOGY_INVALID', format('the topology document has %s fault(s)', jsonb_array_length(v_problems)),
                               jsonb_build_object('errors', v_problems));
    END IF;
    SELECT coalesce(max(version), 0) + 1 INTO v_version FROM wallet.topology_version;
    INSERT INTO wallet.topology_version (version, document, created_by) VALUES (v_version, p_document, wallet._actor(p_actor));
    PERFORM wallet._topology_materialize(v_version, p_document);
    PERFORM wallet._audit(wallet._actor(p_actor), 'topology.create', 'topology:' || v_version, 'OK', NULL,
                          jsonb_build_object('version', v_version, 'status', 'DRAFT', 'document', p_document), p_reason);
    RETURN jsonb_build_object('version', v_version, 'status', 'DRAFT');
END
$$;

-- Every topology version with its status, who created and activated it, and when.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.config.TopologyList.
CREATE OR REPLACE FUNCTION admin.topology_list()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT jsonb_build_object('versions', coalesce(jsonb_agg(jsonb_build_object(
               'version', version, 'status', status, 'created_by', created_by, 'created_at', created_at,
               'activated_by', activated_by, 'activated_at', activated_at) ORDER BY version), '[]'))
      FROM wallet.topology_version
$$;

-- One topology version with its document.  Raises TOPOLOGY_NOT_FOUND.
-- Locks: nothing.  Raises: TOPOLOGY_NOT_FOUND.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.config.Topology.
CREATE OR REPLACE FUNCTION admin.topology_get(p_version integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_row wallet.topology_version;
BEGIN
    SELECT * INTO v_row FROM wallet.topology_version WHERE version = p_version;
    IF NOT FOUND THEN
        PERFORM wallet._fail('TOPOLOGY_NOT_FOUND', format('no topology version %s', p_version), jsonb_build_object('version', p_version));
    END IF;
    RETURN jsonb_build_object('version', v_row.version, 'status', v_row.status, 'document', v_row.document,
                              'created_by', v_row.created_by, 'created_at', v_row.created_at,
                              'activated_by', v_row.activated_by, 'activated_at', v_row.activated_at);
END
$$;

-- What would block activating p_version now, without activating (runbook: preview).
-- Raises TOPOLOGY_NOT_FOUND, POLICY_NOT_FOUND.
-- Locks: nothing.  Raises: TOPOLOGY_NOT_FOUND, POLICY_NOT_FOUND, VALIDATION_FAILED.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.config.TopologyPreview.
CREATE OR REPLACE FUNCTION admin.topology_preview(p_version integer, p_policy_versions jsonb DEFAULT '[]')
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    PERFORM admin.topology_get(p_version);
    RETURN jsonb_build_object('version', p_version, 'blockers', wallet._topology_blockers(p_version, p_policy_versions));
END
$$;

-- Makes p_version the active topology, with the named policy versions activated in the same
-- transaction, or refuses with ACTIVATION_BLOCKED listing every blocker (audited either way).
-- Takes wallet.account in EXCLUSIVE mode for its duration: money commands (which lock their
-- account row first) wait, so none runs half under the old and half under the new version.
-- Activating the active version without policies is a no-op.
-- Raises VALIDATION_FAILED, TOPOLOGY_NOT_FOUND, POLICY_NOT_FOUND.
-- Locks: the configuration lock, wallet.account EXCLUSIVE.  Raises: VALIDATION_FAILED, TOPOLOGY_NOT_FOUND, POLICY_NOT_FOUND.  Writes: topology and policy versions, audit log, outbox topology.activated (and policy.activated).
-- Answers (HTTP): ruby_wallet.routes.config.TopologyActivated.
CREATE OR REPLACE FUNCTION admin.topology_activate(p_version integer, p_reason text, p_policy_versions jsonb DEFAULT '[]',
                                                    p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_target wallet.topology_version;
    v_previous integer;
    v_blockers jsonb;
    v_activated jsonb := '[]'::jsonb;
    v_policy record;
    v_actor text := wallet._actor(p_actor);
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_reason('[]', p_reason));
    PERFORM wallet._config_lock();
    -- On Citus: one connection per node for the whole activation, so the reference tables can be
    -- written after the blocker scan read every shard (docs/scaling.md C12).  A setting no other
    -- server reads.
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    LOCK TABLE wallet.account IN EXCLUSIVE MODE;
    SELECT * INTO v_target FROM wallet.topology_version WHERE version = p_version;
    IF NOT FOUND THEN
        PERFORM wallet._fail('TOPOLOGY_NOT_FOUND', format('no topology version %s', p_version), jsonb_build_object('version', p_version));
    END IF;
    PERFORM count(*) FROM wallet._named_policies(p_policy_versions);
    IF v_target.status = 'ACTIVE' AND jsonb_array_length(coalesce(p_policy_versions, '[]')) = 0 THEN
        RETURN jsonb_build_object('version', p_version, 'status', 'ACTIVE', 'policies_activated', '[]'::jsonb);
    END IF;

    v_previous := wallet._active_topology();
    v_blockers := wallet._topology_blockers(p_version, p_policy_versions);
    IF jsonb_array_length(v_blockers) > 0 THEN
        PERFORM wallet._audit(wallet._actor(p_actor), 'topology.activate', 'topology:' || p_version, 'REFUSED',
                              jsonb_build_object('version', v_previous), NULL, p_reason,
                              jsonb_build_object('blockers', v_blockers, 'policy_versions', p_policy_versions));
        RETURN wallet._refusal('ACTIVATION_BLOCKED',
            format('activating topology %s would strand money or live records (%s blocker(s))', p_version, jsonb_array_length(v_blockers)),
            jsonb_build_object('blockers', v_blockers));
    END IF;

    UPDATE wallet.topology_version SET status = 'RETIRED' WHERE status = 'ACTIVE' AND version <> p_version;
    -- The actor in a variable: on Citus a STABLE function inside UPDATE … SET is refused (C9).
    UPDATE wallet.topology_version SET status = 'ACTIVE', activated_by = v_actor, activated_at = now()
     WHERE version = p_version;
    FOR v_policy IN SELECT * FROM wallet._named_policies(p_policy_versions) LOOP
        PERFORM wallet._policy_make_active(v_policy.family, v_policy.key, v_policy.version, wallet._actor(p_actor), p_reason);
        v_activated := v_activated || jsonb_build_object(
            CASE v_policy.family WHEN 'betting' THEN 'provider_type' ELSE 'wallet_group' END, v_policy.key, 'version', v_policy.version);
    END LOOP;
    PERFORM wallet._audit(wallet._actor(p_actor), 'topology.activate', 'topology:' || p_version, 'OK',
                          jsonb_build_object('version', v_previous),
                          jsonb_build_object('version', p_version, 'policies_activated', v_activated), p_reason);
    PERFORM wallet._emit('', 'topology.activated', jsonb_build_object('version', p_version, 'previous_version', v_previous,
                         'policies_activated', v_activated, 'actor', wallet._actor(p_actor)));
    RETURN jsonb_build_object('version', p_version, 'status', 'ACTIVE', 'policies_activated', v_activated);
END
$$;
