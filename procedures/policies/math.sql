-- The pure policy functions: no table is read or written (but wallet.error_code, to raise),
-- so bets, transfers and rolling compute money only through these tested tables of rules.
-- Their test matrices are tests/sql/pgtap/11_funding_plan.sql, 12_settlement_split.sql and
-- 13_rolling_math.sql.  The commands call the private implementations (_funding_plan, …)
-- directly: a SECURITY DEFINER function with SET search_path costs a settings save and restore
-- on every call.  The public faces at the end (schema ops) are for DBAs and the tests.

-- Which sources fund a stake, in order (SPEC §4).
--   p_funding_mode     AUTO: take sources in p_deduction_order until the stake is covered;
--                      PLAYER_SELECTED: exactly p_selected_source, which must cover it all.
--   p_deduction_order  COUPON and bucket type codes.  COUPON stands for the eligible coupons,
--                      in the order p_available lists them (earliest expiry, then oldest).
--   p_max_coupons      coupons one bet may use (0: none).
--   p_available        every source the account has for this bet: bettable or not, eligible
--                      or not (so a refusal can say why).
-- Returns the lines (source, kind, amount), each > 0, summing to p_stake.
-- Raises VALIDATION_FAILED, SOURCE_REQUIRED, SOURCE_NOT_ALLOWED, COUPON_NOT_ELIGIBLE,
-- NOT_BETTABLE, INSUFFICIENT_FUNDS (with `available`: what the rules would let it take).
CREATE OR REPLACE FUNCTION wallet._funding_plan(p_stake bigint, p_funding_mode text, p_deduction_order text[],
                                               p_max_coupons integer, p_selected_source text,
                                               p_available wallet.fund_available[])
RETURNS wallet.fund_source[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_plan wallet.fund_source[];
    v_left bigint := p_stake;
    v_taken numeric;
    v_coupons integer := 0;
    v_source wallet.fund_available;
BEGIN
    IF p_stake IS NULL OR p_stake <= 0 THEN
        PERFORM wallet._raise_invalid(jsonb_build_array(jsonb_build_object('path', 'stake', 'message', 'must be greater than 0')));
    END IF;

    IF p_funding_mode = 'PLAYER_SELECTED' THEN
        IF p_selected_source IS NULL THEN
            PERFORM wallet._fail('SOURCE_REQUIRED', 'this provider type''s policy needs a selected_source',
                jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('path', 'selected_source',
                    'message', 'is required: the policy''s funding mode is PLAYER_SELECTED'))));
        END IF;
        SELECT * INTO v_source FROM unnest(p_available) a WHERE a.source = p_selected_source;
        IF p_selected_source LIKE 'coupon:%' THEN
            IF p_max_coupons < 1 OR NOT 'COUPON' = ANY (p_deduction_order) THEN
                PERFORM wallet._fail('SOURCE_NOT_ALLOWED', 'coupons may not fund this provider type',
                    jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('path', 'selected_source',
                        'message', 'coupons are not in this policy''s deduction order'))));
            ELSIF v_source.source IS NULL OR NOT coalesce(v_source.eligible, false) THEN
                PERFORM wallet._fail('COUPON_NOT_ELIGIBLE', format('%s cannot fund this bet', p_selected_source),
                    jsonb_build_object('source', p_selected_source));
            END IF;
        ELSIF v_source.source IS NULL THEN
            PERFORM wallet._fail('SOURCE_NOT_ALLOWED', format('%s cannot fund this provider type', p_selected_source),
                jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('path', 'selected_source',
                    'message', format('%s is not a bucket of this provider type''s wallet group', p_selected_source)))));
        ELSIF NOT coalesce(v_source.eligible, false) THEN
            PERFORM wallet._fail('NOT_BETTABLE', format('%s is not bettable', p_selected_source),
                jsonb_build_object('source', p_selected_source));
        ELSIF NOT p_selected_source = ANY (p_deduction_order) THEN
            PERFORM wallet._fail('SOURCE_NOT_ALLOWED', format('%s is not in this policy''s deduction order', p_selected_source),
                jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('path', 'selected_source',
                    'message', format('%s is not in the deduction order', p_selected_source)))));
        END IF;
        IF v_source.available < p_stake THEN
            PERFORM wallet._fail('INSUFFICIENT_FUNDS', format('%s holds %s, the stake is %s', p_selected_source, v_source.available, p_stake),
                jsonb_build_object('source', p_selected_source, 'available', v_source.available, 'requested', p_stake));
        END IF;
        RETURN ARRAY[(v_source.source, v_source.kind, p_stake)::wallet.fund_source];
    END IF;

    IF p_funding_mode <> 'AUTO' THEN
        RAISE EXCEPTION 'ops.funding_plan: unknown funding mode %', p_funding_mode;
    END IF;
    IF p_selected_source IS NOT NULL THEN
        PERFORM wallet._fail('SOURCE_NOT_ALLOWED', 'this provider type''s policy chooses the sources itself (AUTO)',
            jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('path', 'selected_source',
                'message', 'must be null: the policy''s funding mode is AUTO'))));
    END IF;

    -- The deduction order's sources, each eligible one with money in the order it names them
    -- (COUPON: the coupons in the order p_available lists them, at most p_max_coupons), each
    -- taking what it holds of what is left of the stake, until the stake is covered.  A loop of
    -- expressions, no query: PL/pgSQL runs it without starting an executor.
    v_plan := '{}'::wallet.fund_source[];
    v_taken := 0;
    <<entries>>
    FOR i IN 1 .. coalesce(cardinality(p_deduction_order), 0) LOOP
        FOR j IN 1 .. coalesce(cardinality(p_available), 0) LOOP
            v_source := p_available[j];
            CONTINUE WHEN (v_source.eligible IS TRUE AND v_source.available > 0
                           AND CASE WHEN p_deduction_order[i] = 'COUPON' THEN v_source.kind = 'COUPON'
                                    ELSE v_source.source = p_deduction_order[i] AND v_source.kind <> 'COUPON' END) IS NOT TRUE;
            IF v_source.kind = 'COUPON' THEN
                v_coupons := v_coupons + 1;
                CONTINUE WHEN (v_coupons <= p_max_coupons) IS NOT TRUE;
            END IF;
            v_plan := v_plan || (v_source.source, v_source.kind, least(v_source.available, p_stake - v_taken))::wallet.fund_source;
            v_taken := v_taken + least(v_source.available, p_stake - v_taken);
            EXIT entries WHEN v_taken >= p_stake;
        END LOOP;
    END LOOP;
    v_left := p_stake - v_taken;

    IF v_left > 0 THEN
        PERFORM wallet._fail('INSUFFICIENT_FUNDS', format('the stake is %s, the sources allowed hold %s', p_stake, p_stake - v_left),
            jsonb_build_object('available', p_stake - v_left, 'requested', p_stake));
    END IF;
    RETURN v_plan;
END
$$;

-- A payout split across a bet's funding sources (SPEC §4): pro rata to their stake, floored,
-- the units left over one each to the largest remainders (ties: the source taken first), so
-- the shares always sum to the payout.  A source with stake_returned = false (a free-bet
-- coupon) is credited max(0, share − its stake); the rest of its share is `withheld` (it goes
-- back to the PROMOTION pocket).  Shares come back in funding order.
-- Raises VALIDATION_FAILED for a negative payout or a source without stake.
CREATE OR REPLACE FUNCTION wallet._settlement_split(p_payout bigint, p_sources wallet.settle_source[])
RETURNS wallet.settle_share[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_stake bigint;  -- the sources sum to the bet's stake, a bigint
    v_shares wallet.settle_share[];
    v_valid boolean := false;
BEGIN
    IF p_payout IS NULL OR p_payout < 0 THEN
        PERFORM wallet._raise_invalid(jsonb_build_array(jsonb_build_object('path', 'payout', 'message', 'must be 0 or more')));
    END IF;
    FOR i IN 1 .. coalesce(cardinality(p_sources), 0) LOOP
        v_valid := coalesce(p_sources[i].amount > 0, false);
        EXIT WHEN NOT v_valid;
    END LOOP;
    IF NOT v_valid THEN
        PERFORM wallet._raise_invalid(jsonb_build_array(jsonb_build_object('path', 'sources', 'message', 'every source needs a stake above 0')));
    END IF;
    IF cardinality(p_sources) = 1 THEN
        -- One source takes the whole payout: what the general split below gives it too.
        RETURN ARRAY[(p_sources[1].source, p_sources[1].destination, p_payout,
                      CASE WHEN p_sources[1].stake_returned THEN p_payout ELSE greatest(0, p_payout - p_sources[1].amount) END,
                      CASE WHEN p_sources[1].stake_returned THEN 0 ELSE least(p_payout, p_sources[1].amount) END
                     )::wallet.settle_share];
    END IF;
    SELECT sum(amount) INTO v_stake FROM unnest(p_sources);

    -- numeric for the remainder: payout × amount can exceed bigint.
    WITH exact AS (
        SELECT n, s.source, s.destination, s.amount, s.stake_returned,
               wallet._pro_rata_floor(p_payout, s.amount, v_stake) AS floored,
               mod(p_payout::numeric * s.amount, v_stake) AS remainder
          FROM unnest(p_sources) WITH ORDINALITY s(source, kind, amount, destination, stake_returned, n)
    ), ranked AS (
        SELECT e.*, row_number() OVER (ORDER BY remainder DESC, n) AS rank,
               p_payout - sum(floored) OVER () AS leftover
          FROM exact e
    ), shared AS (
        SELECT r.*, floored + CASE WHEN rank <= leftover THEN 1 ELSE 0 END AS share FROM ranked r
    )
    SELECT array_agg((source, destination, share,
                      CASE WHEN stake_returned THEN share ELSE greatest(0, share - amount) END,
                      CASE WHEN stake_returned THEN 0 ELSE least(share, amount) END)::wallet.settle_share ORDER BY n)
      INTO v_shares FROM shared;
    RETURN v_shares;
END
$$;

-- Rolling progress a settled bet of a valid result earns (SPEC §5a): floor(stake × rate /
-- 10000) for WIN, LOSS and CASHOUT; VOID only when the policy counts voids; nothing when the
-- bet's odds are below the policy's min_odds (or unknown while a min_odds applies).  An
-- expression (inlined where it is used): settlement calls it with a result it has checked.
CREATE OR REPLACE FUNCTION wallet._rolling_earned(p_result text, p_stake bigint, p_odds numeric, p_rate_bps integer,
                                                 p_min_odds numeric, p_void_counts boolean)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_result = 'VOID' AND NOT p_void_counts THEN 0
                WHEN p_min_odds IS NOT NULL AND (p_odds IS NULL OR p_odds < p_min_odds) THEN 0
                ELSE wallet._pro_rata_floor(p_stake, p_rate_bps, 10000) END
$$;

-- The same rule for any caller: refuses a result that is not one (VALIDATION_FAILED).
CREATE OR REPLACE FUNCTION wallet._rolling_contribution(p_result text, p_stake bigint, p_odds numeric, p_rate_bps integer,
                                                       p_min_odds numeric, p_void_counts boolean)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_result IS NULL OR p_result NOT IN ('WIN', 'LOSS', 'VOID', 'CASHOUT') THEN
        PERFORM wallet._raise_invalid(jsonb_build_array(jsonb_build_object('path', 'result',
            'message', 'must be WIN, LOSS, VOID or CASHOUT')));
    END IF;
    RETURN wallet._rolling_earned(p_result, p_stake, p_odds, p_rate_bps, p_min_odds, p_void_counts);
END
$$;

-- The part of a rolling obligation that moves with p_amount of a group's p_group_balance
-- (SPEC §5a, PROPORTIONAL inheritance): the base and the outstanding requirement (required −
-- progress) in proportion, each rounded up and capped at what there is.  Progress stays.
-- The arithmetic alone, for a caller that knows 0 <= p_amount <= p_group_balance (a transfer:
-- the amount is within the source bucket, which is part of the group's balance); SQL, so a
-- statement over many obligations computes it in the expression (no call a row).
-- Locks: nothing.  Raises: nothing.  Writes: nothing (pure).
CREATE OR REPLACE FUNCTION wallet._rolling_moved_share(p_amount bigint, p_group_balance bigint, p_base bigint,
                                                       p_required bigint, p_progress bigint)
RETURNS wallet.rolling_share
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_amount = 0 OR p_group_balance = 0 THEN (0, 0)::wallet.rolling_share
                ELSE (least(p_base, wallet._pro_rata_ceil(p_base, p_amount, p_group_balance)),
                      least(greatest(p_required - p_progress, 0),
                            wallet._pro_rata_ceil(greatest(p_required - p_progress, 0), p_amount, p_group_balance))
                     )::wallet.rolling_share END
$$;

-- The same share for any caller (wallet._rolling_moved_share), p_amount checked first.
-- Locks: nothing.  Raises: VALIDATION_FAILED when p_amount is negative or exceeds p_group_balance.
-- Writes: nothing (pure).
CREATE OR REPLACE FUNCTION wallet._rolling_inheritance(p_amount bigint, p_group_balance bigint, p_base bigint,
                                                      p_required bigint, p_progress bigint)
RETURNS wallet.rolling_share
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_amount < 0 OR p_amount > p_group_balance THEN
        PERFORM wallet._raise_invalid(jsonb_build_array(jsonb_build_object('path', 'amount',
            'message', format('must be between 0 and the group''s balance %s', p_group_balance))));
    END IF;
    RETURN wallet._rolling_moved_share(p_amount, p_group_balance, p_base, p_required, p_progress);
END
$$;

-- The public faces of the pure functions (same arguments, same results), each with its contract.
-- Which sources fund a stake, in order, or the precise refusal (see _funding_plan above).
-- Locks: nothing.  Raises: as wallet._funding_plan.  Writes: nothing (pure).
CREATE OR REPLACE FUNCTION ops.funding_plan(p_stake bigint, p_funding_mode text, p_deduction_order text[],
                                               p_max_coupons integer, p_selected_source text,
                                               p_available wallet.fund_available[])
RETURNS wallet.fund_source[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._funding_plan(p_stake, p_funding_mode, p_deduction_order, p_max_coupons, p_selected_source, p_available)
$$;

-- A payout split over a bet's sources: pro rata, largest remainder, free bets withheld (see _settlement_split).
-- Locks: nothing.  Raises: VALIDATION_FAILED.  Writes: nothing (pure).
CREATE OR REPLACE FUNCTION ops.settlement_split(p_payout bigint, p_sources wallet.settle_source[])
RETURNS wallet.settle_share[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._settlement_split(p_payout, p_sources)
$$;

-- Rolling progress a settled bet earns (see _rolling_contribution).
-- Locks: nothing.  Raises: VALIDATION_FAILED.  Writes: nothing (pure).
CREATE OR REPLACE FUNCTION ops.rolling_contribution(p_result text, p_stake bigint, p_odds numeric, p_rate_bps integer,
                                                       p_min_odds numeric, p_void_counts boolean)
RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._rolling_contribution(p_result, p_stake, p_odds, p_rate_bps, p_min_odds, p_void_counts)
$$;

-- The part of a rolling obligation that moves with transferred money (see _rolling_inheritance).
-- Locks: nothing.  Raises: VALIDATION_FAILED.  Writes: nothing (pure).
CREATE OR REPLACE FUNCTION ops.rolling_inheritance(p_amount bigint, p_group_balance bigint, p_base bigint,
                                                      p_required bigint, p_progress bigint)
RETURNS wallet.rolling_share
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT wallet._rolling_inheritance(p_amount, p_group_balance, p_base, p_required, p_progress)
$$;
