-- Coupon grants (scope promotion, SPEC §1, §5) and their saga compensation.

-- The answer of a coupon's grant, built from its record (the first answer and every replay).
CREATE OR REPLACE FUNCTION wallet._coupon_granted_answer(c wallet.coupon)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('coupon_id', c.coupon_id, 'remaining', c.amount, 'status', 'ACTIVE', 'rolling_id', c.rolling_id)
$$;

-- Grants a coupon: a scoped grant of its own (restrictions and remaining amount), funded from
-- the account's PROMOTION pocket; with a rolling multiplier it opens a BONUS obligation in the
-- wallet group of its first provider type (required = amount × multiplier).
-- p_stake_returned false makes it a free bet (a win pays payout − stake).  Idempotent on
-- p_coupon_id.  Locks the account.  Writes ledger COUPON_GRANT, outbox coupon.granted.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED, UNKNOWN_PROVIDER_TYPE,
-- UNKNOWN_BUCKET_TYPE, IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger COUPON_GRANT, wallet.coupon (the record), the resource directory, its BONUS rolling obligation, outbox coupon.granted.
-- Answers (HTTP): ruby_wallet.routes.promotions.CouponGranted.
CREATE OR REPLACE FUNCTION promotion.coupon_grant(p_coupon_id text, p_player_id text, p_amount bigint, p_provider_types text[],
                                               p_min_odds numeric DEFAULT NULL, p_max_stake bigint DEFAULT NULL,
                                               p_expires_at timestamptz DEFAULT NULL, p_stake_returned boolean DEFAULT false,
                                               p_winnings_bucket_type text DEFAULT NULL, p_rolling_multiplier integer DEFAULT 0,
                                               p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := '[]'::jsonb;
    v_account wallet.account;
    v_ctx record;
    v_ctx_account wallet.account;
    v_seen wallet.coupon;
    v_response jsonb;
    v_topology integer;
    v_group text;
    v_type wallet.bucket_type;
    v_provider text;
    v_rolling_id bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_coupon_id, 'coupon_id');
    v_errors := wallet._check_amount(v_errors, p_amount, 'amount');
    v_errors := wallet._check(v_errors, cardinality(p_provider_types) > 0, 'provider_types', 'must list at least one provider type');
    v_errors := wallet._check(v_errors, p_min_odds IS NULL OR p_min_odds >= 1, 'min_odds', 'must be at least 1');
    v_errors := wallet._check(v_errors, p_max_stake IS NULL OR p_max_stake >= 1, 'max_stake', 'must be at least 1');
    v_errors := wallet._check(v_errors, p_expires_at IS NULL OR p_expires_at > now(), 'expires_at', 'must be in the future');
    v_errors := wallet._check(v_errors, coalesce(p_rolling_multiplier, 0) BETWEEN 0 AND 1000, 'rolling_multiplier', 'must be an integer from 0 to 1000');
    PERFORM wallet._raise_invalid(v_errors);

    -- The lock first, in a statement of its own: what the command reads next is read after
    -- it, so it sees every command on this player that committed while this one waited.
    v_ctx_account := wallet._lock_account(p_player_id);
    SELECT v_ctx_account AS account, c AS seen
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.coupon c ON c.account_id = p_player_id AND c.coupon_id = p_coupon_id;
    v_account := v_ctx.account;
    v_seen := v_ctx.seen;
    IF v_seen.coupon_id IS NOT NULL THEN
        -- The coupon row is the record: the same grant answers what granting it answered.
        IF (v_seen.amount, v_seen.provider_types, v_seen.min_odds, v_seen.max_stake, v_seen.expires_at, v_seen.stake_returned,
            v_seen.winnings_bucket_type, v_seen.rolling_multiplier)
           IS NOT DISTINCT FROM (p_amount, p_provider_types, p_min_odds, p_max_stake, p_expires_at, coalesce(p_stake_returned, false),
                                 p_winnings_bucket_type, coalesce(p_rolling_multiplier, 0)) THEN
            RETURN wallet._coupon_granted_answer(v_seen);
        END IF;
        PERFORM wallet._idempotency_conflict('coupon_grant', p_coupon_id);
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);

    v_topology := wallet._active_topology();
    FOREACH v_provider IN ARRAY p_provider_types LOOP
        IF wallet._group_of(v_topology, v_provider) IS NULL THEN
            PERFORM wallet._fail('UNKNOWN_PROVIDER_TYPE', format('provider type %s is not mapped in topology %s', v_provider, v_topology),
                jsonb_build_object('errors', wallet._problem('provider_types', format('unknown provider type %s', v_provider))));
        END IF;
    END LOOP;
    v_group := wallet._group_of(v_topology, p_provider_types[1]);
    IF p_winnings_bucket_type IS NOT NULL THEN
        v_type := wallet._active_bucket_type(p_winnings_bucket_type, 'winnings_bucket_type');
        IF NOT v_type.accepts_winnings THEN
            PERFORM wallet._raise_invalid(wallet._problem('winnings_bucket_type', format('%s does not accept winnings', p_winnings_bucket_type)));
        END IF;
    END IF;
    PERFORM wallet._claim_resource('COUPON', p_coupon_id, v_account.account_id);

    INSERT INTO wallet.coupon (account_id, coupon_id, amount, remaining, provider_types, wallet_group, min_odds, max_stake,
                               expires_at, stake_returned, winnings_bucket_type, rolling_multiplier, topology_version, granted_by)
    VALUES (v_account.account_id, p_coupon_id, p_amount, 0, p_provider_types, v_group, p_min_odds, p_max_stake,
            p_expires_at, coalesce(p_stake_returned, false), p_winnings_bucket_type, coalesce(p_rolling_multiplier, 0),
            v_topology, v_actor);
    PERFORM wallet._post(v_account.account_id, 'COUPON_GRANT', 'coupon:' || p_coupon_id, v_actor,
                         ARRAY[wallet._coupon(p_coupon_id, p_amount), wallet._pocket('PROMOTION', -p_amount)], v_topology);
    v_rolling_id := wallet._rolling_open(v_account.account_id, v_group, 'BONUS', p_amount, p_amount * coalesce(p_rolling_multiplier, 0),
                                         coalesce(wallet._first_bucket(v_topology, v_group, 'BONUS'), wallet._first_bucket(v_topology, v_group, 'CASH')),
                                         p_provider_types[1], 'coupon', p_coupon_id,
                                         jsonb_build_object('rolling_multiplier', p_rolling_multiplier));
    UPDATE wallet.coupon SET rolling_id = v_rolling_id WHERE account_id = v_account.account_id AND coupon_id = p_coupon_id;

    SELECT * INTO v_seen FROM wallet.coupon WHERE account_id = v_account.account_id AND coupon_id = p_coupon_id;
    v_response := wallet._coupon_granted_answer(v_seen);
    PERFORM wallet._emit(v_account.account_id, 'coupon.granted', v_response || jsonb_build_object(
        'player_id', p_player_id, 'amount', p_amount, 'provider_types', p_provider_types, 'min_odds', trim_scale(p_min_odds),
        'max_stake', p_max_stake, 'expires_at', p_expires_at, 'stake_returned', coalesce(p_stake_returned, false),
        'winnings_bucket_type', p_winnings_bucket_type, 'rolling_multiplier', coalesce(p_rolling_multiplier, 0),
        'wallet_group', v_group, 'topology_version', v_topology));
    RETURN v_response;
END
$$;

-- Saga compensation of a coupon grant: the grant becomes REVERSED with remaining 0 (what
-- remained goes back to PROMOTION); reports what was consumed (an expired coupon's expired
-- amount went back to PROMOTION at its expiry, and is not consumption).  Open bets it funded settle
-- normally; a later rollback of such a bet returns the coupon money to PROMOTION.  Its rolling
-- obligation is cancelled (nothing forfeited: the reversal took back what it could).  Never
-- fails half-way.  Reversing a REVERSED coupon returns the first reversal.  Idempotent on
-- p_reversal_id.  Raises COUPON_NOT_FOUND, VALIDATION_FAILED, IDEMPOTENCY_CONFLICT.
-- Locks: the coupon's account.  Raises: see above.  Writes: ledger COUPON_REVERSAL, the coupon (the reversal's record), its rolling obligation, a repeat key for a second reversal, outbox coupon.reversed.
-- Answers (HTTP): ruby_wallet.routes.promotions.CouponReversed.
CREATE OR REPLACE FUNCTION promotion.coupon_reverse(p_coupon_id text, p_reversal_id text, p_reason text DEFAULT NULL,
                                                 p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_account wallet.account;
    v_keyed text;
    v_response jsonb;
    v_coupon wallet.coupon;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_key('[]', p_reversal_id, 'reversal_id'));
    v_account := wallet._lock_owner('COUPON', p_coupon_id, 'COUPON_NOT_FOUND');
    SELECT c.coupon_id INTO v_keyed FROM wallet.coupon c WHERE c.account_id = v_account.account_id AND c.reversal_id = p_reversal_id;
    IF v_keyed IS NULL THEN
        SELECT r.target INTO v_keyed FROM wallet.repeat_key r
         WHERE r.account_id = v_account.account_id AND r.command = 'coupon_reverse' AND r.key = p_reversal_id;
    END IF;
    SELECT * INTO v_coupon FROM wallet.coupon WHERE account_id = v_account.account_id AND coupon_id = p_coupon_id;
    IF v_keyed IS NOT NULL THEN
        IF v_keyed = p_coupon_id THEN
            RETURN v_coupon.reversal_result;
        END IF;
        PERFORM wallet._idempotency_conflict('coupon_reverse', p_reversal_id);
    END IF;
    IF v_coupon.status = 'REVERSED' THEN
        -- Reversed before, under another id: the first answer, and this id remembered.
        PERFORM wallet._repeat_key(v_account.account_id, 'coupon_reverse', p_reversal_id, p_coupon_id);
        RETURN v_coupon.reversal_result;
    END IF;

    PERFORM wallet._post(v_account.account_id, 'COUPON_REVERSAL', 'coupon:' || p_coupon_id, v_actor,
                         ARRAY[wallet._coupon(p_coupon_id, -v_coupon.remaining), wallet._pocket('PROMOTION', v_coupon.remaining)],
                         wallet._active_topology());
    PERFORM wallet._rolling_cancel_with(v_account.account_id, v_coupon.rolling_id, v_actor);
    v_response := jsonb_build_object('coupon_id', p_coupon_id, 'reversed', v_coupon.remaining,
                                     'consumed', v_coupon.amount - v_coupon.remaining - v_coupon.expired, 'status', 'REVERSED');
    UPDATE wallet.coupon SET status = 'REVERSED', reversal_result = v_response, reversal_id = p_reversal_id, reversed_at = now()
     WHERE account_id = v_account.account_id AND coupon_id = p_coupon_id;
    PERFORM wallet._emit(v_account.account_id, 'coupon.reversed', v_response || jsonb_build_object(
        'player_id', v_account.account_id, 'reversal_id', p_reversal_id, 'reason', p_reason,
        'wallet_group', v_coupon.wallet_group, 'topology_version', wallet._active_topology()));
    RETURN v_response;
END
$$;
