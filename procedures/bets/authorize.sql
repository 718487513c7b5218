-- Bet authorization (SPEC §4, §5): hold the stake from the sources the policy chooses and store
-- the snapshot that settlement and rollback use.

-- The validated request parts every bet command shares.
CREATE OR REPLACE FUNCTION wallet._bet_key_problems(p_bet_id text, p_player_id text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check_key(wallet._check_key('[]', p_bet_id, 'bet_id'), p_player_id, 'player_id')
$$;

-- Every source this account could fund a bet of p_provider_type from, for ops.funding_plan:
-- the buckets of the group and the shared ones (bettable = eligible), then the ACTIVE coupons in
-- the order they are used (earliest expiry, then oldest grant), each flagged eligible when it is
-- usable (wallet._coupon_usable), lists the provider type, and the odds and stake are within its
-- restrictions.  Expired ACTIVE coupons are listed as not eligible, so a refusal can say why.
CREATE OR REPLACE FUNCTION wallet._bet_sources_available(p_account_id text, p_topology integer, p_group text,
                                                         p_provider_type text, p_stake bigint, p_odds numeric)
RETURNS wallet.fund_available[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT ARRAY(
        SELECT (bt.code, bt.kind, coalesce(b.balance, 0), bt.bettable)::wallet.fund_available
          FROM wallet.bucket_type bt
          LEFT JOIN wallet.bucket b ON b.account_id = p_account_id AND b.bucket_type = bt.code
         WHERE bt.topology_version = p_topology AND (bt.wallet_group = p_group OR bt.wallet_group IS NULL)
         ORDER BY bt.position)
    || ARRAY(
        SELECT ('coupon:' || c.coupon_id, 'COUPON', c.remaining,
                -- A bet without odds cannot meet a coupon's min_odds: unknown is not eligible.
                coalesce(wallet._coupon_usable(c)
                         AND p_provider_type = ANY (c.provider_types)
                         AND (c.min_odds IS NULL OR p_odds >= c.min_odds)
                         AND (c.max_stake IS NULL OR p_stake <= c.max_stake), false))::wallet.fund_available
          FROM wallet.coupon c
         WHERE c.account_id = p_account_id AND c.status = 'ACTIVE'
         ORDER BY c.expires_at NULLS LAST, c.granted_at, c.coupon_id));
END
$$;

-- Authorizes a bet: resolves the active topology and the provider type's active betting
-- policy server-side, takes the stake from the sources ops.funding_plan chooses (callers may
-- pass selected_source only when the policy is PLAYER_SELECTED), moves it to the HOLD pocket,
-- and stores the sources with the snapshot (topology version, group, policy version and its
-- resolved destinations and rolling values) that settlement and rollback will use.
-- Idempotent on p_bet_id; a bet id tombstoned by an earlier rollback is BET_ALREADY_ROLLED_BACK.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED, UNKNOWN_PROVIDER_TYPE,
-- UNKNOWN_BUCKET_TYPE, NOT_BETTABLE, SOURCE_REQUIRED, SOURCE_NOT_ALLOWED, COUPON_NOT_ELIGIBLE,
-- INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT, BET_ALREADY_ROLLED_BACK.
-- Locks: the account.  Raises: see above.  Writes: ledger BET_STAKE, the buckets and coupons it takes from, wallet.bet and its sources, the idempotency record, outbox bet.authorized.
-- Answers (HTTP): ruby_wallet.routes.bets.BetAuthorized.
CREATE OR REPLACE FUNCTION game.bet_authorize(p_bet_id text, p_player_id text, p_provider_type text, p_provider_id text,
                                                p_stake bigint, p_odds numeric DEFAULT NULL, p_selected_source text DEFAULT NULL,
                                                p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := wallet._bet_key_problems(p_bet_id, p_player_id);
    v_request jsonb;
    v_account wallet.account;
    v_response jsonb;
    v_topology integer;
    v_group text;
    v_policy wallet.betting_policy;
    v_plan wallet.fund_source[];
    v_postings wallet.posting[] := '{}'::wallet.posting[];
    v_line wallet.fund_source;
    v_seq integer := 0;
    v_coupon wallet.coupon;
    v_destination text;
    v_txn_id bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_provider_id, 'provider_id');
    v_errors := wallet._check_amount(v_errors, p_stake, 'stake');
    v_errors := wallet._check(v_errors, p_odds IS NULL OR p_odds >= 1, 'odds', 'must be at least 1');
    v_errors := wallet._check(v_errors, p_provider_type ~ '^[A-Z][A-Z0-9_]{0,31}$', 'provider_type', 'must be a provider type code');
    PERFORM wallet._raise_invalid(v_errors);

    v_account := wallet._lock_account(p_player_id);
    v_request := jsonb_build_object('provider_type', p_provider_type, 'provider_id', p_provider_id, 'stake', p_stake,
                                    'odds', trim_scale(p_odds), 'selected_source', p_selected_source);
    v_response := wallet._idem_replay(v_account.account_id, 'bet_authorize', p_bet_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
    END IF;
    IF EXISTS (SELECT 1 FROM wallet.bet WHERE account_id = v_account.account_id AND bet_id = p_bet_id) THEN
        PERFORM wallet._fail('BET_ALREADY_ROLLED_BACK', format('bet %s was rolled back before it arrived', p_bet_id),
                             jsonb_build_object('bet_id', p_bet_id));
    END IF;
    PERFORM wallet._require_open(v_account);

    v_topology := wallet._active_topology();
    v_group := wallet._group_of(v_topology, p_provider_type);
    IF v_group IS NULL THEN
        PERFORM wallet._fail('UNKNOWN_PROVIDER_TYPE', format('provider type %s is not mapped in topology %s', p_provider_type, v_topology),
            jsonb_build_object('errors', wallet._problem('provider_type', format('unknown provider type %s', p_provider_type))));
    END IF;
    SELECT * INTO v_policy FROM wallet.betting_policy WHERE provider_type = p_provider_type AND status = 'ACTIVE';
    IF NOT FOUND THEN
        PERFORM wallet._fail('NOT_BETTABLE', format('no active betting policy for %s', p_provider_type),
                             jsonb_build_object('provider_type', p_provider_type));
    END IF;
    IF p_selected_source IS NOT NULL AND p_selected_source NOT LIKE 'coupon:%' THEN
        PERFORM wallet._active_bucket_type(p_selected_source, 'selected_source');
    END IF;

    v_plan := wallet._funding_plan(p_stake, v_policy.funding_mode, v_policy.deduction_order, v_policy.max_coupons,
                                  p_selected_source,
                                  wallet._bet_sources_available(v_account.account_id, v_topology, v_group, p_provider_type, p_stake, p_odds));

    v_txn_id := nextval('wallet.ledger_txn_id_seq');
    INSERT INTO wallet.bet (account_id, bet_id, status, provider_type, provider_id, stake, odds, selected_source,
                            topology_version, wallet_group, policy_version, rolling_bps, rolling_min_odds,
                            rolling_void_counts, authorized_at, authorize_txn_id)
    VALUES (v_account.account_id, p_bet_id, 'AUTHORIZED', p_provider_type, p_provider_id, p_stake, p_odds, p_selected_source,
            v_topology, v_group, v_policy.version, v_policy.rolling_bps, v_policy.rolling_min_odds,
            v_policy.rolling_void_counts, now(), v_txn_id);

    FOREACH v_line IN ARRAY v_plan LOOP
        v_seq := v_seq + 1;
        IF v_line.kind = 'COUPON' THEN
            SELECT * INTO v_coupon FROM wallet.coupon
             WHERE account_id = v_account.account_id AND coupon_id = substr(v_line.source, 8);
            v_destination := coalesce(v_coupon.winnings_bucket_type, v_policy.dest_coupon);
            INSERT INTO wallet.bet_source (account_id, bet_id, seq, kind, coupon_id, amount, destination, stake_returned)
            VALUES (v_account.account_id, p_bet_id, v_seq, 'COUPON', v_coupon.coupon_id, v_line.amount, v_destination,
                    v_coupon.stake_returned);
            v_postings := v_postings || wallet._coupon(v_coupon.coupon_id, -v_line.amount);
        ELSE
            v_destination := CASE v_line.kind WHEN 'CASH' THEN v_policy.dest_cash WHEN 'WITHDRAWABLE' THEN v_policy.dest_withdrawable
                                              WHEN 'BONUS' THEN v_policy.dest_bonus END;
            INSERT INTO wallet.bet_source (account_id, bet_id, seq, kind, bucket_type, amount, destination, stake_returned)
            VALUES (v_account.account_id, p_bet_id, v_seq, v_line.kind, v_line.source, v_line.amount, v_destination, true);
            v_postings := v_postings || wallet._bucket(v_line.source, -v_line.amount);
        END IF;
    END LOOP;
    PERFORM wallet._post(v_account.account_id, 'BET_STAKE', 'bet:' || p_bet_id, v_actor,
                         v_postings || wallet._pocket('HOLD', p_stake), v_topology, v_txn_id);

    v_response := jsonb_build_object(
        'bet_id', p_bet_id, 'status', 'AUTHORIZED', 'stake', p_stake,
        'funding', (SELECT jsonb_agg(jsonb_build_object('source', l.source, 'amount', l.amount) ORDER BY n)
                      FROM unnest(v_plan) WITH ORDINALITY l(source, kind, amount, n)),
        'topology_version', v_topology, 'policy_version', v_policy.version);
    PERFORM wallet._emit(v_account.account_id, 'bet.authorized', v_response || jsonb_build_object(
        'player_id', p_player_id, 'provider_type', p_provider_type, 'provider_id', p_provider_id, 'odds', p_odds,
        'wallet_group', v_group, 'policy', jsonb_build_object('provider_type', p_provider_type, 'version', v_policy.version)));
    RETURN wallet._idem_store(v_account.account_id, 'bet_authorize', p_bet_id, v_request, v_response);
END
$$;
