-- Topology validation (SPEC §3): every fault of a document at once, each with a path.
-- Test matrix: tests/sql/pgtap/10_topology_validate.sql.

-- Every fault of a topology document, in document order; no rows: valid.
CREATE OR REPLACE FUNCTION wallet._topology_problems(p_document jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_problems jsonb := '[]'::jsonb;
    v_code_shape constant text := '^[A-Z][A-Z0-9_]{0,63}$';
    v_groups text[] := '{}'::text[];          -- valid, distinct group codes
    v_group_first boolean[] := '{}'::boolean[];  -- per group index: is it the first (valid) occurrence
    v_mapped jsonb := '{}'::jsonb;           -- provider type -> group
    v_buckets jsonb := '{}'::jsonb;          -- bucket code -> {kind, group}
    v_withdrawable text;
    v_edges text[] := '{}'::text[];
    v_item jsonb;
    v_p text;
    v_code text;
    v_flag text;
    v_min bigint;
    v_max bigint;
BEGIN
    IF jsonb_typeof(p_document) IS DISTINCT FROM 'object' THEN
        RETURN wallet._problem('', 'must be a JSON object');
    END IF;
    IF jsonb_typeof(p_document->'wallet_groups') IS DISTINCT FROM 'array' OR jsonb_array_length(p_document->'wallet_groups') = 0 THEN
        v_problems := v_problems || wallet._problem('wallet_groups', 'is required: a non-empty array');
    END IF;
    IF jsonb_typeof(p_document->'bucket_types') IS DISTINCT FROM 'array' OR jsonb_array_length(p_document->'bucket_types') = 0 THEN
        v_problems := v_problems || wallet._problem('bucket_types', 'is required: a non-empty array');
    END IF;
    IF p_document ? 'transfer_edges' AND jsonb_typeof(p_document->'transfer_edges') IS DISTINCT FROM 'array' THEN
        v_problems := v_problems || wallet._problem('transfer_edges', 'must be an array');
    END IF;
    v_problems := v_problems || wallet._unknown_fields(p_document, ARRAY['wallet_groups', 'bucket_types', 'transfer_edges'], '', 'a topology');
    IF jsonb_array_length(v_problems) > 0 THEN
        RETURN v_problems;
    END IF;

    -- Wallet groups and the provider types they fund.
    FOR v_i IN 0 .. jsonb_array_length(p_document->'wallet_groups') - 1 LOOP
        v_item := p_document->'wallet_groups'->v_i;
        v_p := format('wallet_groups[%s]', v_i);
        v_group_first := v_group_first || false;
        IF jsonb_typeof(v_item) <> 'object' THEN
            v_problems := v_problems || wallet._problem(v_p, 'must be an object');
            CONTINUE;
        END IF;
        v_problems := v_problems || wallet._unknown_fields(v_item, ARRAY['code', 'provider_types'], v_p || '.', 'a wallet group');
        v_code := v_item->>'code';
        IF jsonb_typeof(v_item->'code') IS DISTINCT FROM 'string' OR v_code !~ v_code_shape THEN
            v_problems := v_problems || wallet._problem(v_p || '.code', 'must be 1-64 capital letters, digits or _, starting with a letter');
        ELSIF v_code = ANY (v_groups) THEN
            v_problems := v_problems || wallet._problem(v_p || '.code', format('duplicate wallet group %s', v_code));
        ELSE
            v_groups := v_groups || v_code;
            v_group_first[v_i + 1] := true;
        END IF;
        IF jsonb_typeof(v_item->'provider_types') IS DISTINCT FROM 'array' THEN
            v_problems := v_problems || wallet._problem(v_p || '.provider_types', 'must be an array of provider types');
            CONTINUE;
        END IF;
        FOR v_j IN 0 .. jsonb_array_length(v_item->'provider_types') - 1 LOOP
            v_flag := v_item->'provider_types'->>v_j;
            IF jsonb_typeof(v_item->'provider_types'->v_j) <> 'string' THEN
                v_problems := v_problems || wallet._problem(format('%s.provider_types[%s]', v_p, v_j),
                                                            'must be a provider type code (a string)');
            ELSIF NOT EXISTS (SELECT 1 FROM wallet.provider_type WHERE code = v_flag) THEN
                v_problems := v_problems || wallet._problem(format('%s.provider_types[%s]', v_p, v_j),
                                                            format('unknown provider type %s', v_flag));
            ELSIF v_mapped ? v_flag THEN
                v_problems := v_problems || wallet._problem(format('%s.provider_types[%s]', v_p, v_j),
                                                            format('provider type %s is mapped to group %s already', v_flag, v_mapped->>v_flag));
            ELSE
                v_mapped := v_mapped || jsonb_build_object(v_flag, v_code);
            END IF;
        END LOOP;
    END LOOP;
    FOR v_flag IN SELECT code FROM wallet.provider_type ORDER BY code LOOP
        IF NOT v_mapped ? v_flag THEN
            v_problems := v_problems || wallet._problem('wallet_groups', format('provider type %s is mapped to no wallet group', v_flag));
        END IF;
    END LOOP;

    -- Bucket types.
    FOR v_i IN 0 .. jsonb_array_length(p_document->'bucket_types') - 1 LOOP
        v_item := p_document->'bucket_types'->v_i;
        v_p := format('bucket_types[%s]', v_i);
        IF jsonb_typeof(v_item) <> 'object' THEN
            v_problems := v_problems || wallet._problem(v_p, 'must be an object');
            CONTINUE;
        END IF;
        v_problems := v_problems || wallet._unknown_fields(v_item,
            ARRAY['code', 'kind', 'group', 'bettable', 'withdrawable', 'accepts_deposit', 'accepts_winnings'], v_p || '.', 'a bucket type');
        v_code := v_item->>'code';
        IF jsonb_typeof(v_item->'code') IS DISTINCT FROM 'string' OR v_code !~ v_code_shape THEN
            v_problems := v_problems || wallet._problem(v_p || '.code', 'must be 1-64 capital letters, digits or _, starting with a letter');
            v_code := NULL;
        ELSIF v_buckets ? v_code THEN
            v_problems := v_problems || wallet._problem(v_p || '.code', format('duplicate bucket type %s', v_code));
            v_code := NULL;
        END IF;
        IF v_item->>'kind' IS NULL OR v_item->>'kind' NOT IN ('CASH', 'BONUS', 'POINTS', 'WITHDRAWABLE') THEN
            v_problems := v_problems || wallet._problem(v_p || '.kind',
                format('unknown kind %s (one of CASH, BONUS, POINTS, WITHDRAWABLE)', coalesce(v_item->>'kind', 'null')));
        END IF;
        IF jsonb_typeof(v_item->'group') = 'string' AND NOT (v_item->>'group') = ANY (v_groups) THEN
            v_problems := v_problems || wallet._problem(v_p || '.group', format('unknown wallet group %s', v_item->>'group'));
        ELSIF v_item ? 'group' AND jsonb_typeof(v_item->'group') NOT IN ('string', 'null') THEN
            v_problems := v_problems || wallet._problem(v_p || '.group', 'must be a wallet group code or null');
        END IF;
        FOREACH v_flag IN ARRAY ARRAY['bettable', 'withdrawable', 'accepts_deposit', 'accepts_winnings'] LOOP
            IF v_item ? v_flag AND jsonb_typeof(v_item->v_flag) <> 'boolean' THEN
                v_problems := v_problems || wallet._problem(v_p || '.' || v_flag, 'must be true or false');
            END IF;
        END LOOP;
        IF v_item->>'kind' = 'WITHDRAWABLE' THEN
            IF v_item->>'group' IS NOT NULL THEN
                v_problems := v_problems || wallet._problem(v_p || '.group', 'the WITHDRAWABLE bucket type is shared: its group must be null');
            END IF;
            IF v_withdrawable IS NOT NULL THEN
                v_problems := v_problems || wallet._problem(v_p || '.kind', 'a topology has at most one WITHDRAWABLE bucket type');
            END IF;
            v_withdrawable := coalesce(v_withdrawable, v_code, '?');
        END IF;
        IF v_code IS NOT NULL THEN
            v_buckets := v_buckets || jsonb_build_object(v_code, jsonb_build_object('kind', v_item->>'kind', 'group', v_item->>'group'));
        END IF;
    END LOOP;

    -- Every group has money to bet and to deposit into.
    FOR v_i IN 0 .. jsonb_array_length(p_document->'wallet_groups') - 1 LOOP
        CONTINUE WHEN NOT v_group_first[v_i + 1];
        v_code := p_document->'wallet_groups'->v_i->>'code';
        IF NOT EXISTS (SELECT 1 FROM jsonb_each(v_buckets) b WHERE b.value->>'kind' = 'CASH' AND b.value->>'group' = v_code) THEN
            v_problems := v_problems || wallet._problem(format('wallet_groups[%s]', v_i), format('group %s has no CASH bucket type', v_code));
        END IF;
    END LOOP;

    -- Transfer edges.
    FOR v_i IN 0 .. coalesce(jsonb_array_length(p_document->'transfer_edges'), 0) - 1 LOOP
        v_item := p_document->'transfer_edges'->v_i;
        v_p := format('transfer_edges[%s]', v_i);
        IF jsonb_typeof(v_item) <> 'object' THEN
            v_problems := v_problems || wallet._problem(v_p, 'must be an object');
            CONTINUE;
        END IF;
        v_problems := v_problems || wallet._unknown_fields(v_item, ARRAY['from', 'to', 'rate', 'min', 'max'], v_p || '.', 'a transfer edge');
        FOREACH v_flag IN ARRAY ARRAY['from', 'to'] LOOP
            IF v_item ? v_flag AND jsonb_typeof(v_item->v_flag) <> 'string' THEN
                v_problems := v_problems || wallet._problem(v_p || '.' || v_flag, 'must be a bucket type code (a string)');
            ELSIF NOT coalesce(v_buckets ? (v_item->>v_flag), false) THEN
                v_problems := v_problems || wallet._problem(v_p || '.' || v_flag, format('unknown bucket type %s', coalesce(v_item->>v_flag, 'null')));
            END IF;
        END LOOP;
        IF v_item->>'from' = v_item->>'to' THEN
            v_problems := v_problems || wallet._problem(v_p, 'an edge cannot lead from a bucket type to itself');
        END IF;
        -- coalesce: a rate element that is not a JSON integer (["100", 1], [1, null]) reads as NULL,
        -- and NULL must refuse the rate, not skip the check.
        IF v_item ? 'rate' AND NOT coalesce(jsonb_typeof(v_item->'rate') = 'array' AND jsonb_array_length(v_item->'rate') = 2
                                            AND wallet._json_int(v_item->'rate'->0) > 0 AND wallet._json_int(v_item->'rate'->1) > 0, false) THEN
            v_problems := v_problems || wallet._problem(v_p || '.rate', 'must be [from_units, to_units], two positive integers');
        END IF;
        v_min := NULL;
        v_max := NULL;
        IF jsonb_typeof(v_item->'min') IS DISTINCT FROM 'null' AND v_item ? 'min' THEN
            v_min := wallet._json_int(v_item->'min');
            IF v_min IS NULL OR v_min <= 0 THEN
                v_problems := v_problems || wallet._problem(v_p || '.min', 'must be a positive integer');
                v_min := NULL;
            END IF;
        END IF;
        IF jsonb_typeof(v_item->'max') IS DISTINCT FROM 'null' AND v_item ? 'max' THEN
            v_max := wallet._json_int(v_item->'max');
            IF v_max IS NULL OR v_max <= 0 THEN
                v_problems := v_problems || wallet._problem(v_p || '.max', 'must be a positive integer');
            ELSIF v_max < v_min THEN
                v_problems := v_problems || wallet._problem(v_p || '.max', format('must be at least min (%s)', v_min));
            END IF;
        END IF;
        IF (v_item->>'from') || ' -> ' || (v_item->>'to') = ANY (v_edges) THEN
            v_problems := v_problems || wallet._problem(v_p, format('duplicate edge %s -> %s', v_item->>'from', v_item->>'to'));
        ELSE
            v_edges := v_edges || ((v_item->>'from') || ' -> ' || (v_item->>'to'));
        END IF;
    END LOOP;

    RETURN v_problems;
END
$$;

-- Every fault of a topology document, as rows (path, message) in document order; no rows: valid.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION admin.topology_validate(p_document jsonb)
RETURNS TABLE (path text, message text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT * FROM wallet._problem_rows(wallet._topology_problems(p_document))
$$;
