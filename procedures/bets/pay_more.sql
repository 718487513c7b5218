-- Paying a settled bet more: a casino round's later win (SPEC §10) goes to the bets it won
-- with, by their snapshots.  Internal to the wallet (the casino functions call it with the
-- account locked); the bets domain owns it so its rules stay with the bet's: a rewrite of the
-- bet's records keeps wallet._bet_pay_more and wallet._bet_payout_txns working (pgTAP:
-- tests/sql/pgtap/26_bet_pay_more.sql).

-- The ledger transactions that paid a bet out: its settlement, then every payout added since
-- (wallet._bet_pay_more), in order.  A rollback reverses all of them; empty for a bet never settled.
-- PL/pgSQL, not SQL: on Citus a SQL function with parameters over distributed tables cannot be
-- planned (docs/scaling.md C11); callers take the list into a variable before their own query (C6).
CREATE OR REPLACE FUNCTION wallet._bet_payout_txns(p_account_id text, p_bet_id text)
RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT array_remove(ARRAY[(SELECT settle_txn_id FROM wallet.bet WHERE account_id = p_account_id AND bet_id = p_bet_id)], NULL)
                   || ARRAY(SELECT txn_id FROM wallet.bet_extra_payout WHERE account_id = p_account_id AND bet_id = p_bet_id
                            ORDER BY created_at, txn_id));
END
$$;

-- Per funding source of a bet (in funding order): what its free-bet withholding has taken so
-- far, over the first settlement and every payout added since (each split on its own).  Only
-- sources with stake_returned = false ever withhold, and never more than their stake.
CREATE OR REPLACE FUNCTION wallet._bet_withheld_so_far(p_account_id text, p_bet_id text)
RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_bet wallet.bet;
    v_sources wallet.settle_source[];
    v_returned wallet.settle_source[];
    v_withheld bigint[];
    v_extra record;
    v_share wallet.settle_share;
    v_i integer;
BEGIN
    SELECT * INTO v_bet FROM wallet.bet WHERE account_id = p_account_id AND bet_id = p_bet_id;
    v_sources := ARRAY(SELECT (coalesce(bucket_type, 'coupon:' || coupon_id), kind, amount, destination, stake_returned)::wallet.settle_source
                         FROM wallet.bet_source WHERE account_id = p_account_id AND bet_id = p_bet_id ORDER BY seq);
    v_returned := ARRAY(SELECT (s.source, s.kind, s.amount, s.destination, true)::wallet.settle_source FROM unnest(v_sources) s);
    SELECT array_agg(w.withheld ORDER BY n) INTO v_withheld
      FROM unnest(wallet._settlement_split(
               v_bet.payout - coalesce((SELECT sum(amount) FROM wallet.bet_extra_payout
                                         WHERE account_id = p_account_id AND bet_id = p_bet_id), 0)::bigint,
               v_sources)) WITH ORDINALITY w(source, destination, share, credit, withheld, n);
    FOR v_extra IN SELECT amount FROM wallet.bet_extra_payout
                    WHERE account_id = p_account_id AND bet_id = p_bet_id ORDER BY created_at, txn_id LOOP
        v_i := 0;
        FOREACH v_share IN ARRAY wallet._settlement_split(v_extra.amount, v_returned) LOOP
            v_i := v_i + 1;
            IF NOT v_sources[v_i].stake_returned THEN
                v_withheld[v_i] := v_withheld[v_i] + least(v_share.share, v_sources[v_i].amount - v_withheld[v_i]);
            END IF;
        END LOOP;
    END LOOP;
    RETURN v_withheld;
END
$$;

-- Pays p_amount more on a SETTLED bet that is not VOID (a later win of its casino round): the
-- amount is split over the bet's funding sources pro rata to their stake (largest remainder,
-- wallet._settlement_split), each share credited to the destination its source names in the
-- bet's snapshot; a free-bet coupon source withholds, to the PROMOTION pocket, only what of its
-- stake earlier payouts of the bet did not withhold.  The HOUSE pocket pays (the stake's HOLD
-- was released at settlement).  No rolling progress: the stake counted once, at settlement.
-- The bet's payout grows by p_amount and the payout is recorded in wallet.bet_extra_payout, so
-- that wallet.bet_rollback reverses it together with the settlement.
-- Call only with the account locked.  Writes ledger BET_PAYOUT, outbox bet.payout_added.
-- Raises VALIDATION_FAILED, BET_NOT_FOUND, BET_ALREADY_ROLLED_BACK, INVALID_STATE.
CREATE OR REPLACE FUNCTION wallet._bet_pay_more(p_account_id text, p_bet_id text, p_amount bigint, p_ref text,
                                                p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_bet wallet.bet;
    v_sources wallet.settle_source[];
    v_withheld_before bigint[];
    v_lines jsonb := '[]'::jsonb;
    v_share wallet.settle_share;
    v_i integer := 0;
    v_withheld bigint;
    v_withheld_total bigint := 0;
    v_postings wallet.posting[];
    v_credits jsonb;
    v_txn wallet.ledger_txn;
    v_response jsonb;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check_amount('[]', p_amount, 'amount'));
    SELECT * INTO v_bet FROM wallet.bet WHERE account_id = p_account_id AND bet_id = p_bet_id;
    IF NOT FOUND THEN
        PERFORM wallet._fail('BET_NOT_FOUND', format('no bet %s for player %s', p_bet_id, p_account_id),
                             jsonb_build_object('bet_id', p_bet_id));
    ELSIF v_bet.status = 'ROLLED_BACK' THEN
        PERFORM wallet._fail('BET_ALREADY_ROLLED_BACK', format('bet %s was rolled back', p_bet_id),
                             jsonb_build_object('bet_id', p_bet_id));
    ELSIF v_bet.status <> 'SETTLED' OR v_bet.result = 'VOID' THEN
        PERFORM wallet._fail('INVALID_STATE', format('bet %s is %s: only a settled bet that is not VOID is paid more', p_bet_id,
                                                     coalesce(v_bet.result, v_bet.status)),
                             jsonb_build_object('bet_id', p_bet_id, 'status', v_bet.status, 'result', v_bet.result));
    END IF;

    v_sources := ARRAY(SELECT (coalesce(bucket_type, 'coupon:' || coupon_id), kind, amount, destination, stake_returned)::wallet.settle_source
                         FROM wallet.bet_source WHERE account_id = p_account_id AND bet_id = p_bet_id ORDER BY seq);
    v_withheld_before := wallet._bet_withheld_so_far(p_account_id, p_bet_id);
    FOREACH v_share IN ARRAY wallet._settlement_split(p_amount, ARRAY(
            SELECT (s.source, s.kind, s.amount, s.destination, true)::wallet.settle_source FROM unnest(v_sources) s)) LOOP
        v_i := v_i + 1;
        v_withheld := CASE WHEN v_sources[v_i].stake_returned THEN 0
                           ELSE least(v_share.share, v_sources[v_i].amount - v_withheld_before[v_i]) END;
        v_withheld_total := v_withheld_total + v_withheld;
        v_lines := v_lines || jsonb_build_object('destination', v_share.destination, 'credit', v_share.share - v_withheld);
    END LOOP;

    SELECT coalesce(array_agg(wallet._bucket(destination, credit) ORDER BY destination), '{}'),
           coalesce(jsonb_agg(jsonb_build_object('bucket_type', destination, 'amount', credit) ORDER BY destination), '[]')
      INTO v_postings, v_credits
      FROM (SELECT l->>'destination' AS destination, sum((l->>'credit')::bigint)::bigint AS credit
              FROM jsonb_array_elements(v_lines) l GROUP BY 1 HAVING sum((l->>'credit')::bigint) > 0) per_destination;
    v_txn := wallet._post(p_account_id, 'BET_PAYOUT', 'bet:' || p_bet_id, p_actor,
                             v_postings || wallet._pocket('PROMOTION', v_withheld_total) || wallet._pocket('HOUSE', -p_amount),
                             v_bet.topology_version);
    INSERT INTO wallet.bet_extra_payout (account_id, bet_id, txn_id, amount, withheld, ref)
    VALUES (p_account_id, p_bet_id, v_txn.txn_id, p_amount, v_withheld_total, p_ref);
    UPDATE wallet.bet SET payout = payout + p_amount WHERE account_id = p_account_id AND bet_id = p_bet_id;

    v_response := jsonb_build_object('bet_id', p_bet_id, 'status', 'SETTLED', 'result', v_bet.result,
                                     'payout_added', p_amount, 'payout', v_bet.payout + p_amount, 'credits', v_credits,
                                     'withheld', v_withheld_total);
    PERFORM wallet._emit(p_account_id, 'bet.payout_added', v_response || jsonb_build_object(
        'player_id', p_account_id, 'ref', p_ref, 'stake', v_bet.stake, 'provider_type', v_bet.provider_type,
        'wallet_group', v_bet.wallet_group, 'topology_version', v_bet.topology_version,
        'policy', jsonb_build_object('provider_type', v_bet.provider_type, 'version', v_bet.policy_version)));
    RETURN v_response;
END
$$;
