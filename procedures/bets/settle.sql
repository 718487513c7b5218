-- Bet settlement (SPEC §4 settlement arithmetic, §5a rolling): pay by the bet's snapshot.

-- The postings that put a bet's stake back where it came from (VOID, rollback): each bucket
-- and coupon gets its amount back, except a coupon reversed or expired since, whose share goes
-- to the PROMOTION pocket (SPEC §5 coupon reversal, §11 coupon expiry).  The HOLD side is the caller's.
CREATE OR REPLACE FUNCTION wallet._bet_restore_postings(p_account_id text, p_bet_id text)
RETURNS wallet.posting[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(CASE WHEN s.bucket_type IS NOT NULL THEN wallet._bucket(s.bucket_type, s.amount)
                                   WHEN c.status IN ('REVERSED', 'EXPIRED') THEN wallet._pocket('PROMOTION', s.amount)
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
-- p_payout (gross, stake included) split over the funding sources by ops.settlement_split
-- to the destinations stored at authorization; LOSS pays nothing; VOID restores the sources
-- exactly.  Then rolling progress from the bet's snapshot, completion and release, then
-- auto-completion.  Idempotent on p_settlement_id; another settlement of a settled bet is
-- BET_ALREADY_SETTLED, of a rolled-back one BET_ALREADY_ROLLED_BACK.  Runs on frozen accounts.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED, BET_NOT_FOUND, BET_ALREADY_SETTLED,
-- BET_ALREADY_ROLLED_BACK, IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger BET_SETTLE, the destination buckets, wallet.bet, rolling progress (and releases), the idempotency record, outbox bet.settled (and rolling.*).
-- Answers (HTTP): ruby_wallet.routes.bets.BetSettled.
CREATE OR REPLACE FUNCTION game.bet_settle(p_bet_id text, p_player_id text, p_settlement_id text, p_result text,
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
