-- Policy validation (SPEC §4): every fault of a betting or money policy document at once, each
-- with a path, against the topology version it is bound to.  Test matrix:
-- tests/sql/pgtap/14_policy_validate.sql.

-- Every fault of a betting policy document for p_provider_type under topology p_topology.
CREATE OR REPLACE FUNCTION wallet._betting_policy_problems(p_provider_type text, p_document jsonb, p_topology integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_problems jsonb := '[]'::jsonb;
    v_group text;
    v_coupons boolean := true;   -- NULL when the coupon section is itself invalid
    v_seen text[] := '{}'::text[];
    v_funding jsonb := '{}'::jsonb;      -- source kind -> first bucket code funding it
    v_item text;
    v_type wallet.bucket_type;
    v_kind text;
    v_obj jsonb;
BEGIN
    IF jsonb_typeof(p_document) IS DISTINCT FROM 'object' THEN
        RETURN wallet._problem('', 'must be a JSON object');
    END IF;
    v_problems := wallet._unknown_fields(p_document,
        ARRAY['funding_mode', 'deduction_order', 'coupon', 'settlement_destinations', 'rolling'], '', 'a betting policy');

    IF NOT EXISTS (SELECT 1 FROM wallet.provider_type WHERE code = p_provider_type) THEN
        v_problems := v_problems || wallet._problem('provider_type', format('unknown provider type %s', p_provider_type));
    ELSE
        v_group := wallet._group_of(p_topology, p_provider_type);
        IF v_group IS NULL THEN
            v_problems := v_problems || wallet._problem('provider_type',
                format('provider type %s is mapped to no wallet group in topology %s', p_provider_type, p_topology));
        END IF;
    END IF;

    IF p_document->>'funding_mode' IS NULL OR p_document->>'funding_mode' NOT IN ('AUTO', 'PLAYER_SELECTED') THEN
        v_problems := v_problems || wallet._problem('funding_mode', 'must be AUTO or PLAYER_SELECTED');
    END IF;

    v_obj := p_document->'coupon';
    IF v_obj IS NOT NULL AND jsonb_typeof(v_obj) <> 'object' THEN
        v_problems := v_problems || wallet._problem('coupon', 'must be an object');
        v_coupons := NULL;
    ELSIF v_obj IS NOT NULL THEN
        v_problems := v_problems || wallet._unknown_fields(v_obj, ARRAY['enabled', 'max_per_bet'], 'coupon.', 'coupon');
        IF v_obj ? 'enabled' AND jsonb_typeof(v_obj->'enabled') <> 'boolean' THEN
            v_problems := v_problems || wallet._problem('coupon.enabled', 'must be true or false');
            v_coupons := NULL;
        ELSIF v_obj ? 'enabled' THEN
            v_coupons := (v_obj->>'enabled')::boolean;
        END IF;
        IF v_obj ? 'max_per_bet' AND NOT coalesce(wallet._json_int(v_obj->'max_per_bet') BETWEEN 1 AND 10, false) THEN
            v_problems := v_problems || wallet._problem('coupon.max_per_bet', 'must be an integer from 1 to 10');
        END IF;
    END IF;

    IF jsonb_typeof(p_document->'deduction_order') IS DISTINCT FROM 'array' OR jsonb_array_length(p_document->'deduction_order') = 0 THEN
        v_problems := v_problems || wallet._problem('deduction_order', 'is required: a non-empty array of COUPON and bucket type codes');
    ELSE
        FOR v_i IN 0 .. jsonb_array_length(p_document->'deduction_order') - 1 LOOP
            v_item := p_document->'deduction_order'->>v_i;
            IF jsonb_typeof(p_document->'deduction_order'->v_i) <> 'string' THEN
                v_problems := v_problems || wallet._problem(format('deduction_order[%s]', v_i), 'must be a string');
            ELSIF v_item = ANY (v_seen) THEN
                v_problems := v_problems || wallet._problem(format('deduction_order[%s]', v_i), format('%s is listed twice', v_item));
            ELSIF v_item = 'COUPON' THEN
                v_seen := v_seen || v_item;
                IF v_coupons IS FALSE THEN
                    v_problems := v_problems || wallet._problem(format('deduction_order[%s]', v_i), 'COUPON is listed but coupons are disabled');
                ELSE
                    v_funding := v_funding || jsonb_build_object('COUPON', 'coupons');
                END IF;
            ELSE
                v_seen := v_seen || v_item;
                v_type := wallet._bucket_type_of(p_topology, v_item);
                IF v_type.code IS NULL THEN
                    v_problems := v_problems || wallet._problem(format('deduction_order[%s]', v_i), format('unknown bucket type %s', v_item));
                ELSIF v_group IS NOT NULL AND v_type.wallet_group IS NOT NULL AND v_type.wallet_group <> v_group THEN
                    v_problems := v_problems || wallet._problem(format('deduction_order[%s]', v_i),
                        format('bucket type %s belongs to group %s, not %s', v_item, v_type.wallet_group, v_group));
                ELSIF NOT v_type.bettable THEN
                    v_problems := v_problems || wallet._problem(format('deduction_order[%s]', v_i), format('bucket type %s is not bettable', v_item));
                ELSIF NOT v_funding ? v_type.kind THEN
                    v_funding := v_funding || jsonb_build_object(v_type.kind, v_item);
                END IF;
            END IF;
        END LOOP;
    END IF;

    v_obj := p_document->'settlement_destinations';
    IF jsonb_typeof(v_obj) IS DISTINCT FROM 'object' THEN
        v_problems := v_problems || wallet._problem('settlement_destinations', 'is required: an object of source kind -> bucket type');
    ELSE
        FOR v_kind IN SELECT k FROM jsonb_object_keys(v_obj) k WHERE k NOT IN ('CASH', 'WITHDRAWABLE', 'BONUS', 'COUPON') ORDER BY k LOOP
            v_problems := v_problems || wallet._problem('settlement_destinations.' || v_kind,
                                                        'is not a source kind (CASH, WITHDRAWABLE, BONUS, COUPON)');
        END LOOP;
        FOREACH v_kind IN ARRAY ARRAY['CASH', 'WITHDRAWABLE', 'BONUS', 'COUPON'] LOOP
            IF NOT v_obj ? v_kind THEN
                IF v_funding ? v_kind THEN
                    v_problems := v_problems || wallet._problem('settlement_destinations.' || v_kind,
                                                                format('is required: %s funds bets', v_funding->>v_kind));
                END IF;
                CONTINUE;
            END IF;
            v_type := wallet._bucket_type_of(p_topology, v_obj->>v_kind);
            IF jsonb_typeof(v_obj->v_kind) <> 'string' THEN
                v_problems := v_problems || wallet._problem('settlement_destinations.' || v_kind,
                                                            'must be a bucket type code (a string)');
            ELSIF v_type.code IS NULL THEN
                v_problems := v_problems || wallet._problem('settlement_destinations.' || v_kind,
                                                            format('unknown bucket type %s', v_obj->>v_kind));
            ELSIF v_group IS NOT NULL AND v_type.wallet_group IS NOT NULL AND v_type.wallet_group <> v_group THEN
                v_problems := v_problems || wallet._problem('settlement_destinations.' || v_kind,
                    format('bucket type %s belongs to group %s, not %s', v_type.code, v_type.wallet_group, v_group));
            ELSIF NOT v_type.accepts_winnings THEN
                v_problems := v_problems || wallet._problem('settlement_destinations.' || v_kind,
                                                            format('bucket type %s does not accept winnings', v_type.code));
            END IF;
        END LOOP;
    END IF;

    v_obj := p_document->'rolling';
    IF v_obj IS NOT NULL AND jsonb_typeof(v_obj) <> 'object' THEN
        v_problems := v_problems || wallet._problem('rolling', 'must be an object');
    ELSIF v_obj IS NOT NULL THEN
        v_problems := v_problems || wallet._unknown_fields(v_obj, ARRAY['contribution_bps', 'min_odds', 'void_counts'], 'rolling.', 'rolling');
        IF v_obj ? 'contribution_bps' AND NOT coalesce(wallet._json_int(v_obj->'contribution_bps') BETWEEN 0 AND 10000, false) THEN
            v_problems := v_problems || wallet._problem('rolling.contribution_bps', 'must be an integer from 0 to 10000');
        END IF;
        IF v_obj ? 'min_odds' AND jsonb_typeof(v_obj->'min_odds') <> 'null' AND NOT coalesce(wallet._json_numeric(v_obj->'min_odds') >= 1, false) THEN
            v_problems := v_problems || wallet._problem('rolling.min_odds', 'must be a number of at least 1');
        END IF;
        IF v_obj ? 'void_counts' AND jsonb_typeof(v_obj->'void_counts') <> 'boolean' THEN
            v_problems := v_problems || wallet._problem('rolling.void_counts', 'must be true or false');
        END IF;
    END IF;

    RETURN v_problems;
END
$$;

-- Every fault of a money policy document for p_wallet_group under topology p_topology.
-- Every field is optional (defaults of wallet._default_group_policy).
CREATE OR REPLACE FUNCTION wallet._group_policy_problems(p_wallet_group text, p_document jsonb, p_topology integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_problems jsonb := '[]'::jsonb;
    v_known boolean;
    v_obj jsonb;
    v_min bigint;
    v_max bigint;
    v_type wallet.bucket_type;
BEGIN
    IF jsonb_typeof(p_document) IS DISTINCT FROM 'object' THEN
        RETURN wallet._problem('', 'must be a JSON object');
    END IF;
    v_problems := wallet._unknown_fields(p_document,
        ARRAY['deposit_rolling_bps', 'auto_complete_below', 'transfer', 'bonus_conversion_bucket_type', 'promo_payout'], '',
        'a money policy');
    v_known := EXISTS (SELECT 1 FROM wallet.wallet_group WHERE topology_version = p_topology AND code = p_wallet_group);
    IF NOT v_known THEN
        v_problems := v_problems || wallet._problem('wallet_group', format('unknown wallet group %s in topology %s', p_wallet_group, p_topology));
    END IF;
    IF p_document ? 'deposit_rolling_bps' AND NOT coalesce(wallet._json_int(p_document->'deposit_rolling_bps') BETWEEN 0 AND 1000000, false) THEN
        v_problems := v_problems || wallet._problem('deposit_rolling_bps', 'must be an integer from 0 to 1000000');
    END IF;
    IF p_document ? 'auto_complete_below' AND NOT coalesce(wallet._json_int(p_document->'auto_complete_below') >= 0, false) THEN
        v_problems := v_problems || wallet._problem('auto_complete_below', 'must be a non-negative integer');
    END IF;

    v_obj := p_document->'transfer';
    IF v_obj IS NOT NULL AND jsonb_typeof(v_obj) <> 'object' THEN
        v_problems := v_problems || wallet._problem('transfer', 'must be an object');
    ELSIF v_obj IS NOT NULL THEN
        v_problems := v_problems || wallet._unknown_fields(v_obj, ARRAY['min', 'max', 'rolling_inheritance', 'arrival_rolling_bps'],
                                                           'transfer.', 'transfer');
        IF v_obj ? 'min' AND jsonb_typeof(v_obj->'min') <> 'null' THEN
            v_min := wallet._json_int(v_obj->'min');
            IF v_min IS NULL OR v_min <= 0 THEN
                v_problems := v_problems || wallet._problem('transfer.min', 'must be a positive integer or null');
                v_min := NULL;
            END IF;
        END IF;
        IF v_obj ? 'max' AND jsonb_typeof(v_obj->'max') <> 'null' THEN
            v_max := wallet._json_int(v_obj->'max');
            IF v_max IS NULL OR v_max <= 0 THEN
                v_problems := v_problems || wallet._problem('transfer.max', 'must be a positive integer or null');
            ELSIF v_max < v_min THEN
                v_problems := v_problems || wallet._problem('transfer.max', format('must be at least min (%s)', v_min));
            END IF;
        END IF;
        IF v_obj ? 'rolling_inheritance' AND coalesce(v_obj->>'rolling_inheritance', '') NOT IN ('PROPORTIONAL', 'NONE') THEN
            v_problems := v_problems || wallet._problem('transfer.rolling_inheritance', 'must be PROPORTIONAL or NONE');
        END IF;
        IF v_obj ? 'arrival_rolling_bps' AND NOT coalesce(wallet._json_int(v_obj->'arrival_rolling_bps') BETWEEN 0 AND 1000000, false) THEN
            v_problems := v_problems || wallet._problem('transfer.arrival_rolling_bps', 'must be an integer from 0 to 1000000');
        END IF;
    END IF;

    IF v_known AND p_document ? 'bonus_conversion_bucket_type' THEN
        v_type := wallet._bucket_type_of(p_topology, p_document->>'bonus_conversion_bucket_type');
        IF v_type.code IS NULL OR v_type.kind NOT IN ('CASH', 'WITHDRAWABLE')
           OR v_type.wallet_group IS DISTINCT FROM p_wallet_group AND v_type.wallet_group IS NOT NULL THEN
            v_problems := v_problems || wallet._problem('bonus_conversion_bucket_type',
                format('must be a CASH or WITHDRAWABLE bucket type of group %s or shared', p_wallet_group));
        END IF;
    END IF;

    -- Where a casino promotion payout (PROMODEPOSIT) goes, and its rolling multiplier.
    v_obj := p_document->'promo_payout';
    IF v_obj IS NOT NULL AND jsonb_typeof(v_obj) <> 'object' THEN
        v_problems := v_problems || wallet._problem('promo_payout', 'must be an object');
    ELSIF v_obj IS NOT NULL THEN
        v_problems := v_problems || wallet._unknown_fields(v_obj, ARRAY['bucket_type', 'rolling_multiplier'], 'promo_payout.', 'promo_payout');
        IF v_known AND v_obj ? 'bucket_type' THEN
            v_type := wallet._bucket_type_of(p_topology, v_obj->>'bucket_type');
            IF v_type.code IS NULL OR v_type.kind NOT IN ('BONUS', 'CASH', 'WITHDRAWABLE')
               OR v_type.wallet_group IS DISTINCT FROM p_wallet_group AND v_type.wallet_group IS NOT NULL THEN
                v_problems := v_problems || wallet._problem('promo_payout.bucket_type',
                    format('must be a BONUS, CASH or WITHDRAWABLE bucket type of group %s or shared', p_wallet_group));
            END IF;
        END IF;
        IF v_obj ? 'rolling_multiplier' AND NOT coalesce(wallet._json_int(v_obj->'rolling_multiplier') BETWEEN 0 AND 1000, false) THEN
            v_problems := v_problems || wallet._problem('promo_payout.rolling_multiplier', 'must be an integer from 0 to 1000');
        END IF;
    END IF;

    RETURN v_problems;
END
$$;

-- Every fault of a betting policy document for p_provider_type under topology p_topology, as rows (path, message) in document order; no rows: valid.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION admin.betting_policy_validate(p_provider_type text, p_document jsonb, p_topology integer)
RETURNS TABLE (path text, message text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT * FROM wallet._problem_rows(wallet._betting_policy_problems(p_provider_type, p_document, p_topology))
$$;

-- Every fault of a money policy document for p_wallet_group under topology p_topology, as rows (path, message) in document order; no rows: valid.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION admin.group_policy_validate(p_wallet_group text, p_document jsonb, p_topology integer)
RETURNS TABLE (path text, message text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT * FROM wallet._problem_rows(wallet._group_policy_problems(p_wallet_group, p_document, p_topology))
$$;
