-- Policy versions (API.md "Admin"; the same functions serve DBAs in psql): draft → active →
-- retired, immutable, audited (refused attempts too: refusals are returned as data, see
-- wallet._refusal).  Two families, one implementation: 'betting' = wallet.betting_policy keyed
-- by provider type; 'group' = wallet.group_policy (money policy) keyed by wallet group.
-- Every create and activate takes wallet._config_lock, so configuration changes serialize.

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

-- Every fault of a policy document of either family, as a problem list.
CREATE OR REPLACE FUNCTION wallet._policy_problems(p_family text, p_key text, p_document jsonb, p_topology integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE p_family WHEN 'betting' THEN wallet._betting_policy_problems(p_key, p_document, p_topology)
                         ELSE wallet._group_policy_problems(p_key, p_document, p_topology) END
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
    v_order text[];
    v_min_odds numeric;
BEGIN
    IF p_family = 'betting' THEN
        v_default := wallet._default_betting_policy(p_key, p_topology);
        -- Computed first: Citus refuses a subquery inside INSERT … VALUES (docs/scaling.md C10), and
        -- evaluates every branch of an expression it sends (min_odds JSON null cast to numeric).
        v_order := ARRAY(SELECT jsonb_array_elements_text(p_document->'deduction_order'));
        v_min_odds := wallet._json_numeric(p_document#>'{rolling,min_odds}');
        INSERT INTO wallet.betting_policy (provider_type, version, document, topology_version, created_by,
               funding_mode, deduction_order, max_coupons, dest_cash, dest_withdrawable, dest_bonus, dest_coupon,
               rolling_bps, rolling_min_odds, rolling_void_counts)
        VALUES (p_key, p_version, p_document, p_topology, p_actor,
               p_document->>'funding_mode',
               v_order,
               CASE WHEN (p_document#>>'{coupon,enabled}')::boolean IS FALSE THEN 0
                    ELSE coalesce((p_document#>>'{coupon,max_per_bet}')::integer, 1) END,
               p_document#>>'{settlement_destinations,CASH}', p_document#>>'{settlement_destinations,WITHDRAWABLE}',
               p_document#>>'{settlement_destinations,BONUS}', p_document#>>'{settlement_destinations,COUPON}',
               coalesce((p_document#>>'{rolling,contribution_bps}')::integer, (v_default#>>'{rolling,contribution_bps}')::integer),
               v_min_odds,
               coalesce((p_document#>>'{rolling,void_counts}')::boolean, false));
    ELSE
        v_default := wallet._default_group_policy(p_key, p_topology);
        INSERT INTO wallet.group_policy (wallet_group, version, document, topology_version, created_by,
               deposit_rolling_bps, auto_complete_below, transfer_min, transfer_max, rolling_inheritance,
               arrival_rolling_bps, conversion_bucket_type, promo_payout_bucket_type, promo_payout_rolling_multiplier)
        VALUES (p_key, p_version, p_document, p_topology, p_actor,
               coalesce((p_document->>'deposit_rolling_bps')::integer, 10000),
               coalesce((p_document->>'auto_complete_below')::bigint, 0),
               (p_document#>>'{transfer,min}')::bigint, (p_document#>>'{transfer,max}')::bigint,
               coalesce(p_document#>>'{transfer,rolling_inheritance}', 'PROPORTIONAL'),
               coalesce((p_document#>>'{transfer,arrival_rolling_bps}')::integer, 0),
               coalesce(p_document->>'bonus_conversion_bucket_type', v_default->>'bonus_conversion_bucket_type'),
               -- NULL: the group's first BONUS bucket (else its first CASH one), resolved when a payout arrives
               p_document#>>'{promo_payout,bucket_type}',
               coalesce((p_document#>>'{promo_payout,rolling_multiplier}')::integer, 0));
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
    v_problems := wallet._policy_problems(p_family, p_key, p_document, v_topology);
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
    PERFORM wallet._raise_invalid(wallet._check_reason('[]', p_reason));
    PERFORM wallet._config_lock();
    IF NOT wallet._policy_exists(p_family, p_key, p_version) THEN
        PERFORM wallet._fail('POLICY_NOT_FOUND', format('no %s %s version %s', v_label, p_key, p_version),
                             jsonb_build_object('key', p_key, 'version', p_version));
    END IF;
    IF wallet._active_policy_version(p_family, p_key) IS DISTINCT FROM p_version THEN
        v_problems := wallet._policy_problems(p_family, p_key, wallet._policy_document(p_family, p_key, p_version),
                                              wallet._active_topology());
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
-- Locks: the configuration lock.  Raises: TOPOLOGY_NOT_FOUND.  Writes: wallet.betting_policy, audit log.
-- Answers (HTTP): ruby_wallet.routes.config.PolicyDraft.
CREATE OR REPLACE FUNCTION admin.policy_create(p_provider_type text, p_document jsonb, p_reason text DEFAULT NULL,
                                                p_topology_version integer DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN wallet._policy_create('betting', p_provider_type, p_document, p_reason, p_topology_version, wallet._actor(p_actor));
END
$$;

-- Betting policy versions (of one provider type, or all), with their documents.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.config.PolicyList.
CREATE OR REPLACE FUNCTION admin.policy_list(p_provider_type text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_list('betting', p_provider_type)
$$;

-- Activates a betting policy version (re-validated against the active topology; refused with
-- POLICY_INVALID otherwise, audited either way).  Raises POLICY_NOT_FOUND, VALIDATION_FAILED.
-- Locks: the configuration lock.  Raises: POLICY_NOT_FOUND, VALIDATION_FAILED.  Writes: wallet.betting_policy, audit log, outbox policy.activated.
-- Answers (HTTP): ruby_wallet.routes.config.PolicyActivated.
CREATE OR REPLACE FUNCTION admin.policy_activate(p_provider_type text, p_version integer, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN wallet._policy_activate('betting', p_provider_type, p_version, p_reason, wallet._actor(p_actor));
END
$$;

-- Stores a money policy for a wallet group as its next DRAFT version, as policy_create does.
-- Locks: the configuration lock.  Raises: TOPOLOGY_NOT_FOUND.  Writes: wallet.group_policy, audit log.
-- Answers (HTTP): ruby_wallet.routes.config.GroupPolicyDraft.
CREATE OR REPLACE FUNCTION admin.group_policy_create(p_wallet_group text, p_document jsonb, p_reason text DEFAULT NULL,
                                                      p_topology_version integer DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN wallet._policy_create('group', p_wallet_group, p_document, p_reason, p_topology_version, wallet._actor(p_actor));
END
$$;

-- Money policy versions (of one wallet group, or all), with their documents.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.config.GroupPolicyList.
CREATE OR REPLACE FUNCTION admin.group_policy_list(p_wallet_group text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._policy_list('group', p_wallet_group)
$$;

-- Activates a money policy version (re-validated against the active topology; refused with
-- POLICY_INVALID otherwise, audited either way).  Raises POLICY_NOT_FOUND, VALIDATION_FAILED.
-- Locks: the configuration lock.  Raises: POLICY_NOT_FOUND, VALIDATION_FAILED.  Writes: wallet.group_policy, audit log, outbox group_policy.activated.
-- Answers (HTTP): ruby_wallet.routes.config.GroupPolicyActivated.
CREATE OR REPLACE FUNCTION admin.group_policy_activate(p_wallet_group text, p_version integer, p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    RETURN wallet._policy_activate('group', p_wallet_group, p_version, p_reason, wallet._actor(p_actor));
END
$$;
