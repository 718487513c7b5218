-- Many settlements in one call (SPEC §5c, docs/adr/0006-batch-settlement.md): each item is
-- settled or refused on its own, with the answer the single command (game.bet_settle) gives it,
-- by the same internal functions (settle.sql: wallet._bet_settle_check, wallet._bet_settle_apply).

-- The problem document of a wallet error, as the API answers it (RFC 9457: type, title, status,
-- detail, code, and the error's JSON detail merged in, which never overrides those); the route
-- adds `instance`.  Any other error is INTERNAL_ERROR, as the API answers an unexpected fault.
CREATE OR REPLACE FUNCTION wallet._problem_body(p_sqlstate text, p_message text, p_detail text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_error wallet.error_code;
BEGIN
    SELECT * INTO v_error FROM wallet.error_code WHERE sqlstate = p_sqlstate;
    IF NOT FOUND THEN
        SELECT * INTO v_error FROM wallet.error_code WHERE code = 'INTERNAL_ERROR';
        RETURN jsonb_build_object('type', 'urn:ruby-wallet:error:' || v_error.code, 'title', v_error.title,
                                  'status', v_error.http_status, 'detail', 'an unexpected error occurred', 'code', v_error.code);
    END IF;
    RETURN CASE WHEN jsonb_typeof(p_detail::jsonb) = 'object' THEN p_detail::jsonb ELSE '{}'::jsonb END
           || jsonb_build_object('type', 'urn:ruby-wallet:error:' || v_error.code, 'title', v_error.title,
                                 'status', v_error.http_status, 'detail', coalesce(nullif(p_message, ''), v_error.title),
                                 'code', v_error.code);
END
$$;

-- The problems of a batch item's shape (the API sends only well-formed items; psql callers may
-- not): an object with string keys bet_id, settlement_id, player_id, result and an integer or
-- null payout, nothing else.  The values are checked by wallet._bet_settle_problems.
CREATE OR REPLACE FUNCTION wallet._bet_settle_item_problems(p_item jsonb)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN jsonb_typeof(p_item) IS DISTINCT FROM 'object'
                THEN wallet._problem('', 'must be an object: {"bet_id", "settlement_id", "player_id", "result", "payout"}')
                ELSE (SELECT coalesce(jsonb_agg(jsonb_build_object('path', f, 'message', 'must be a string') ORDER BY n), '[]')
                        FROM unnest(ARRAY['bet_id', 'settlement_id', 'player_id', 'result']) WITH ORDINALITY AS k(f, n)
                       WHERE p_item ? f AND jsonb_typeof(p_item -> f) <> 'string')
                     || CASE WHEN coalesce(jsonb_typeof(p_item -> 'payout'), 'null') = 'null' OR wallet._json_int(p_item -> 'payout') IS NOT NULL
                             THEN '[]'::jsonb ELSE wallet._problem('payout', 'must be an integer') END
                     || wallet._unknown_fields(p_item, ARRAY['bet_id', 'settlement_id', 'player_id', 'result', 'payout'], '',
                                               'a settlement') END
$$;

-- Settles many bets (SPEC §5c): up to 1,000 items, each exactly game.bet_settle's arguments as an
-- object {bet_id, settlement_id, player_id, result, payout}.  Answers one row per item, in list
-- order: its index (from 0), the HTTP status game.bet_settle's route answers it (200, or the
-- refusal's: 404, 409, 422) and the body (the settlement's answer, or the problem document
-- without `instance`).  Each item is applied or refused on its own, as if sent alone: a refused
-- item never undoes another; the same item again is a replay (answered the same, nothing moves).
-- One transaction: items are applied account by account in ascending account id (COLLATE "C"),
-- each account's in list order, so concurrent batches and single commands never deadlock; every
-- account stays locked until the call commits, so callers keep calls short (the API sends 50
-- items per call, in account order; from psql, split a long list into such calls).
-- Refusals are found before anything is written, without a subtransaction per item; a refusal
-- only writing finds (a bucket ceiling) rolls the call back to its start and applies the items
-- again, that one in a block of its own (docs/adr/0006-batch-settlement.md).
-- Raises VALIDATION_FAILED (p_settlements is not an array of 1 to 1,000 items); every item's
-- refusal is answered, not raised.
-- Locks: each account of the items, one at a time in ascending account id.  Raises: see above.  Writes: what game.bet_settle writes, per item settled.
-- Answers (HTTP): ruby_wallet.routes.bets.SettlementResults.
CREATE OR REPLACE FUNCTION game.bet_settle_batch(p_settlements jsonb, p_actor text DEFAULT NULL)
RETURNS TABLE (index integer, status integer, body jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_count integer := CASE WHEN jsonb_typeof(p_settlements) = 'array' THEN jsonb_array_length(p_settlements) END;
    v_bet_ids text[];
    v_players text[];
    v_keys text[];
    v_results text[];
    v_payouts bigint[];
    v_problems jsonb[];
    v_order integer[];
    v_status integer[];
    v_body jsonb[];
    v_guarded integer[] := '{}'::integer[];
    v_attempt integer := 0;
    v_i integer;
    v_current integer;
    v_locked text;
    v_found boolean;
    v_account wallet.account;
    v_bet wallet.bet;
    v_state text;
    v_message text;
    v_detail text;
BEGIN
    IF v_count IS NULL OR v_count NOT BETWEEN 1 AND 1000 THEN
        PERFORM wallet._raise_invalid(wallet._problem('settlements', 'must be an array of 1 to 1000 settlements'));
    END IF;
    -- Every item's values and problems in one pass, and the order the valid ones are applied in.
    -- The problem lists are built only for items that fail the checks (OFFSET 0: once per item).
    SELECT array_agg(t.bet_id ORDER BY t.n), array_agg(t.player_id ORDER BY t.n), array_agg(t.settlement_id ORDER BY t.n),
           array_agg(t.result ORDER BY t.n), array_agg(t.payout ORDER BY t.n), array_agg(t.problems ORDER BY t.n),
           coalesce(array_agg(t.n ORDER BY t.player_id COLLATE "C", t.n) FILTER (WHERE t.problems = '[]'), '{}')
      INTO v_bet_ids, v_players, v_keys, v_results, v_payouts, v_problems, v_order
      FROM (SELECT f.n, f.bet_id, f.player_id, f.settlement_id, f.result, f.payout,
                   CASE WHEN NOT f.shape_ok THEN wallet._bet_settle_item_problems(f.item)
                        ELSE wallet._bet_settle_problems(f.bet_id, f.player_id, f.settlement_id, f.result, f.payout) END AS problems
              FROM (SELECT e.n::integer AS n, e.item,
                           CASE WHEN jsonb_typeof(e.item) = 'object' THEN
                           e.item - ARRAY['bet_id', 'settlement_id', 'player_id', 'result', 'payout'] = '{}'::jsonb
                           AND coalesce(jsonb_typeof(e.item -> 'bet_id'), 'string') = 'string'
                           AND coalesce(jsonb_typeof(e.item -> 'settlement_id'), 'string') = 'string'
                           AND coalesce(jsonb_typeof(e.item -> 'player_id'), 'string') = 'string'
                           AND coalesce(jsonb_typeof(e.item -> 'result'), 'string') = 'string'
                           AND (coalesce(jsonb_typeof(e.item -> 'payout'), 'null') = 'null'
                                OR wallet._json_int(e.item -> 'payout') IS NOT NULL) ELSE false END AS shape_ok,
                           CASE WHEN jsonb_typeof(e.item -> 'bet_id') = 'string' THEN e.item ->> 'bet_id' END AS bet_id,
                           CASE WHEN jsonb_typeof(e.item -> 'player_id') = 'string' THEN e.item ->> 'player_id' END AS player_id,
                           CASE WHEN jsonb_typeof(e.item -> 'settlement_id') = 'string' THEN e.item ->> 'settlement_id' END AS settlement_id,
                           CASE WHEN jsonb_typeof(e.item -> 'result') = 'string' THEN e.item ->> 'result' END AS result,
                           CASE WHEN jsonb_typeof(e.item) = 'object' THEN wallet._json_int(e.item -> 'payout') END AS payout
                      FROM jsonb_array_elements(p_settlements) WITH ORDINALITY AS e(item, n)) f
            OFFSET 0) t;
    v_status := array_fill(NULL::integer, ARRAY[v_count]);
    v_body := array_fill(NULL::jsonb, ARRAY[v_count]);
    -- An invalid item is refused as the single command refuses it (its problems, its message).
    FOR v_i IN 1..v_count LOOP
        CONTINUE WHEN v_problems[v_i] = '[]';
        BEGIN
            PERFORM wallet._raise_invalid(v_problems[v_i]);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
            v_body[v_i] := wallet._problem_body(v_state, v_message, v_detail);
            v_status[v_i] := (v_body[v_i] ->> 'status')::integer;
        END;
    END LOOP;

    <<attempts>>
    LOOP
        v_attempt := v_attempt + 1;
        -- One block around all the writes: a refusal that only writing finds rolls back to here
        -- (releasing the locks taken in it), and the next attempt applies that item in a block
        -- of its own.  No other block writes, so the transaction holds one subtransaction id.
        BEGIN
            v_locked := NULL;
            FOREACH v_i IN ARRAY v_order LOOP
                v_current := v_i;
                -- The account lock, in ascending account id, in a statement of its own (as
                -- game.bet_settle takes it); held to the end of the call.
                IF v_locked IS DISTINCT FROM v_players[v_i] THEN
                    SELECT * INTO v_account FROM wallet.account WHERE account_id = v_players[v_i] FOR UPDATE;
                    v_found := FOUND;
                    v_locked := v_players[v_i];
                END IF;
                -- The refusals before anything is written: caught here, they roll back nothing
                -- this block wrote, and this block, which writes nothing, takes no transaction id.
                BEGIN
                    IF NOT v_found THEN
                        v_account := wallet._lock_account(v_players[v_i]);  -- raises UNKNOWN_ACCOUNT
                        v_found := true;
                    END IF;
                    v_bet := wallet._bet_settle_check(v_account, v_bet_ids[v_i], v_keys[v_i], v_results[v_i], v_payouts[v_i]);
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
                    IF v_state IN ('40001', '40P01') THEN
                        RAISE;
                    END IF;
                    v_body[v_i] := wallet._problem_body(v_state, v_message, v_detail);
                    v_status[v_i] := (v_body[v_i] ->> 'status')::integer;
                    CONTINUE;
                END;
                IF v_i = ANY (v_guarded) THEN
                    BEGIN
                        v_body[v_i] := wallet._bet_settle_apply(v_bet, v_keys[v_i], v_results[v_i], v_payouts[v_i], v_actor);
                        v_status[v_i] := 200;
                    EXCEPTION WHEN OTHERS THEN
                        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
                        IF v_state IN ('40001', '40P01') THEN
                            RAISE;
                        END IF;
                        v_body[v_i] := wallet._problem_body(v_state, v_message, v_detail);
                        v_status[v_i] := (v_body[v_i] ->> 'status')::integer;
                    END;
                ELSE
                    v_body[v_i] := wallet._bet_settle_apply(v_bet, v_keys[v_i], v_results[v_i], v_payouts[v_i], v_actor);
                    v_status[v_i] := 200;
                END IF;
            END LOOP;
            EXIT attempts;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
            IF v_state IN ('40001', '40P01') OR v_current = ANY (v_guarded) OR v_attempt > v_count THEN
                RAISE;
            END IF;
            IF wallet._problem_body(v_state, v_message, NULL) ->> 'code' = 'INTERNAL_ERROR' THEN
                RAISE WARNING 'game.bet_settle_batch: item % failed: % (SQLSTATE %)', v_current - 1, v_message, v_state;
            END IF;
            v_guarded := v_guarded || v_current;
        END;
    END LOOP;

    RETURN QUERY SELECT n - 1, v_status[n], v_body[n] FROM generate_series(1, v_count) AS n;
END
$$;
