-- Bets: authorize (hold the stake from the sources the policy chooses, store the snapshot),
-- settle (split the payout by the snapshot, progress rolling), roll back (restore the sources
-- exactly).  SPEC §4, §5, §5a.

-- The validated request parts every bet command shares.
CREATE OR REPLACE FUNCTION wallet._bet_key_problems(p_bet_id text, p_player_id text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check_key(wallet._check_key('[]', p_bet_id, 'bet_id'), p_player_id, 'player_id')
$$;

-- Every source this account could fund a bet of p_provider_type from, for wallet.funding_plan:
-- the buckets of the group and the shared ones (bettable = eligible), then the ACTIVE coupons in
-- the order they are used (earliest expiry, then oldest grant), each flagged eligible when it is
-- unexpired, lists the provider type, and the odds and stake are within its restrictions.
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
                coalesce((c.expires_at IS NULL OR c.expires_at > now())
                         AND p_provider_type = ANY (c.provider_types)
                         AND (c.min_odds IS NULL OR p_odds >= c.min_odds)
                         AND (c.max_stake IS NULL OR p_stake <= c.max_stake), false))::wallet.fund_available
          FROM wallet.coupon c
         WHERE c.account_id = p_account_id AND c.status = 'ACTIVE'
         ORDER BY c.expires_at NULLS LAST, c.granted_at, c.coupon_id));
END
$$;

-- Authorizes a bet: resolves the active topology and the provider type's active betting
-- policy server-side, takes the stake from the sources wallet.funding_plan chooses (callers may
-- pass selected_source only when the policy is PLAYER_SELECTED), moves it to the HOLD pocket,
-- and stores the sources with the snapshot (topology version, group, policy version and its
-- resolved destinations and rolling values) that settlement and rollback will use.
-- Idempotent on p_bet_id; a bet id tombstoned by an earlier rollback is BET_ALREADY_ROLLED_BACK.
-- Locks the account.  Writes ledger BET_STAKE, outbox bet.authorized.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED, UNKNOWN_PROVIDER_TYPE,
-- UNKNOWN_BUCKET_TYPE, NOT_BETTABLE, SOURCE_REQUIRED, SOURCE_NOT_ALLOWED, COUPON_NOT_ELIGIBLE,
-- INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT, BET_ALREADY_ROLLED_BACK.
CREATE OR REPLACE FUNCTION wallet.bet_authorize(p_bet_id text, p_player_id text, p_provider_type text, p_provider_id text,
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
    v_postings wallet.posting[] := '{}';
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

-- The postings that put a bet's stake back where it came from (VOID, rollback): each bucket
-- and coupon gets its amount back, except a coupon reversed since, whose share goes to the
-- PROMOTION pocket (SPEC §5 coupon reversal).  The HOLD side is the caller's.
CREATE OR REPLACE FUNCTION wallet._bet_restore_postings(p_account_id text, p_bet_id text)
RETURNS wallet.posting[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(CASE WHEN s.bucket_type IS NOT NULL THEN wallet._bucket(s.bucket_type, s.amount)
                                   WHEN c.status = 'REVERSED' THEN wallet._pocket('PROMOTION', s.amount)
                                   ELSE wallet._coupon(s.coupon_id, s.amount) END ORDER BY s.seq), '{}')
      FROM wallet.bet_source s
      LEFT JOIN wallet.coupon c ON c.account_id = s.account_id AND c.coupon_id = s.coupon_id
     WHERE s.account_id = p_account_id AND s.bet_id = p_bet_id);
END
$$;

-- [{source, amount}] of a bet's funding, as the API writes sources.
CREATE OR REPLACE FUNCTION wallet._bet_funding(p_account_id text, p_bet_id text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('source', coalesce(bucket_type, 'coupon:' || coupon_id), 'amount', amount)
                              ORDER BY seq), '[]')
      FROM wallet.bet_source WHERE account_id = p_account_id AND bet_id = p_bet_id);
END
$$;

-- Settles an authorized bet (SPEC §4 settlement arithmetic, §5a rolling): WIN and CASHOUT pay
-- p_payout (gross, stake included) split over the funding sources by wallet.settlement_split
-- to the destinations stored at authorization; LOSS pays nothing; VOID restores the sources
-- exactly.  Then rolling progress from the bet's snapshot, completion and release, then
-- auto-completion.  Idempotent on p_settlement_id; another settlement of a settled bet is
-- BET_ALREADY_SETTLED, of a rolled-back one BET_ALREADY_ROLLED_BACK.  Runs on frozen accounts.
-- Locks the account.  Writes ledger BET_SETTLE, outbox bet.settled.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED, BET_NOT_FOUND, BET_ALREADY_SETTLED,
-- BET_ALREADY_ROLLED_BACK, IDEMPOTENCY_CONFLICT.
CREATE OR REPLACE FUNCTION wallet.bet_settle(p_bet_id text, p_player_id text, p_settlement_id text, p_result text,
                                             p_payout bigint DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := wallet._bet_key_problems(p_bet_id, p_player_id);
    v_request jsonb;
    v_account wallet.account;
    v_response jsonb;
    v_bet wallet.bet;
    v_payout bigint;
    v_postings wallet.posting[];
    v_shares wallet.settle_share[];
    v_credits jsonb;
    v_rolling jsonb;
    v_txn_id bigint;
    v_cash_stake bigint;
BEGIN
    v_errors := wallet._check_key(v_errors, p_settlement_id, 'settlement_id');
    v_errors := wallet._check(v_errors, p_result IN ('WIN', 'LOSS', 'VOID', 'CASHOUT'), 'result', 'must be WIN, LOSS, VOID or CASHOUT');
    v_errors := wallet._check(v_errors, p_result NOT IN ('WIN', 'CASHOUT') OR p_payout BETWEEN 0 AND 1000000000000000,
                              'payout', 'is required for WIN and CASHOUT: an integer from 0 to 10^15 (gross, stake included)');
    v_errors := wallet._check(v_errors, p_result IS DISTINCT FROM 'LOSS' OR coalesce(p_payout, 0) = 0, 'payout', 'a LOSS pays 0');
    PERFORM wallet._raise_invalid(v_errors);

    v_account := wallet._lock_account(p_player_id);
    v_request := jsonb_build_object('bet_id', p_bet_id, 'result', p_result,
                                    'payout', CASE WHEN p_result IN ('WIN', 'CASHOUT') THEN p_payout ELSE 0 END);
    v_response := wallet._idem_replay(v_account.account_id, 'bet_settle', p_settlement_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
    END IF;
    SELECT * INTO v_bet FROM wallet.bet WHERE account_id = v_account.account_id AND bet_id = p_bet_id;
    IF NOT FOUND THEN
        PERFORM wallet._fail('BET_NOT_FOUND', format('no bet %s for player %s', p_bet_id, p_player_id),
                             jsonb_build_object('bet_id', p_bet_id));
    ELSIF v_bet.status = 'ROLLED_BACK' THEN
        PERFORM wallet._fail('BET_ALREADY_ROLLED_BACK', format('bet %s was rolled back', p_bet_id), jsonb_build_object('bet_id', p_bet_id));
    ELSIF v_bet.status = 'SETTLED' THEN
        PERFORM wallet._fail('BET_ALREADY_SETTLED', format('bet %s was settled by %s', p_bet_id, v_bet.settlement_id),
                             jsonb_build_object('bet_id', p_bet_id, 'settlement_id', v_bet.settlement_id));
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);

    IF p_result = 'VOID' THEN
        v_payout := 0;
        v_postings := wallet._bet_restore_postings(v_account.account_id, p_bet_id) || wallet._pocket('HOLD', -v_bet.stake);
        SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', bucket_type, 'amount', amount) ORDER BY seq), '[]')
          INTO v_credits FROM wallet.bet_source WHERE account_id = v_account.account_id AND bet_id = p_bet_id AND bucket_type IS NOT NULL;
    ELSE
        v_payout := CASE WHEN p_result = 'LOSS' THEN 0 ELSE p_payout END;
        v_shares := wallet._settlement_split(v_payout, ARRAY(
            SELECT (coalesce(bucket_type, 'coupon:' || coupon_id), kind, amount, destination, stake_returned)::wallet.settle_source
              FROM wallet.bet_source WHERE account_id = v_account.account_id AND bet_id = p_bet_id ORDER BY seq));
        SELECT ARRAY[wallet._pocket('HOLD', -v_bet.stake)]
               || coalesce(array_agg(wallet._bucket(destination, credit) ORDER BY destination) FILTER (WHERE credit > 0), '{}')
               || wallet._pocket('PROMOTION', coalesce(sum(withheld), 0)::bigint)
               || wallet._pocket('HOUSE', v_bet.stake - v_payout)
          INTO v_postings
          FROM (SELECT destination, sum(credit)::bigint AS credit, sum(withheld)::bigint AS withheld
                  FROM unnest(v_shares) GROUP BY destination) per_destination;
        SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', destination, 'amount', credit) ORDER BY destination), '[]')
          INTO v_credits
          FROM (SELECT destination, sum(credit) AS credit FROM unnest(v_shares) GROUP BY destination HAVING sum(credit) > 0) c;
    END IF;
    v_txn_id := wallet._post(v_account.account_id, 'BET_SETTLE', 'bet:' || p_bet_id, v_actor, v_postings, v_bet.topology_version);
    UPDATE wallet.bet SET status = 'SETTLED', result = p_result, payout = v_payout, settlement_id = p_settlement_id,
                          settled_at = now(), settle_txn_id = v_txn_id
     WHERE account_id = v_account.account_id AND bet_id = p_bet_id;

    -- Rolling from the snapshot: DEPOSIT obligations count the stake funded by CASH and
    -- WITHDRAWABLE money, BONUS obligations the whole stake.
    SELECT coalesce(sum(amount) FILTER (WHERE kind IN ('CASH', 'WITHDRAWABLE')), 0) INTO v_cash_stake
      FROM wallet.bet_source WHERE account_id = v_account.account_id AND bet_id = p_bet_id;
    v_rolling := wallet._rolling_progress(v_account.account_id, v_bet.wallet_group, p_bet_id,
        wallet._rolling_contribution(p_result, v_cash_stake, v_bet.odds, v_bet.rolling_bps, v_bet.rolling_min_odds, v_bet.rolling_void_counts),
        wallet._rolling_contribution(p_result, v_bet.stake, v_bet.odds, v_bet.rolling_bps, v_bet.rolling_min_odds, v_bet.rolling_void_counts),
        v_actor);
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_bet.wallet_group], v_actor);

    v_response := jsonb_build_object('bet_id', p_bet_id, 'status', 'SETTLED', 'result', p_result, 'payout', v_payout,
                                     'credits', v_credits, 'rolling', v_rolling);
    PERFORM wallet._emit(v_account.account_id, 'bet.settled', v_response || jsonb_build_object(
        'player_id', p_player_id, 'settlement_id', p_settlement_id, 'stake', v_bet.stake,
        'funding', wallet._bet_funding(v_account.account_id, p_bet_id), 'provider_type', v_bet.provider_type,
        'wallet_group', v_bet.wallet_group, 'topology_version', v_bet.topology_version,
        'policy', jsonb_build_object('provider_type', v_bet.provider_type, 'version', v_bet.policy_version)));
    RETURN wallet._idem_store(v_account.account_id, 'bet_settle', p_settlement_id, v_request, v_response);
END
$$;

-- Rolls a bet back (SPEC §5): restores its funding sources exactly (coupons included); on a
-- settled bet the payout is reversed first — from the bucket it was credited to, then from
-- WITHDRAWABLE when a rolling release moved it there — or the rollback is refused with
-- INSUFFICIENT_FUNDS and nothing changes; its rolling progress is taken back.  A bet id never
-- seen succeeds with nothing restored and leaves a tombstone that refuses the late bet.  A
-- second rollback, under any rollback_id, returns the first one's result and moves nothing.
-- Runs on frozen accounts.  Locks the account.  Writes ledger BET_ROLLBACK, outbox bet.rolled_back.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED, INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT.
CREATE OR REPLACE FUNCTION wallet.bet_rollback(p_bet_id text, p_player_id text, p_rollback_id text, p_reason text DEFAULT NULL,
                                               p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := wallet._bet_key_problems(p_bet_id, p_player_id);
    v_request jsonb;
    v_account wallet.account;
    v_response jsonb;
    v_bet wallet.bet;
    v_postings wallet.posting[];
    v_net record;
    v_short bigint;
    v_withdrawable text;
    v_fallback bigint := 0;
    v_rolling jsonb := '[]';
    v_reversed jsonb := '[]';
BEGIN
    v_errors := wallet._check_key(v_errors, p_rollback_id, 'rollback_id');
    v_errors := wallet._check(v_errors, p_reason IS NULL OR length(p_reason) <= 1000, 'reason', 'must be at most 1000 characters');
    PERFORM wallet._raise_invalid(v_errors);

    v_account := wallet._lock_account(p_player_id);
    v_request := jsonb_build_object('bet_id', p_bet_id);
    v_response := wallet._idem_replay(v_account.account_id, 'bet_rollback', p_rollback_id, v_request);
    IF v_response IS NOT NULL THEN
        RETURN v_response;
    END IF;
    SELECT * INTO v_bet FROM wallet.bet WHERE account_id = v_account.account_id AND bet_id = p_bet_id;
    IF v_bet.status = 'ROLLED_BACK' THEN
        RETURN wallet._idem_store(v_account.account_id, 'bet_rollback', p_rollback_id, v_request, v_bet.rollback_result);
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);

    IF v_bet.bet_id IS NULL THEN
        v_response := jsonb_build_object('bet_id', p_bet_id, 'status', 'ROLLED_BACK', 'restored', '[]'::jsonb);
        INSERT INTO wallet.bet (account_id, bet_id, status, tombstone, stake, rollback_id, rolled_back_at, rollback_result)
        VALUES (v_account.account_id, p_bet_id, 'ROLLED_BACK', true, 0, p_rollback_id, now(), v_response);
        PERFORM wallet._emit(v_account.account_id, 'bet.rolled_back', v_response || jsonb_build_object(
            'player_id', p_player_id, 'rollback_id', p_rollback_id, 'tombstone', true, 'reason', p_reason));
        RETURN wallet._idem_store(v_account.account_id, 'bet_rollback', p_rollback_id, v_request, v_response);
    END IF;

    -- Restore the sources; a settled bet first gives back what its settlement moved (HOLD nets
    -- out).  Postings are netted per bucket, coupon and pocket, so a bucket that both paid the
    -- stake and received the payout only gives back the difference.
    IF v_bet.status = 'AUTHORIZED' THEN
        v_postings := wallet._bet_restore_postings(v_account.account_id, p_bet_id) || wallet._pocket('HOLD', -v_bet.stake);
    ELSIF v_bet.result = 'VOID' THEN
        -- The VOID settlement already put every source back; what happened to that money since
        -- (a coupon reversed, cash spent) is not this bet's any more.  Nothing moves.
        v_postings := '{}';
    ELSE
        v_postings := wallet._bet_restore_postings(v_account.account_id, p_bet_id);
        SELECT v_postings || coalesce(array_agg((e.bucket_type, e.pocket, e.coupon_id, -e.amount)::wallet.posting ORDER BY e.entry_no), '{}')
          INTO v_postings
          FROM wallet.ledger_entry e
         WHERE e.account_id = v_account.account_id AND e.txn_id = v_bet.settle_txn_id AND e.pocket IS DISTINCT FROM 'HOLD';
    END IF;
    SELECT coalesce(array_agg((bucket_type, pocket, coupon_id, amount)::wallet.posting ORDER BY amount DESC, bucket_type, pocket, coupon_id), '{}')
      INTO v_postings
      FROM (SELECT bucket_type, pocket, coupon_id, sum(amount)::bigint AS amount
              FROM unnest(v_postings) GROUP BY bucket_type, pocket, coupon_id HAVING sum(amount) <> 0) net;

    -- A bucket that cannot give back its part: the shortfall comes from WITHDRAWABLE when a
    -- rolling release after the settlement moved this bucket's money there (one release
    -- transaction debiting this bucket and crediting WITHDRAWABLE); else refuse.  A BONUS
    -- conversion moves money to a CASH bucket, not to WITHDRAWABLE: it does not count.
    v_withdrawable := wallet._first_bucket(wallet._active_topology(), NULL, 'WITHDRAWABLE');
    FOR v_net IN SELECT p.bucket_type, -p.amount AS debit FROM unnest(v_postings) p WHERE p.bucket_type IS NOT NULL AND p.amount < 0 LOOP
        v_short := v_net.debit - wallet._balance(v_account.account_id, v_net.bucket_type);
        CONTINUE WHEN v_short <= 0;
        IF v_withdrawable IS NOT NULL AND v_net.bucket_type <> v_withdrawable AND EXISTS (
               SELECT 1 FROM wallet.ledger_txn t
                 JOIN wallet.ledger_entry src ON src.account_id = t.account_id AND src.txn_id = t.txn_id
                 JOIN wallet.ledger_entry dst ON dst.account_id = t.account_id AND dst.txn_id = t.txn_id
                WHERE t.account_id = v_account.account_id AND t.kind = 'ROLLING_RELEASE' AND t.txn_id > v_bet.settle_txn_id
                  AND src.bucket_type = v_net.bucket_type AND src.amount < 0
                  AND dst.bucket_type = v_withdrawable AND dst.amount > 0) THEN
            v_fallback := v_fallback + v_short;
            v_postings := array_replace(v_postings, wallet._bucket(v_net.bucket_type, -v_net.debit),
                                        wallet._bucket(v_net.bucket_type, -(v_net.debit - v_short)));
        ELSE
            PERFORM wallet._fail('INSUFFICIENT_FUNDS',
                format('bet %s paid out to %s, which no longer holds the %s to give back', p_bet_id, v_net.bucket_type, v_net.debit),
                jsonb_build_object('bucket_type', v_net.bucket_type, 'requested', v_net.debit,
                                   'available', wallet._balance(v_account.account_id, v_net.bucket_type)));
        END IF;
    END LOOP;
    IF v_fallback > 0 THEN
        IF wallet._balance(v_account.account_id, v_withdrawable)
           + coalesce((SELECT sum(amount) FROM unnest(v_postings) WHERE bucket_type = v_withdrawable), 0) < v_fallback THEN
            PERFORM wallet._fail('INSUFFICIENT_FUNDS',
                format('bet %s paid out %s more than its buckets and %s still hold', p_bet_id, v_fallback, v_withdrawable),
                jsonb_build_object('bucket_type', v_withdrawable, 'requested', v_fallback,
                                   'available', wallet._balance(v_account.account_id, v_withdrawable)));
        END IF;
        v_postings := v_postings || wallet._bucket(v_withdrawable, -v_fallback);
    END IF;

    IF v_bet.status = 'SETTLED' THEN
        v_rolling := wallet._rolling_unprogress(v_account.account_id, p_bet_id);
    END IF;
    IF v_bet.status = 'SETTLED' AND v_bet.result <> 'VOID' THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', e.bucket_type, 'amount', e.amount) ORDER BY e.entry_no), '[]')
          INTO v_reversed FROM wallet.ledger_entry e
         WHERE e.account_id = v_account.account_id AND e.txn_id = v_bet.settle_txn_id AND e.bucket_type IS NOT NULL;
    END IF;
    -- Credits first, so a bucket is never taken below zero half-way through.
    SELECT coalesce(array_agg(p ORDER BY p.amount DESC), '{}') INTO v_postings FROM unnest(v_postings) p;
    PERFORM wallet._post(v_account.account_id, 'BET_ROLLBACK', 'bet:' || p_bet_id, v_actor, v_postings, v_bet.topology_version);

    v_response := jsonb_build_object('bet_id', p_bet_id, 'status', 'ROLLED_BACK',
                                     'restored', wallet._bet_funding(v_account.account_id, p_bet_id),
                                     'payout_reversed', v_reversed, 'rolling', v_rolling);
    UPDATE wallet.bet SET status = 'ROLLED_BACK', rollback_id = p_rollback_id, rolled_back_at = now(), rollback_result = v_response
     WHERE account_id = v_account.account_id AND bet_id = p_bet_id;
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_bet.wallet_group], v_actor);
    PERFORM wallet._emit(v_account.account_id, 'bet.rolled_back', v_response || jsonb_build_object(
        'player_id', p_player_id, 'rollback_id', p_rollback_id, 'was', v_bet.status, 'reason', p_reason,
        'provider_type', v_bet.provider_type, 'wallet_group', v_bet.wallet_group, 'topology_version', v_bet.topology_version,
        'policy', jsonb_build_object('provider_type', v_bet.provider_type, 'version', v_bet.policy_version)));
    RETURN wallet._idem_store(v_account.account_id, 'bet_rollback', p_rollback_id, v_request, v_response);
END
$$;
