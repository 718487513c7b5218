-- Bet rollback (SPEC §5): restore the funding sources exactly; tombstones for unseen bets.

-- Rolls a bet back (SPEC §5): restores its funding sources exactly (coupons included); on a
-- settled bet the payout (its settlement's and any added since by wallet._bet_pay_more) is
-- reversed first — from the bucket it was credited to, then from WITHDRAWABLE when a rolling
-- release moved it there — or the rollback is refused with INSUFFICIENT_FUNDS and nothing
-- changes; its rolling progress is taken back.  A bet id never seen succeeds with nothing
-- restored and leaves a tombstone that refuses the late bet.  A second rollback, under any
-- rollback_id, returns the first one's result and moves nothing.
-- Runs on frozen accounts.
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_CLOSED, INSUFFICIENT_FUNDS, IDEMPOTENCY_CONFLICT.
-- Locks: the account.  Raises: see above.  Writes: ledger BET_ROLLBACK, the buckets and coupons it restores, wallet.bet (the rollback's record, or a tombstone), rolling progress taken back, a repeat key for a second rollback, outbox bet.rolled_back.
-- Answers (HTTP): ruby_wallet.routes.bets.BetRolledBack.
CREATE OR REPLACE FUNCTION game.bet_rollback(p_bet_id text, p_player_id text, p_rollback_id text, p_reason text DEFAULT NULL,
                                               p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := wallet._bet_key_problems(p_bet_id, p_player_id);
    v_account wallet.account;
    v_ctx record;
    v_ctx_account wallet.account;
    v_keyed_bet text;
    v_repeated_bet text;
    v_response jsonb;
    v_bet wallet.bet;
    v_postings wallet.posting[];
    v_net record;
    v_short bigint;
    v_withdrawable text;
    v_fallback bigint := 0;
    v_rolling jsonb := '[]'::jsonb;
    v_reversed jsonb := '[]'::jsonb;
    v_payout_txns bigint[];
BEGIN
    v_errors := wallet._check_key(v_errors, p_rollback_id, 'rollback_id');
    v_errors := wallet._check(v_errors, p_reason IS NULL OR length(p_reason) <= 1000, 'reason', 'must be at most 1000 characters');
    PERFORM wallet._raise_invalid(v_errors);

    -- The lock, the bet, and what this rollback id already rolled back (its bet's record, or a
    -- repeat key remembered when it rolled back a bet rolled back before).
    -- The lock first, in a statement of its own: what the command reads next is read after
    -- it, so it sees every command on this player that committed while this one waited.
    v_ctx_account := wallet._lock_account(p_player_id);
    SELECT v_ctx_account AS account, b AS bet, k.bet_id AS keyed_bet, r.target AS repeated_bet
      INTO v_ctx
      FROM (SELECT) AS one
      LEFT JOIN wallet.bet b ON b.account_id = p_player_id AND b.bet_id = p_bet_id
      LEFT JOIN wallet.bet k ON k.account_id = p_player_id AND k.rollback_id = p_rollback_id
      LEFT JOIN wallet.repeat_key r ON r.account_id = p_player_id AND r.command = 'bet_rollback' AND r.key = p_rollback_id;
    v_account := v_ctx.account;
    v_bet := v_ctx.bet;
    v_keyed_bet := v_ctx.keyed_bet;
    v_repeated_bet := v_ctx.repeated_bet;
    IF coalesce(v_keyed_bet, v_repeated_bet) IS NOT NULL THEN
        IF coalesce(v_keyed_bet, v_repeated_bet) = p_bet_id THEN
            RETURN v_bet.rollback_result;
        END IF;
        PERFORM wallet._idempotency_conflict('bet_rollback', p_rollback_id);
    END IF;
    IF v_bet.status = 'ROLLED_BACK' THEN
        -- A second rollback, under another id: the first one's answer, and this id remembered.
        PERFORM wallet._repeat_key(p_player_id, 'bet_rollback', p_rollback_id, p_bet_id);
        RETURN v_bet.rollback_result;
    END IF;
    PERFORM wallet._require_open(v_account, p_allow_frozen => true);

    IF v_bet.bet_id IS NULL THEN
        v_response := jsonb_build_object('bet_id', p_bet_id, 'status', 'ROLLED_BACK', 'restored', '[]'::jsonb);
        INSERT INTO wallet.bet (account_id, bet_id, status, tombstone, stake, rollback_id, rolled_back_at, rollback_result,
                                sources, source_kinds, source_amounts, destinations, stakes_returned)
        VALUES (p_player_id, p_bet_id, 'ROLLED_BACK', true, 0, p_rollback_id, now(), v_response, '{}', '{}', '{}', '{}', '{}');
        PERFORM wallet._emit(p_player_id, 'bet.rolled_back', v_response || jsonb_build_object(
            'player_id', p_player_id, 'rollback_id', p_rollback_id, 'tombstone', true, 'reason', p_reason));
        RETURN v_response;
    END IF;

    -- Restore the sources; a settled bet first gives back what its settlement moved (HOLD nets
    -- out).  Postings are netted per bucket, coupon and pocket, so a bucket that both paid the
    -- stake and received the payout only gives back the difference.
    IF v_bet.status = 'AUTHORIZED' THEN
        v_postings := wallet._bet_restore_postings(v_bet) || wallet._pocket('HOLD', -v_bet.stake);
    ELSIF v_bet.result = 'VOID' THEN
        -- The VOID settlement already put every source back; what happened to that money since
        -- (a coupon reversed, cash spent) is not this bet's any more.  Nothing moves.
        v_postings := '{}';
    ELSE
        v_postings := wallet._bet_restore_postings(v_bet);
        v_payout_txns := wallet._bet_payout_txns(v_account.account_id, p_bet_id);
        -- The payout transactions (one, or two with a release) are read through a scalar
        -- subquery here and below: with the array in sight the planner counted its length, and
        -- a custom plan for one transaction looked cheaper than the generic plan's guess of ten,
        -- so both reads were planned on every rollback (tests/sql/test_plans_per_call.py).
        SELECT v_postings || coalesce(array_agg((e.bucket_type, e.pocket, e.coupon_id, -e.amount)::wallet.posting ORDER BY e.entry_no), '{}')
          INTO v_postings
          FROM wallet.ledger_entry e
         WHERE e.account_id = v_account.account_id AND e.txn_id = ANY ((SELECT v_payout_txns)::bigint[])
           AND e.pocket IS DISTINCT FROM 'HOLD';
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
                -- after the settlement: written later (by time, not id: docs/scaling.md C17)
                WHERE t.account_id = v_account.account_id AND t.kind = 'ROLLING_RELEASE' AND t.txn_id <> v_bet.settle_txn_id
                  AND t.created_at >= (SELECT s.created_at FROM wallet.ledger_txn s
                                        WHERE s.account_id = v_account.account_id AND s.txn_id = v_bet.settle_txn_id)
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
         WHERE e.account_id = v_account.account_id AND e.txn_id = ANY ((SELECT v_payout_txns)::bigint[])
           AND e.bucket_type IS NOT NULL;
    END IF;
    -- Credits first, so a bucket is never taken below zero half-way through.
    SELECT coalesce(array_agg(p ORDER BY p.amount DESC), '{}') INTO v_postings FROM unnest(v_postings) p;
    PERFORM wallet._post(v_account.account_id, 'BET_ROLLBACK', 'bet:' || p_bet_id, v_actor, v_postings, v_bet.topology_version);

    v_response := jsonb_build_object('bet_id', p_bet_id, 'status', 'ROLLED_BACK',
                                     'restored', wallet._bet_funding(v_bet),
                                     'payout_reversed', v_reversed, 'rolling', v_rolling);
    UPDATE wallet.bet SET status = 'ROLLED_BACK', rollback_id = p_rollback_id, rolled_back_at = now(), rollback_result = v_response
     WHERE account_id = v_account.account_id AND bet_id = p_bet_id;
    PERFORM wallet._auto_complete(v_account.account_id, ARRAY[v_bet.wallet_group], v_actor);
    PERFORM wallet._emit(v_account.account_id, 'bet.rolled_back', v_response || jsonb_build_object(
        'player_id', p_player_id, 'rollback_id', p_rollback_id, 'was', v_bet.status, 'reason', p_reason,
        'provider_type', v_bet.provider_type, 'wallet_group', v_bet.wallet_group, 'topology_version', v_bet.topology_version,
        'policy', jsonb_build_object('provider_type', v_bet.provider_type, 'version', v_bet.policy_version)));
    RETURN v_response;
END
$$;
