-- Bet authorization (SPEC §4, §5): hold the stake from the sources the policy chooses and store
-- the snapshot that settlement and rollback use.  The bet row is the record: the request, the
-- funding (source, kind, amount, payout destination, stake returned — in funding order), the
-- topology and policy snapshot, and the key (bet_id) a replay is answered from (ADR 0005).

-- Every problem of a bet command's shared keys, as a problem list.
CREATE OR REPLACE FUNCTION wallet._bet_key_problems(p_bet_id text, p_player_id text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check_key(wallet._check_key('[]', p_bet_id, 'bet_id'), p_player_id, 'player_id')
$$;

-- Whether a bet command's shared keys are valid: true exactly when wallet._bet_key_problems
-- lists nothing.
CREATE OR REPLACE FUNCTION wallet._bet_keys_ok(p_bet_id text, p_player_id text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT wallet._key_ok(p_bet_id) AND wallet._key_ok(p_player_id)
$$;

-- A bet's odds: none (a casino bet) or at least 1.
CREATE OR REPLACE FUNCTION wallet._bet_odds_ok(p_odds numeric)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_odds IS NULL OR p_odds >= 1
$$;

-- Every problem of a bet authorization request, as a problem list (empty: valid).
CREATE OR REPLACE FUNCTION wallet._bet_authorize_problems(p_bet_id text, p_player_id text, p_provider_type text,
                                                          p_provider_id text, p_stake bigint, p_odds numeric)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check(wallet._check(wallet._check_amount(wallet._check_key(
               wallet._bet_key_problems(p_bet_id, p_player_id), p_provider_id, 'provider_id'), p_stake, 'stake'),
               wallet._bet_odds_ok(p_odds), 'odds', 'must be at least 1'),
               wallet._provider_type_code_ok(p_provider_type), 'provider_type', 'must be a provider type code')
$$;

-- Whether a bet authorization request is valid: true exactly when wallet._bet_authorize_problems
-- lists nothing, as it asks the same rules (tests/sql/test_request_rules.py proves they agree).
-- The command asks this and builds the problem list only for a request that is not valid:
-- PL/pgSQL readies an expression the first time a transaction evaluates it, and readying the
-- list's expression cost 2% of an authorize (bench/instructions, docs/benchmarks.md).
CREATE OR REPLACE FUNCTION wallet._bet_authorize_valid(p_bet_id text, p_player_id text, p_provider_type text,
                                                       p_provider_id text, p_stake bigint, p_odds numeric)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT wallet._bet_keys_ok(p_bet_id, p_player_id) AND wallet._key_ok(p_provider_id)
       AND wallet._amount_ok(p_stake) AND wallet._bet_odds_ok(p_odds) AND wallet._provider_type_code_ok(p_provider_type)
$$;

-- One line of a bet's funding as the API writes it: {source, amount}.
CREATE OR REPLACE FUNCTION wallet._funding_line(p_source text, p_amount bigint)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('source', p_source, 'amount', p_amount)
$$;

-- [{source, amount}] of funding lines given as arrays (sources and amounts in funding order).
-- Built from expressions alone, as the answers below are: PL/pgSQL evaluates an expression
-- without a query in it without starting an executor (a query here cost more than the answer's jsonb).
CREATE OR REPLACE FUNCTION wallet._funding_lines(p_sources text[], p_amounts bigint[])
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_funding jsonb := '[]'::jsonb;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_sources), 0) LOOP
        v_funding := v_funding || jsonb_build_array(wallet._funding_line(p_sources[i], p_amounts[i]));
    END LOOP;
    RETURN v_funding;
END
$$;

-- [{source, amount}] of a bet's funding, in funding order.  A bet of one source (most bets) is
-- answered by the expression itself, without calling the loop: an SQL function is inlined
-- where it is called, and a PL/pgSQL call with its loop cost a settle 2% of its instructions
-- (bench/instructions, docs/benchmarks.md).
CREATE OR REPLACE FUNCTION wallet._bet_funding(b wallet.bet)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN cardinality(b.sources) = 1 THEN jsonb_build_array(wallet._funding_line(b.sources[1], b.source_amounts[1]))
                ELSE wallet._funding_lines(b.sources, b.source_amounts) END
$$;

-- The answer of an authorization, built from the bet row (the first answer and every replay).
-- An SQL function, inlined where it is called: as PL/pgSQL it cost 1% more an authorize (a
-- call and the row copied into it; bench/instructions, docs/benchmarks.md).
CREATE OR REPLACE FUNCTION wallet._bet_authorized_answer(b wallet.bet)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('bet_id', b.bet_id, 'status', 'AUTHORIZED', 'stake', b.stake,
                              'funding', wallet._bet_funding(b),
                              'topology_version', b.topology_version, 'policy_version', b.policy_version)
$$;

-- Authorizes a bet: resolves the active topology and the provider type's active betting
-- policy server-side, takes the stake from the sources wallet._funding_plan chooses (callers may
-- pass selected_source only when the policy is PLAYER_SELECTED), moves it to the HOLD pocket,
-- and stores the sources with the snapshot (topology version, group, policy version and its
-- resolved destinations and rolling values) that settlement and rollback will use.
-- Idempotent on p_bet_id (the bet row is the record); a bet id tombstoned by an earlier
-- rollback is BET_ALREADY_ROLLED_BACK.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED, UNKNOWN_PROVIDER_TYPE,
-- UNKNOWN_BUCKET_TYPE, NOT_BETTABLE, SOURCE_REQUIRED, SOURCE_NOT_ALLOWED, COUPON_NOT_ELIGIBLE,
-- INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT, BET_ALREADY_ROLLED_BACK.
-- Locks: the account.  Raises: see above.  Writes: ledger BET_STAKE, the buckets and coupons it takes from, wallet.bet (the record: request, funding, snapshot), outbox bet.authorized.
-- Answers (HTTP): ruby_wallet.routes.bets.BetAuthorized.
CREATE OR REPLACE FUNCTION game.bet_authorize(p_bet_id text, p_player_id text, p_provider_type text, p_provider_id text,
                                                p_stake bigint, p_odds numeric DEFAULT NULL, p_selected_source text DEFAULT NULL,
                                                p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account wallet.account;
    v_ctx record;
    v_policy wallet.betting_policy;
    v_plan wallet.fund_source[];
    v_line wallet.fund_source;
    v_coupon record;
    v_bet wallet.bet;
    v_postings wallet.posting[] := '{}'::wallet.posting[];
    v_answer jsonb;
BEGIN
    IF wallet._bet_authorize_valid(p_bet_id, p_player_id, p_provider_type, p_provider_id, p_stake, p_odds) IS NOT TRUE THEN
        PERFORM wallet._raise_invalid(
            wallet._bet_authorize_problems(p_bet_id, p_player_id, p_provider_type, p_provider_id, p_stake, p_odds));
    END IF;

    -- The account lock (wallet._lock_account, inline on this path), in a statement of its own:
    -- what the command reads next is read after it, so it sees every command on this player
    -- that committed while this one waited.
    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM wallet._lock_account(p_player_id);  -- raises UNKNOWN_ACCOUNT
    END IF;
    -- Everything else it reads, in one statement: a bet this id already names, the active
    -- topology's group for the provider type, the provider type's active betting policy, and
    -- the sources the bet could be funded from (for wallet._funding_plan): in AUTO mode the
    -- bucket types the deduction order names that are of the group or shared (bettable =
    -- eligible), in PLAYER_SELECTED mode the selected one; then, when coupons may fund it, the
    -- ACTIVE coupons in the order they are used (earliest expiry, then oldest grant), each
    -- flagged eligible when it is usable (wallet._coupon_usable), lists the provider type, and
    -- the odds and stake are within its restrictions.  Expired ACTIVE coupons are listed as not
    -- eligible, so a refusal can say why.  What the plan cannot take from is not listed: it
    -- changes no plan.  (One read, not a second function's statement: measured 4% more
    -- authorizes a second at 8 clients, docs/benchmarks.md.)
    SELECT b AS seen, t.version AS topology, m.wallet_group, p AS policy,
           -- The buckets in no particular order: wallet._funding_plan takes them by name in the
           -- deduction order (which lists a code once), so a scan of bucket_type by the codes does,
           -- without unnesting and sorting them (4% of an authorize's instructions,
           -- bench/instructions, docs/benchmarks.md).  Each bucket's balance by its key (a subquery
           -- per source: a join here was planned as a bitmap scan of the player's buckets and a
           -- hash join, 2-10% slower at 8 clients).
           ARRAY(SELECT (bt.code, bt.kind,
                         coalesce((SELECT bb.balance FROM wallet.bucket bb WHERE bb.account_id = p_player_id AND bb.bucket_type = bt.code), 0),
                         bt.bettable)::wallet.fund_available
                   FROM wallet.bucket_type bt
                  WHERE bt.topology_version = t.version
                    AND bt.code = ANY (CASE WHEN p_selected_source IS NULL THEN p.deduction_order ELSE ARRAY[p_selected_source] END)
                    AND (bt.wallet_group = m.wallet_group OR bt.wallet_group IS NULL))
        || ARRAY(SELECT ('coupon:' || c.coupon_id, 'COUPON', c.remaining,
                         -- A bet without odds cannot meet a coupon's min_odds: unknown is not eligible.
                         coalesce(wallet._coupon_usable(c.status, c.expires_at)
                                  AND p_provider_type = ANY (c.provider_types)
                                  AND (c.min_odds IS NULL OR p_odds >= c.min_odds)
                                  AND (c.max_stake IS NULL OR p_stake <= c.max_stake), false))::wallet.fund_available
                   FROM wallet.coupon c
                  WHERE c.account_id = p_player_id AND c.status = 'ACTIVE'
                    AND ('COUPON' = ANY (p.deduction_order) OR p_selected_source LIKE 'coupon:%')
                  ORDER BY c.expires_at NULLS LAST, c.granted_at, c.coupon_id) AS available
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.bet b ON b.account_id = p_player_id AND b.bet_id = p_bet_id
      LEFT JOIN wallet.topology_version t ON t.status = 'ACTIVE'
      LEFT JOIN wallet.provider_mapping m ON m.topology_version = t.version AND m.provider_type = p_provider_type
      LEFT JOIN wallet.betting_policy p ON p.provider_type = p_provider_type AND p.status = 'ACTIVE';
    IF (v_ctx.seen).bet_id IS NOT NULL THEN
        IF (v_ctx.seen).tombstone THEN
            PERFORM wallet._fail('BET_ALREADY_ROLLED_BACK', format('bet %s was rolled back before it arrived', p_bet_id),
                                 jsonb_build_object('bet_id', p_bet_id));
        ELSIF ((v_ctx.seen).provider_type, (v_ctx.seen).provider_id, (v_ctx.seen).stake, (v_ctx.seen).odds,
               (v_ctx.seen).selected_source) IS NOT DISTINCT FROM (p_provider_type, p_provider_id, p_stake, p_odds, p_selected_source) THEN
            RETURN wallet._bet_authorized_answer(v_ctx.seen);
        END IF;
        PERFORM wallet._idempotency_conflict('bet_authorize', p_bet_id);
    END IF;
    IF v_account.status <> 'active' THEN
        PERFORM wallet._require_open(v_account);
    END IF;
    v_policy := v_ctx.policy;
    IF v_ctx.wallet_group IS NULL THEN
        PERFORM wallet._fail('UNKNOWN_PROVIDER_TYPE', format('provider type %s is not mapped in topology %s', p_provider_type, v_ctx.topology),
            jsonb_build_object('errors', wallet._problem('provider_type', format('unknown provider type %s', p_provider_type))));
    ELSIF v_policy.version IS NULL THEN
        PERFORM wallet._fail('NOT_BETTABLE', format('no active betting policy for %s', p_provider_type),
                             jsonb_build_object('provider_type', p_provider_type));
    END IF;
    IF p_selected_source IS NOT NULL AND p_selected_source NOT LIKE 'coupon:%' THEN
        PERFORM wallet._active_bucket_type(p_selected_source, 'selected_source');
    END IF;

    v_plan := wallet._funding_plan(p_stake, v_policy.funding_mode, v_policy.deduction_order, v_policy.max_coupons,
                                   p_selected_source, v_ctx.available);

    -- The bet with its snapshot: each source's payout destination is the policy's for its kind,
    -- a coupon's own winnings bucket winning over it; only a coupon may keep its stake (a free
    -- bet).  The postings take each source's amount and hold the stake.
    -- Every column of wallet.bet in table order (the cast fails loudly if a column is added):
    -- the request, the snapshot, the settlement and rollback still empty, the funding below.
    v_bet := ROW(p_player_id, p_bet_id, 'AUTHORIZED', false, p_provider_type, p_provider_id, p_stake, p_odds, p_selected_source,
                 v_ctx.topology, v_ctx.wallet_group, v_policy.version, v_policy.rolling_bps, v_policy.rolling_min_odds,
                 v_policy.rolling_void_counts, now(), nextval('wallet.ledger_txn_id_seq'),
                 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 '{}', '{}', '{}', '{}', '{}', NULL)::wallet.bet;
    FOREACH v_line IN ARRAY v_plan LOOP
        IF v_line.kind = 'COUPON' THEN
            SELECT c.coupon_id, c.winnings_bucket_type, c.stake_returned INTO v_coupon
              FROM wallet.coupon c WHERE c.account_id = p_player_id AND c.coupon_id = substr(v_line.source, 8);
            v_bet.destinations := v_bet.destinations || coalesce(v_coupon.winnings_bucket_type, v_policy.dest_coupon);
            v_bet.stakes_returned := v_bet.stakes_returned || v_coupon.stake_returned;
            v_postings := v_postings || wallet._coupon(v_coupon.coupon_id, -v_line.amount);
        ELSE
            v_bet.destinations := v_bet.destinations || CASE v_line.kind WHEN 'CASH' THEN v_policy.dest_cash
                                                            WHEN 'WITHDRAWABLE' THEN v_policy.dest_withdrawable
                                                            ELSE v_policy.dest_bonus END;
            v_bet.stakes_returned := v_bet.stakes_returned || true;
            v_postings := v_postings || wallet._bucket(v_line.source, -v_line.amount);
        END IF;
        v_bet.sources := v_bet.sources || v_line.source;
        v_bet.source_kinds := v_bet.source_kinds || v_line.kind;
        v_bet.source_amounts := v_bet.source_amounts || v_line.amount;
    END LOOP;
    INSERT INTO wallet.bet VALUES (v_bet.*);
    PERFORM wallet._post(p_player_id, 'BET_STAKE', 'bet:' || p_bet_id, wallet._actor(p_actor),
                         v_postings || wallet._pocket('HOLD', p_stake), v_ctx.topology, v_bet.authorize_txn_id);

    v_answer := wallet._bet_authorized_answer(v_bet);
    -- The event (wallet._emit, inline on this path).
    INSERT INTO wallet.outbox (account_id, event_type, payload)
    VALUES (p_player_id, 'bet.authorized', v_answer || jsonb_build_object(
        'player_id', p_player_id, 'provider_type', p_provider_type, 'provider_id', p_provider_id, 'odds', p_odds,
        'wallet_group', v_ctx.wallet_group, 'policy', jsonb_build_object('provider_type', p_provider_type, 'version', v_policy.version)));
    RETURN v_answer;
END
$$;
