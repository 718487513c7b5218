-- Admin commands on topology and policy versions (API.md "Admin"; the same functions serve
-- DBAs in psql).  Versions are immutable: a change is a new version.  Every create and
-- activate writes the audit log (actor, before, after, reason) — refused attempts too, which is
-- why a refusal is returned as {"refused": {"code", "message", …}} instead of raised: a raised
-- error would roll the audit row back with it.  The API turns a refusal into its problem
-- response (same codes).  All of these take one advisory lock, so admin changes serialize.

CREATE OR REPLACE FUNCTION wallet._config_lock()
RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(72630002)
$$;

CREATE OR REPLACE FUNCTION wallet._refusal(p_code text, p_message text, p_detail jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('refused', jsonb_build_object('code', p_code, 'message', p_message) || coalesce(p_detail, '{}'))
$$;

CREATE OR REPLACE FUNCTION wallet._actor(p_actor text)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(p_actor, 'db:' || session_user)
$$;

-- ---------------------------------------------------------------------------------------------
-- Topology versions

-- Stores a valid document as the next DRAFT version (materialized into rows); an invalid one
-- is refused with TOPOLOGY_INVALID listing every fault.  Both are audited.
CREATE OR REPLACE FUNCTION wallet.topology_create(p_document jsonb, p_reason text DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_problems jsonb;
    v_version integer;
BEGIN
    PERFORM wallet._config_lock();
    SELECT coalesce(jsonb_agg(jsonb_build_object('path', v.path, 'message', v.message)), '[]')
      INTO v_problems FROM wallet.topology_validate(p_document) v;
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
CREATE OR REPLACE FUNCTION wallet.topology_list()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT jsonb_build_object('versions', coalesce(jsonb_agg(jsonb_build_object(
               'version', version, 'status', status, 'created_by', created_by, 'created_at', created_at,
               'activated_by', activated_by, 'activated_at', activated_at) ORDER BY version), '[]'))
      FROM wallet.topology_version
$$;

-- One topology version with its document.  Raises TOPOLOGY_NOT_FOUND.
CREATE OR REPLACE FUNCTION wallet.topology_get(p_version integer)
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

-- The policy versions an activation names: [{"provider_type", "version"} | {"wallet_group", "version"}]
-- as rows (family, key, version).  Raises VALIDATION_FAILED (malformed) and POLICY_NOT_FOUND.
CREATE OR REPLACE FUNCTION wallet._named_policies(p_policy_versions jsonb)
RETURNS TABLE (family text, key text, version integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_item jsonb;
    v_i integer := 0;
    v_errors jsonb := '[]';
BEGIN
    IF jsonb_typeof(coalesce(p_policy_versions, '[]')) <> 'array' THEN
        PERFORM wallet._raise_invalid(wallet._problem('policy_versions', 'must be an array'));
    END IF;
    FOR v_item IN SELECT * FROM jsonb_array_elements(coalesce(p_policy_versions, '[]')) LOOP
        IF jsonb_typeof(v_item) <> 'object' OR wallet._json_int(v_item->'version') IS NULL
           OR num_nonnulls(v_item->>'provider_type', v_item->>'wallet_group') <> 1 THEN
            v_errors := v_errors || wallet._problem(format('policy_versions[%s]', v_i),
                'must be {"provider_type", "version"} or {"wallet_group", "version"}');
        END IF;
        v_i := v_i + 1;
    END LOOP;
    PERFORM wallet._raise_invalid(v_errors);
    FOR v_item IN SELECT * FROM jsonb_array_elements(coalesce(p_policy_versions, '[]')) LOOP
        family := CASE WHEN v_item ? 'provider_type' THEN 'betting' ELSE 'group' END;
        key := coalesce(v_item->>'provider_type', v_item->>'wallet_group');
        version := (v_item->>'version')::integer;
        IF NOT wallet._policy_exists(family, key, version) THEN
            PERFORM wallet._fail('POLICY_NOT_FOUND', format('no %s policy %s version %s', family, key, version),
                                 jsonb_build_object('key', key, 'version', version));
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Everything that activating p_version (with the named policies activated alongside) would
-- strand or break, as a JSON array; empty when activation is safe.
CREATE OR REPLACE FUNCTION wallet._topology_blockers(p_version integer, p_policy_versions jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_active integer := wallet._active_topology();
    v_blockers jsonb := '[]';
BEGIN
    -- Money in a bucket type the new version drops, or whose kind or group it changes.
    SELECT v_blockers || coalesce(jsonb_agg(jsonb_build_object('kind', 'bucket_balance', 'bucket_type', bucket_type,
               'accounts', accounts, 'amount', amount, 'sample_players', sample) ORDER BY bucket_type), '[]')
      INTO v_blockers
      FROM (SELECT b.bucket_type, count(*) AS accounts, sum(b.balance) AS amount,
                   (array_agg(b.account_id ORDER BY b.account_id))[1:5] AS sample
              FROM wallet.bucket b
             WHERE b.balance > 0
               AND NOT EXISTS (SELECT 1 FROM wallet.bucket_type n WHERE n.topology_version = p_version AND n.code = b.bucket_type)
             GROUP BY b.bucket_type) dropped;
    SELECT v_blockers || coalesce(jsonb_agg(jsonb_build_object('kind', 'bucket_type_changed', 'bucket_type', code,
               'from', old_shape, 'to', new_shape, 'accounts', accounts, 'amount', amount) ORDER BY code), '[]')
      INTO v_blockers
      FROM (SELECT o.code, coalesce(o.wallet_group, 'shared') || '/' || o.kind AS old_shape,
                   coalesce(n.wallet_group, 'shared') || '/' || n.kind AS new_shape,
                   count(b.*) AS accounts, sum(b.balance) AS amount
              FROM wallet.bucket_type o
              JOIN wallet.bucket_type n ON n.topology_version = p_version AND n.code = o.code
              JOIN wallet.bucket b ON b.bucket_type = o.code AND b.balance > 0
             WHERE o.topology_version = v_active
               AND (o.kind, o.wallet_group) IS DISTINCT FROM (n.kind, n.wallet_group)
             GROUP BY o.code, o.kind, o.wallet_group, n.kind, n.wallet_group) changed;

    v_blockers := v_blockers || wallet._live_record_blockers(p_version);

    -- Every provider type and wallet group of the new version needs an active policy valid
    -- under it: the one named in this activation, or the one active now.
    SELECT v_blockers || coalesce(jsonb_agg(blocker ORDER BY family, key), '[]') INTO v_blockers
      FROM (SELECT f.family, f.key,
                   CASE WHEN chosen.version IS NULL
                        THEN jsonb_build_object('kind', CASE f.family WHEN 'betting' THEN 'policy_missing' ELSE 'group_policy_missing' END,
                                                CASE f.family WHEN 'betting' THEN 'provider_type' ELSE 'wallet_group' END, f.key)
                        ELSE jsonb_build_object('kind', CASE f.family WHEN 'betting' THEN 'policy_invalid' ELSE 'group_policy_invalid' END,
                                                CASE f.family WHEN 'betting' THEN 'provider_type' ELSE 'wallet_group' END, f.key,
                                                'version', chosen.version, 'errors', problems.list) END AS blocker
              FROM (SELECT 'betting' AS family, provider_type AS key FROM wallet.provider_mapping WHERE topology_version = p_version
                    UNION ALL
                    SELECT 'group', code FROM wallet.wallet_group WHERE topology_version = p_version) f
              LEFT JOIN LATERAL (
                    SELECT coalesce((SELECT n.version FROM wallet._named_policies(p_policy_versions) n
                                      WHERE n.family = f.family AND n.key = f.key),
                                    wallet._active_policy_version(f.family, f.key)) AS version) chosen ON true
              LEFT JOIN LATERAL (
                    SELECT jsonb_agg(jsonb_build_object('path', v.path, 'message', v.message)) AS list
                      FROM wallet._policy_problems(f.family, f.key, wallet._policy_document(f.family, f.key, chosen.version), p_version) v
                     WHERE chosen.version IS NOT NULL) problems ON true
             WHERE chosen.version IS NULL OR problems.list IS NOT NULL) policy_blockers;
    RETURN v_blockers;
END
$$;

-- What would block activating p_version now, without activating (runbook: preview).
-- Raises TOPOLOGY_NOT_FOUND, POLICY_NOT_FOUND.
CREATE OR REPLACE FUNCTION wallet.topology_preview(p_version integer, p_policy_versions jsonb DEFAULT '[]')
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    PERFORM wallet.topology_get(p_version);
    RETURN jsonb_build_object('version', p_version, 'blockers', wallet._topology_blockers(p_version, p_policy_versions));
END
$$;

-- Makes p_version the active topology, with the named policy versions activated in the same
-- transaction, or refuses with ACTIVATION_BLOCKED listing every blocker (audited either way).
-- Takes wallet.account in EXCLUSIVE mode for its duration: money commands (which lock their
-- account row first) wait, so none runs half under the old and half under the new version.
-- Activating the active version without policies is a no-op.
-- Raises VALIDATION_FAILED, TOPOLOGY_NOT_FOUND, POLICY_NOT_FOUND.
CREATE OR REPLACE FUNCTION wallet.topology_activate(p_version integer, p_reason text, p_policy_versions jsonb DEFAULT '[]',
                                                    p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_target wallet.topology_version;
    v_previous integer;
    v_blockers jsonb;
    v_activated jsonb := '[]';
    v_policy record;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', length(trim(p_reason)) > 0, 'reason', 'is required'));
    PERFORM wallet._config_lock();
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
    UPDATE wallet.topology_version SET status = 'ACTIVE', activated_by = wallet._actor(p_actor), activated_at = now()
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

-- ---------------------------------------------------------------------------------------------
-- Policy versions: two families, one implementation.  'betting' = wallet.betting_policy keyed
-- by provider type; 'group' = wallet.group_policy (money policy) keyed by wallet group.

CREATE OR REPLACE FUNCTION wallet._policy_table(p_family text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_family WHEN 'betting' THEN 'betting_policy' WHEN 'group' THEN 'group_policy' END
$$;

CREATE OR REPLACE FUNCTION wallet._policy_key_column(p_family text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_family WHEN 'betting' THEN 'provider_type' WHEN 'group' THEN 'wallet_group' END
$$;

CREATE OR REPLACE FUNCTION wallet._policy_problems(p_family text, p_key text, p_document jsonb, p_topology integer)
RETURNS TABLE (path text, message text)
LANGUAGE sql STABLE AS $$
    SELECT * FROM wallet.betting_policy_validate(p_key, p_document, p_topology) WHERE p_family = 'betting'
    UNION ALL
    SELECT * FROM wallet.group_policy_validate(p_key, p_document, p_topology) WHERE p_family = 'group'
$$;

CREATE OR REPLACE FUNCTION wallet._policy_exists(p_family text, p_key text, p_version integer)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM wallet.betting_policy WHERE p_family = 'betting' AND provider_type = p_key AND version = p_version)
        OR EXISTS (SELECT 1 FROM wallet.group_policy WHERE p_family = 'group' AND wallet_group = p_key AND version = p_version)
$$;

CREATE OR REPLACE FUNCTION wallet._policy_document(p_family text, p_key text, p_version integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT document FROM wallet.betting_policy WHERE p_family = 'betting' AND provider_type = p_key AND version = p_version
    UNION ALL
    SELECT document FROM wallet.group_policy WHERE p_family = 'group' AND wallet_group = p_key AND version = p_version
$$;

CREATE OR REPLACE FUNCTION wallet._active_policy_version(p_family text, p_key text)
RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT version FROM wallet.betting_policy WHERE p_family = 'betting' AND provider_type = p_key AND status = 'ACTIVE'
    UNION ALL
    SELECT version FROM wallet.group_policy WHERE p_family = 'group' AND wallet_group = p_key AND status = 'ACTIVE'
$$;

-- Stores a validated document as version p_version, with the values commands read resolved
-- into columns (defaults filled in).
CREATE OR REPLACE FUNCTION wallet._policy_insert(p_family text, p_key text, p_version integer, p_document jsonb,
                                                 p_topology integer, p_actor text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_default jsonb;
BEGIN
    IF p_family = 'betting' THEN
        v_default := wallet._default_betting_policy(p_key, p_topology);
        INSERT INTO wallet.betting_policy (provider_type, version, document, topology_version, created_by,
               funding_mode, deduction_order, max_coupons, dest_cash, dest_withdrawable, dest_bonus, dest_coupon,
               rolling_bps, rolling_min_odds, rolling_void_counts)
        VALUES (p_key, p_version, p_document, p_topology, p_actor,
               p_document->>'funding_mode',
               ARRAY(SELECT jsonb_array_elements_text(p_document->'deduction_order')),
               CASE WHEN (p_document#>>'{coupon,enabled}')::boolean IS FALSE THEN 0
                    ELSE coalesce((p_document#>>'{coupon,max_per_bet}')::integer, 1) END,
               p_document#>>'{settlement_destinations,CASH}', p_document#>>'{settlement_destinations,WITHDRAWABLE}',
               p_document#>>'{settlement_destinations,BONUS}', p_document#>>'{settlement_destinations,COUPON}',
               coalesce((p_document#>>'{rolling,contribution_bps}')::integer, (v_default#>>'{rolling,contribution_bps}')::integer),
               wallet._json_numeric(p_document#>'{rolling,min_odds}'),
               coalesce((p_document#>>'{rolling,void_counts}')::boolean, false));
    ELSE
        v_default := wallet._default_group_policy(p_key, p_topology);
        INSERT INTO wallet.group_policy (wallet_group, version, document, topology_version, created_by,
               deposit_rolling_bps, auto_complete_below, transfer_min, transfer_max, rolling_inheritance,
               arrival_rolling_bps, conversion_bucket_type)
        VALUES (p_key, p_version, p_document, p_topology, p_actor,
               coalesce((p_document->>'deposit_rolling_bps')::integer, 10000),
               coalesce((p_document->>'auto_complete_below')::bigint, 0),
               (p_document#>>'{transfer,min}')::bigint, (p_document#>>'{transfer,max}')::bigint,
               coalesce(p_document#>>'{transfer,rolling_inheritance}', 'PROPORTIONAL'),
               coalesce((p_document#>>'{transfer,arrival_rolling_bps}')::integer, 0),
               coalesce(p_document->>'bonus_conversion_bucket_type', v_default->>'bonus_conversion_bucket_type'));
    END IF;
END
$$;

-- Retires the family's active version and activates p_version; audits and emits the event.
CREATE OR REPLACE FUNCTION wallet._policy_make_active(p_family text, p_key text, p_version integer, p_actor text, p_reason text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_previous integer := wallet._active_policy_version(p_family, p_key);
    v_label text := CASE p_family WHEN 'betting' THEN 'policy' ELSE 'group_policy' END;
BEGIN
    IF v_previous = p_version THEN
        RETURN;
    END IF;
    EXECUTE format('UPDATE wallet.%I SET status = ''RETIRED'' WHERE %I = $1 AND status = ''ACTIVE''',
                   wallet._policy_table(p_family), wallet._policy_key_column(p_family)) USING p_key;
    EXECUTE format('UPDATE wallet.%I SET status = ''ACTIVE'', activated_by = $3, activated_at = now() WHERE %I = $1 AND version = $2',
                   wallet._policy_table(p_family), wallet._policy_key_column(p_family)) USING p_key, p_version, p_actor;
    PERFORM wallet._audit(p_actor, v_label || '.activate', format('%s:%s:%s', v_label, p_key, p_version), 'OK',
                          jsonb_build_object('version', v_previous), jsonb_build_object('version', p_version), p_reason);
    PERFORM wallet._emit('', v_label || '.activated', jsonb_build_object(wallet._policy_key_column(p_family), p_key,
                         'version', p_version, 'previous_version', v_previous, 'actor', p_actor));
END
$$;

CREATE OR REPLACE FUNCTION wallet._policy_create(p_family text, p_key text, p_document jsonb, p_reason text,
                                                 p_topology_version integer, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_topology integer := coalesce(p_topology_version, wallet._active_topology());
    v_label text := CASE p_family WHEN 'betting' THEN 'policy' ELSE 'group_policy' END;
    v_problems jsonb;
    v_version integer;
BEGIN
    PERFORM wallet._config_lock();
    IF NOT EXISTS (SELECT 1 FROM wallet.topology_version WHERE version = v_topology) THEN
        PERFORM wallet._fail('TOPOLOGY_NOT_FOUND', format('no topology version %s', v_topology), jsonb_build_object('version', v_topology));
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object('path', v.path, 'message', v.message)), '[]')
      INTO v_problems FROM wallet._policy_problems(p_family, p_key, p_document, v_topology) v;
    IF jsonb_array_length(v_problems) > 0 THEN
        PERFORM wallet._audit(p_actor, v_label || '.create', format('%s:%s:new', v_label, p_key), 'REFUSED', NULL, NULL, p_reason,
                              jsonb_build_object('errors', v_problems, 'document', p_document, 'topology_version', v_topology));
        RETURN wallet._refusal('POLICY_INVALID', format('the policy document has %s fault(s)', jsonb_array_length(v_problems)),
                               jsonb_build_object('errors', v_problems));
    END IF;
    EXECUTE format('SELECT coalesce(max(version), 0) + 1 FROM wallet.%I WHERE %I = $1',
                   wallet._policy_table(p_family), wallet._policy_key_column(p_family)) INTO v_version USING p_key;
    PERFORM wallet._policy_insert(p_family, p_key, v_version, p_document, v_topology, p_actor);
    PERFORM wallet._audit(p_actor, v_label || '.create', format('%s:%s:%s', v_label, p_key, v_version), 'OK', NULL,
                          jsonb_build_object('version', v_version, 'status', 'DRAFT', 'topology_version', v_topology,
                                             'document', p_document), p_reason);
    RETURN jsonb_build_object(wallet._policy_key_column(p_family), p_key, 'version', v_version, 'status', 'DRAFT',
                              'topology_version', v_topology);
END
$$;

CREATE OR REPLACE FUNCTION wallet._policy_activate(p_family text, p_key text, p_version integer, p_reason text, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_label text := CASE p_family WHEN 'betting' THEN 'policy' ELSE 'group_policy' END;
    v_problems jsonb;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', length(trim(p_reason)) > 0, 'reason', 'is required'));
    PERFORM wallet._config_lock();
    IF NOT wallet._policy_exists(p_family, p_key, p_version) THEN
        PERFORM wallet._fail('POLICY_NOT_FOUND', format('no %s %s version %s', v_label, p_key, p_version),
                             jsonb_build_object('key', p_key, 'version', p_version));
    END IF;
    IF wallet._active_policy_version(p_family, p_key) IS DISTINCT FROM p_version THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('path', v.path, 'message', v.message)), '[]')
          INTO v_problems
          FROM wallet._policy_problems(p_family, p_key, wallet._policy_document(p_family, p_key, p_version), wallet._active_topology()) v;
        IF jsonb_array_length(v_problems) > 0 THEN
            PERFORM wallet._audit(p_actor, v_label || '.activate', format('%s:%s:%s', v_label, p_key, p_version), 'REFUSED',
                                  NULL, NULL, p_reason, jsonb_build_object('errors', v_problems, 'topology_version', wallet._active_topology()));
            RETURN wallet._refusal('POLICY_INVALID',
                format('%s %s version %s is not valid under the active topology %s', v_label, p_key, p_version, wallet._active_topology()),
                jsonb_build_object('errors', v_problems));
        END IF;
        PERFORM wallet._policy_make_active(p_family, p_key, p_version, p_actor, p_reason);
    END IF;
    RETURN jsonb_build_object(wallet._policy_key_column(p_family), p_key, 'version', p_version, 'status', 'ACTIVE');
END
$$;

CREATE OR REPLACE FUNCTION wallet._policy_list(p_family text, p_key text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('policies', coalesce(jsonb_agg(p ORDER BY p->>wallet._policy_key_column(p_family), (p->>'version')::integer), '[]'))
      FROM (SELECT jsonb_build_object('provider_type', provider_type, 'version', version, 'status', status, 'document', document,
                                      'topology_version', topology_version, 'created_by', created_by, 'created_at', created_at,
                                      'activated_by', activated_by, 'activated_at', activated_at) AS p
              FROM wallet.betting_policy WHERE p_family = 'betting' AND (p_key IS NULL OR provider_type = p_key)
            UNION ALL
            SELECT jsonb_build_object('wallet_group', wallet_group, 'version', version, 'status', status, 'document', document,
                                      'topology_version', topology_version, 'created_by', created_by, 'created_at', created_at,
                                      'activated_by', activated_by, 'activated_at', activated_at)
              FROM wallet.group_policy WHERE p_family = 'group' AND (p_key IS NULL OR wallet_group = p_key)) versions
$$;

-- Stores a betting policy for a provider type as its next DRAFT version, validated against
-- p_topology_version (default: the active one); an invalid one is refused with POLICY_INVALID
-- listing every fault.  Audited either way.  Raises TOPOLOGY_NOT_FOUND.
CREATE OR REPLACE FUNCTION wallet.policy_create(p_provider_type text, p_document jsonb, p_reason text DEFAULT NULL,
                                                p_topology_version integer DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_create('betting', p_provider_type, p_document, p_reason, p_topology_version, wallet._actor(p_actor))
$$;

-- Betting policy versions (of one provider type, or all), with their documents.
CREATE OR REPLACE FUNCTION wallet.policy_list(p_provider_type text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_list('betting', p_provider_type)
$$;

-- Activates a betting policy version (re-validated against the active topology; refused with
-- POLICY_INVALID otherwise, audited either way).  Raises POLICY_NOT_FOUND, VALIDATION_FAILED.
CREATE OR REPLACE FUNCTION wallet.policy_activate(p_provider_type text, p_version integer, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_activate('betting', p_provider_type, p_version, p_reason, wallet._actor(p_actor))
$$;

-- Stores a money policy for a wallet group as its next DRAFT version, as policy_create does.
CREATE OR REPLACE FUNCTION wallet.group_policy_create(p_wallet_group text, p_document jsonb, p_reason text DEFAULT NULL,
                                                      p_topology_version integer DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_create('group', p_wallet_group, p_document, p_reason, p_topology_version, wallet._actor(p_actor))
$$;

-- Money policy versions (of one wallet group, or all), with their documents.
CREATE OR REPLACE FUNCTION wallet.group_policy_list(p_wallet_group text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_list('group', p_wallet_group)
$$;

-- Activates a money policy version (re-validated against the active topology; refused with
-- POLICY_INVALID otherwise, audited either way).  Raises POLICY_NOT_FOUND, VALIDATION_FAILED.
CREATE OR REPLACE FUNCTION wallet.group_policy_activate(p_wallet_group text, p_version integer, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_activate('group', p_wallet_group, p_version, p_reason, wallet._actor(p_actor))
$$;

-- ---------------------------------------------------------------------------------------------
-- The audit log, newest first; p_before is the `next` of the previous page.
CREATE OR REPLACE FUNCTION wallet.audit_log_read(p_limit integer DEFAULT 50, p_before bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_entries jsonb;
    v_count integer;
    v_last bigint;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 500, 'limit', 'must be between 1 and 500'));
    SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.audit_id DESC), '[]'), count(*), min(a.audit_id)
      INTO v_entries, v_count, v_last
      FROM (SELECT audit_id, at, actor, action, target, outcome, before, after, reason, detail
              FROM wallet.audit_log WHERE audit_id < coalesce(p_before, 9223372036854775807)
             ORDER BY audit_id DESC LIMIT p_limit) a;
    RETURN jsonb_build_object('entries', v_entries, 'next', CASE WHEN v_count = p_limit THEN v_last END);
END
$$;

