-- Bet settlement (SPEC §4 settlement arithmetic, §5a rolling): pay by the bet's snapshot.  The
-- bet row is the settlement's record too: its settlement id (the key), result, payout, the
-- ledger transaction the answer's credits are read from, and the rolling it progressed.
-- The settlement rule is in two internal functions that the single command (game.bet_settle)
-- and the batch (game.bet_settle_batch, batch.sql) both call once the account is locked:
-- wallet._bet_settle_check refuses before anything is written, wallet._bet_settle_apply writes.

-- The postings that put a bet's stake back where it came from (VOID, rollback): each bucket
-- and coupon gets its amount back, except a coupon reversed or expired since, whose share goes
-- to the PROMOTION pocket (SPEC §5 coupon reversal, §11 coupon expiry).  The HOLD side is the caller's.
CREATE OR REPLACE FUNCTION wallet._bet_restore_postings(b wallet.bet)
RETURNS wallet.posting[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(CASE WHEN s.kind <> 'COUPON' THEN wallet._bucket(s.source, s.amount)
                                       WHEN c.status IN ('REVERSED', 'EXPIRED') THEN wallet._pocket('PROMOTION', s.amount)
                                       ELSE wallet._coupon(c.coupon_id, s.amount) END ORDER BY s.n), '{}')
          FROM unnest(b.sources, b.source_kinds, b.source_amounts) WITH ORDINALITY AS s(source, kind, amount, n)
          LEFT JOIN wallet.coupon c ON s.kind = 'COUPON' AND c.account_id = b.account_id AND c.coupon_id = substr(s.source, 8));
END
$$;

-- A settlement's result: WIN, LOSS, VOID or CASHOUT.
CREATE OR REPLACE FUNCTION wallet._settle_result_ok(p_result text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_result IN ('WIN', 'LOSS', 'VOID', 'CASHOUT')
$$;

-- The results that pay the settlement's payout: WIN and CASHOUT (gross, stake included).
CREATE OR REPLACE FUNCTION wallet._settle_result_pays(p_result text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_result IN ('WIN', 'CASHOUT')
$$;

-- What a settlement pays: its payout for a result that pays, else 0.
CREATE OR REPLACE FUNCTION wallet._settle_paid(p_result text, p_payout bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN wallet._settle_result_pays(p_result) THEN p_payout ELSE 0 END
$$;

-- A settlement's payout as its result asks: a result that pays names one from 0 to 10^15; the
-- others need none.
CREATE OR REPLACE FUNCTION wallet._settle_payout_given(p_result text, p_payout bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT wallet._settle_result_pays(p_result) OR p_payout BETWEEN 0 AND 1000000000000000
$$;

-- A LOSS pays 0: its payout, if given, is 0.
CREATE OR REPLACE FUNCTION wallet._settle_loss_pays_nothing(p_result text, p_payout bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_result IS DISTINCT FROM 'LOSS' OR coalesce(p_payout, 0) = 0
$$;

-- Every problem of a settle request, as a problem list (empty: valid).
CREATE OR REPLACE FUNCTION wallet._bet_settle_problems(p_bet_id text, p_player_id text, p_settlement_id text, p_result text,
                                                       p_payout bigint)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check(wallet._check(wallet._check(wallet._check_key(
               wallet._bet_key_problems(p_bet_id, p_player_id), p_settlement_id, 'settlement_id'),
               wallet._settle_result_ok(p_result), 'result', 'must be WIN, LOSS, VOID or CASHOUT'),
               wallet._settle_payout_given(p_result, p_payout),
               'payout', 'is required for WIN and CASHOUT: an integer from 0 to 10^15 (gross, stake included)'),
               wallet._settle_loss_pays_nothing(p_result, p_payout), 'payout', 'a LOSS pays 0')
$$;

-- Whether a settle request is valid: true exactly when wallet._bet_settle_problems lists
-- nothing, as it asks the same rules (tests/sql/test_request_rules.py proves they agree).  The
-- single command asks this and builds the problem list only for a request that is not valid
-- (as bet authorize, wallet._bet_authorize_valid): readying the list's expression cost 2% of a
-- settle (bench/instructions, docs/benchmarks.md).
CREATE OR REPLACE FUNCTION wallet._bet_settle_valid(p_bet_id text, p_player_id text, p_settlement_id text, p_result text,
                                                    p_payout bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT wallet._bet_keys_ok(p_bet_id, p_player_id) AND wallet._key_ok(p_settlement_id)
       AND wallet._settle_result_ok(p_result) AND wallet._settle_payout_given(p_result, p_payout)
       AND wallet._settle_loss_pays_nothing(p_result, p_payout)
$$;

-- A settlement's credits as its answer lists them: the bucket credits among a ledger
-- transaction's entries, in entry order, [{bucket_type, amount}].  Expressions alone, no query
-- (as wallet._funding_lines).
CREATE OR REPLACE FUNCTION wallet._settlement_credits(p_targets text[], p_amounts bigint[])
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_credits jsonb := '[]'::jsonb;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_targets), 0) LOOP
        IF p_amounts[i] > 0 AND wallet._target_is_bucket(p_targets[i]) THEN
            v_credits := v_credits || jsonb_build_array(jsonb_build_object('bucket_type', p_targets[i], 'amount', p_amounts[i]));
        END IF;
    END LOOP;
    RETURN v_credits;
END
$$;

-- The answer of a settlement, built from the bet row and its settle transaction's entries (the
-- first answer and every replay): the credits are the settlement's bucket credits in entry
-- order, the rolling the obligations it progressed, as they were then.  An SQL function,
-- inlined where it is called (as the authorization's answer).
CREATE OR REPLACE FUNCTION wallet._bet_settled_answer(b wallet.bet, p_targets text[], p_amounts bigint[])
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('bet_id', b.bet_id, 'status', 'SETTLED', 'result', b.result, 'payout', b.payout,
                              'credits', wallet._settlement_credits(p_targets, p_amounts),
                              'rolling', coalesce(b.settle_rolling, '[]'))
$$;

-- What a settlement moves (the postings wallet._post applies): VOID puts the sources back;
-- otherwise the payout's shares (wallet._settlement_split) go to the destinations stored at
-- authorization, one credit per destination in destination order, a free bet's withheld stake
-- to PROMOTION, and the house keeps or pays the rest; the stake leaves HOLD.  p_payout: what
-- the result pays (0 for LOSS and VOID).  Worked in expressions, no query (ADR 0005).
CREATE OR REPLACE FUNCTION wallet._bet_settle_postings(b wallet.bet, p_result text, p_payout bigint)
RETURNS wallet.posting[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_sources wallet.settle_source[] := '{}'::wallet.settle_source[];
    v_share wallet.settle_share;
    v_destinations text[] := '{}'::text[];
    v_credits bigint[] := '{}'::bigint[];
    v_withheld bigint := 0;
    v_postings wallet.posting[];
    v_k integer;
BEGIN
    IF p_result = 'VOID' THEN
        RETURN wallet._bet_restore_postings(b) || wallet._pocket('HOLD', -b.stake);
    END IF;
    -- One source (most bets): its one share is the one credit, what the merge below gives it
    -- too, without its loops (PL/pgSQL readies each expression it runs in every transaction:
    -- 3% of a settlement's instructions, bench/instructions).
    IF cardinality(b.sources) = 1 THEN
        v_share := (wallet._settlement_split(p_payout, ARRAY[(b.sources[1], b.source_kinds[1], b.source_amounts[1],
                                             b.destinations[1], b.stakes_returned[1])::wallet.settle_source]))[1];
        RETURN ARRAY[wallet._pocket('HOLD', -b.stake)]
            || CASE WHEN v_share.credit > 0 THEN ARRAY[wallet._bucket(v_share.destination, v_share.credit)]
                    ELSE '{}'::wallet.posting[] END
            || wallet._pocket('PROMOTION', v_share.withheld) || wallet._pocket('HOUSE', b.stake - p_payout);
    END IF;
    FOR i IN 1 .. coalesce(cardinality(b.sources), 0) LOOP
        v_sources := v_sources || (b.sources[i], b.source_kinds[i], b.source_amounts[i], b.destinations[i],
                                   b.stakes_returned[i])::wallet.settle_source;
    END LOOP;
    -- Each destination's credits summed, the destinations kept in order (insertion).
    FOREACH v_share IN ARRAY wallet._settlement_split(p_payout, v_sources) LOOP
        v_withheld := v_withheld + v_share.withheld;
        v_k := array_position(v_destinations, v_share.destination);
        IF v_k IS NOT NULL THEN
            v_credits[v_k] := v_credits[v_k] + v_share.credit;
        ELSE
            v_k := 1;
            WHILE v_k <= cardinality(v_destinations) AND v_destinations[v_k] < v_share.destination LOOP
                v_k := v_k + 1;
            END LOOP;
            v_destinations := v_destinations[:v_k - 1] || v_share.destination || v_destinations[v_k:];
            v_credits := v_credits[:v_k - 1] || v_share.credit || v_credits[v_k:];
        END IF;
    END LOOP;
    v_postings := ARRAY[wallet._pocket('HOLD', -b.stake)];
    FOR j IN 1 .. cardinality(v_destinations) LOOP
        IF v_credits[j] > 0 THEN
            v_postings := v_postings || wallet._bucket(v_destinations[j], v_credits[j]);
        END IF;
    END LOOP;
    RETURN v_postings || wallet._pocket('PROMOTION', v_withheld) || wallet._pocket('HOUSE', b.stake - p_payout);
END
$$;

-- The part of a bet's stake that CASH and WITHDRAWABLE money funded: what its DEPOSIT
-- obligations count (SPEC §5a; BONUS obligations count the whole stake).
CREATE OR REPLACE FUNCTION wallet._bet_cash_stake(b wallet.bet)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_cash bigint := 0;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(b.source_kinds), 0) LOOP
        IF b.source_kinds[i] IN ('CASH', 'WITHDRAWABLE') THEN
            v_cash := v_cash + b.source_amounts[i];
        END IF;
    END LOOP;
    RETURN v_cash;
END
$$;

-- The bet.settled event of a settled bet (b as settled, with its answer): the answer, and what
-- a consumer needs without reading the wallet (funding, group, topology and policy versions).
-- An SQL function, inlined where it is called (as PL/pgSQL: 0.7% more a settle).
CREATE OR REPLACE FUNCTION wallet._bet_settled_event(b wallet.bet, p_answer jsonb)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT p_answer || jsonb_build_object(
        'player_id', b.account_id, 'settlement_id', b.settlement_id, 'stake', b.stake,
        'funding', wallet._bet_funding(b),
        'provider_type', b.provider_type, 'wallet_group', b.wallet_group, 'topology_version', b.topology_version,
        'policy', jsonb_build_object('provider_type', b.provider_type, 'version', b.policy_version))
$$;

-- The refusals of a settlement, all before anything is written (the account locked by the
-- caller): the bet this settlement id already settled answers a replay (returned as it is: settled
-- under p_settlement_id, which wallet._bet_settle_apply answers from its record) or is an
-- IDEMPOTENCY_CONFLICT; then an unknown bet, a rolled-back or settled one, a closed account.
-- Returns the bet to settle (or the replayed one).  Reads only, so the batch can catch its
-- refusals in a block without a subtransaction id (docs/adr/0006-batch-settlement.md).
-- Raises BET_NOT_FOUND, BET_ALREADY_SETTLED, BET_ALREADY_ROLLED_BACK, IDEMPOTENCY_CONFLICT, ACCOUNT_CLOSED.
CREATE OR REPLACE FUNCTION wallet._bet_settle_check(p_account wallet.account, p_bet_id text, p_settlement_id text,
                                                    p_result text, p_payout bigint)
RETURNS wallet.bet
LANGUAGE plpgsql AS $$
DECLARE
    v_ctx record;
BEGIN
    -- The bet, and the bet this settlement id already settled (if any).
    SELECT b AS bet, s.bet_id AS keyed_bet, s.result AS keyed_result, s.payout AS keyed_payout
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.bet b ON b.account_id = p_account.account_id AND b.bet_id = p_bet_id
      LEFT JOIN wallet.bet s ON s.account_id = p_account.account_id AND s.settlement_id = p_settlement_id;
    IF v_ctx.keyed_bet IS NOT NULL THEN
        IF (v_ctx.keyed_bet, v_ctx.keyed_result, v_ctx.keyed_payout) IS NOT DISTINCT FROM
           (p_bet_id, p_result, wallet._settle_paid(p_result, p_payout)) THEN
            RETURN v_ctx.bet;
        END IF;
        PERFORM wallet._idempotency_conflict('bet_settle', p_settlement_id);
    END IF;
    IF (v_ctx.bet).bet_id IS NULL THEN
        PERFORM wallet._fail('BET_NOT_FOUND', format('no bet %s for player %s', p_bet_id, p_account.account_id),
                             jsonb_build_object('bet_id', p_bet_id));
    ELSIF (v_ctx.bet).status = 'ROLLED_BACK' THEN
        PERFORM wallet._fail('BET_ALREADY_ROLLED_BACK', format('bet %s was rolled back', p_bet_id), jsonb_build_object('bet_id', p_bet_id));
    ELSIF (v_ctx.bet).status = 'SETTLED' THEN
        PERFORM wallet._fail('BET_ALREADY_SETTLED', format('bet %s was settled by %s', p_bet_id, (v_ctx.bet).settlement_id),
                             jsonb_build_object('bet_id', p_bet_id, 'settlement_id', (v_ctx.bet).settlement_id));
    END IF;
    IF p_account.status <> 'active' THEN
        PERFORM wallet._require_open(p_account, p_allow_frozen => true);
    END IF;
    RETURN v_ctx.bet;
END
$$;

-- Settles the bet wallet._bet_settle_check returned (the account locked by the caller) and
-- answers; a bet this settlement id settled before (a replay, even of a bet rolled back since)
-- is answered from its record, nothing written.
-- WIN and CASHOUT pay p_payout (gross, stake included) split over the funding sources by
-- wallet._settlement_split to the destinations stored at authorization; LOSS pays nothing; VOID
-- restores the sources exactly.  Then rolling progress from the bet's snapshot, completion and
-- release, auto-completion, the outbox event.
-- Raises BALANCE_LIMIT_EXCEEDED (a credit or a rolling release past a bucket's ceiling).
CREATE OR REPLACE FUNCTION wallet._bet_settle_apply(p_bet wallet.bet, p_settlement_id text, p_result text, p_payout bigint,
                                                    p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_player_id text := p_bet.account_id;
    v_payout bigint := wallet._settle_paid(p_result, p_payout);
    v_bet wallet.bet := p_bet;
    v_postings wallet.posting[];
    v_txn wallet.ledger_txn;
    v_cash_stake bigint;
    v_rolling jsonb;
    v_answer jsonb;
BEGIN
    IF v_bet.settlement_id = p_settlement_id THEN
        SELECT * INTO v_txn FROM wallet.ledger_txn WHERE account_id = v_player_id AND txn_id = v_bet.settle_txn_id;
        RETURN wallet._bet_settled_answer(v_bet, v_txn.targets, v_txn.amounts);
    END IF;

    v_postings := wallet._bet_settle_postings(v_bet, p_result, v_payout);
    v_txn := wallet._post(v_player_id, 'BET_SETTLE', 'bet:' || v_bet.bet_id, p_actor, v_postings, v_bet.topology_version);

    -- Rolling from the snapshot: DEPOSIT obligations count the stake funded by CASH and
    -- WITHDRAWABLE money, BONUS obligations the whole stake (SPEC §5a).
    v_cash_stake := wallet._bet_cash_stake(v_bet);
    v_rolling := wallet._rolling_progress(v_player_id, v_bet.wallet_group, v_bet.bet_id,
        wallet._rolling_earned(p_result, v_cash_stake, v_bet.odds, v_bet.rolling_bps, v_bet.rolling_min_odds, v_bet.rolling_void_counts),
        wallet._rolling_earned(p_result, v_bet.stake, v_bet.odds, v_bet.rolling_bps, v_bet.rolling_min_odds, v_bet.rolling_void_counts),
        p_actor);

    UPDATE wallet.bet SET status = 'SETTLED', result = p_result, payout = v_payout, settlement_id = p_settlement_id,
                          settled_at = now(), settle_txn_id = v_txn.txn_id, settle_rolling = nullif(v_rolling, '[]'::jsonb)
     WHERE account_id = v_player_id AND bet_id = v_bet.bet_id
    RETURNING * INTO v_bet;
    PERFORM wallet._auto_complete(v_player_id, ARRAY[v_bet.wallet_group], p_actor);

    v_answer := wallet._bet_settled_answer(v_bet, v_txn.targets, v_txn.amounts);
    -- The event (wallet._emit, inline on this path).
    INSERT INTO wallet.outbox (account_id, event_type, payload)
    VALUES (v_player_id, 'bet.settled', wallet._bet_settled_event(v_bet, v_answer));
    RETURN v_answer;
END
$$;

-- Settles an authorized bet (SPEC §4 settlement arithmetic, §5a rolling): WIN and CASHOUT pay
-- p_payout (gross, stake included) split over the funding sources by wallet._settlement_split
-- to the destinations stored at authorization; LOSS pays nothing; VOID restores the sources
-- exactly.  Then rolling progress from the bet's snapshot, completion and release, then
-- auto-completion.  Idempotent on p_settlement_id (the bet row holds it); another settlement of
-- a settled bet is BET_ALREADY_SETTLED, of a rolled-back one BET_ALREADY_ROLLED_BACK.  Runs on
-- frozen accounts.  Many settlements in one call: game.bet_settle_batch (on Citus the batch
-- route sends each item here instead, so its answer is also a batch item's body).
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED, BET_NOT_FOUND, BET_ALREADY_SETTLED,
-- BET_ALREADY_ROLLED_BACK, IDEMPOTENCY_CONFLICT, BALANCE_LIMIT_EXCEEDED.
-- Locks: the account.  Raises: see above.  Writes: ledger BET_SETTLE, the destination buckets, wallet.bet (the settlement's record), rolling progress (and releases), outbox bet.settled (and rolling.*).
-- Answers (HTTP): ruby_wallet.routes.bets.BetSettled, ruby_wallet.routes.bets.SettlementResults.
CREATE OR REPLACE FUNCTION game.bet_settle(p_bet_id text, p_player_id text, p_settlement_id text, p_result text,
                                             p_payout bigint DEFAULT NULL, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account wallet.account;
BEGIN
    IF wallet._bet_settle_valid(p_bet_id, p_player_id, p_settlement_id, p_result, p_payout) IS NOT TRUE THEN
        PERFORM wallet._raise_invalid(wallet._bet_settle_problems(p_bet_id, p_player_id, p_settlement_id, p_result, p_payout));
    END IF;

    -- The account lock (wallet._lock_account, inline on this path), in a statement of its own:
    -- what the command reads next is read after it, so it sees every command on this player
    -- that committed while this one waited.
    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id FOR UPDATE;
    IF NOT FOUND THEN
        v_account := wallet._lock_account(p_player_id);  -- raises UNKNOWN_ACCOUNT
    END IF;
    RETURN wallet._bet_settle_apply(wallet._bet_settle_check(v_account, p_bet_id, p_settlement_id, p_result, p_payout),
                                    p_settlement_id, p_result, p_payout, wallet._actor(p_actor));
END
$$;
