-- What activating a topology version would strand or break (SPEC §3 activation blockers):
-- money in dropped or reshaped bucket types, live records referencing what is dropped, and
-- provider types or groups left without a valid active policy.

-- The policy versions an activation names: [{"provider_type", "version"} | {"wallet_group", "version"}]
-- as rows (family, key, version).  Raises VALIDATION_FAILED (malformed) and POLICY_NOT_FOUND.
CREATE OR REPLACE FUNCTION wallet._named_policies(p_policy_versions jsonb)
RETURNS TABLE (family text, key text, version integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_item jsonb;
    v_i integer := 0;
    v_errors jsonb := '[]'::jsonb;
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

-- Live records a topology version would strand (SPEC §3 activation blockers): open bets,
-- active coupons, active rolling obligations and pending withdrawals that reference a bucket
-- type or wallet group the version does not have.  Called by wallet._topology_blockers.
-- PL/pgSQL, not SQL: Citus cannot plan a SQL function's parameters over distributed tables (C11).
CREATE OR REPLACE FUNCTION wallet._live_record_blockers(p_version integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (WITH new_types AS (SELECT code FROM wallet.bucket_type WHERE topology_version = p_version),
         new_groups AS (SELECT code FROM wallet.wallet_group WHERE topology_version = p_version),
    stranded AS (
        SELECT 'open_bets' AS kind, b.account_id, b.bet_id AS record
          FROM wallet.bet b
         WHERE b.status = 'AUTHORIZED'
           AND (b.wallet_group NOT IN (SELECT code FROM new_groups)
                OR EXISTS (SELECT 1 FROM wallet.bet_source s
                            WHERE s.account_id = b.account_id AND s.bet_id = b.bet_id
                              AND (s.bucket_type NOT IN (SELECT code FROM new_types)
                                   OR s.destination NOT IN (SELECT code FROM new_types))))
        UNION ALL
        SELECT 'active_coupons', c.account_id, c.coupon_id
          FROM wallet.coupon c
         WHERE wallet._coupon_holds_money(c.status, c.expires_at, c.remaining)
           AND (c.wallet_group NOT IN (SELECT code FROM new_groups)
                OR c.winnings_bucket_type NOT IN (SELECT code FROM new_types))
        UNION ALL
        SELECT 'active_rolling', r.account_id, r.rolling_id::text
          FROM wallet.rolling_obligation r
         WHERE r.status = 'ACTIVE'
           AND (r.wallet_group NOT IN (SELECT code FROM new_groups) OR r.source_bucket_type NOT IN (SELECT code FROM new_types))
        UNION ALL
        SELECT 'pending_withdrawals', w.account_id, w.withdrawal_id
          FROM wallet.withdrawal w
         WHERE w.status = 'PENDING'
           AND EXISTS (SELECT 1 FROM wallet.withdrawal_source s
                        WHERE s.account_id = w.account_id AND s.withdrawal_id = w.withdrawal_id
                          AND s.bucket_type NOT IN (SELECT code FROM new_types))
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'count', records, 'accounts', accounts,
                                                 'sample_players', sample, 'sample_records', sample_records) ORDER BY kind), '[]')
      FROM (SELECT kind, count(*) AS records, count(DISTINCT s.account_id) AS accounts,
                   (array_agg(DISTINCT s.account_id ORDER BY s.account_id))[1:5] AS sample,
                   (array_agg(s.record ORDER BY s.record))[1:5] AS sample_records
              FROM stranded s
             GROUP BY kind) per_kind);
END
$$;

-- Everything that activating p_version (with the named policies activated alongside) would
-- strand or break, as a JSON array; empty when activation is safe.
CREATE OR REPLACE FUNCTION wallet._topology_blockers(p_version integer, p_policy_versions jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_active integer := wallet._active_topology();
    v_blockers jsonb := '[]'::jsonb;
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
                    SELECT nullif(wallet._policy_problems(f.family, f.key, wallet._policy_document(f.family, f.key, chosen.version),
                                                          p_version), '[]'::jsonb) AS list
                     WHERE chosen.version IS NOT NULL) problems ON true
             WHERE chosen.version IS NULL OR problems.list IS NOT NULL) policy_blockers;
    RETURN v_blockers;
END
$$;
