-- Many settlements in one call (SPEC §5c, docs/adr/0006-batch-settlement.md): each item is
-- settled or refused on its own, with the answer the single command (game.bet_settle) gives it:
-- the plain items of a call together (wallet._bet_settle_plain, by the settlement's named rules
-- in settle.sql), the others by the single command's own internal functions
-- (wallet._bet_settle_check, wallet._bet_settle_apply).

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

-- Where one account's rows are in a list of account ids sorted in ascending order (COLLATE "C"),
-- looking from position p_from on: {first, last}; {first, first - 1} when it has none there.
CREATE OR REPLACE FUNCTION wallet._rows_of(p_accounts text[], p_account text, p_from integer)
RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_first integer := p_from;
    v_last integer;
BEGIN
    WHILE v_first <= cardinality(p_accounts) AND p_accounts[v_first] < p_account COLLATE "C" LOOP
        v_first := v_first + 1;
    END LOOP;
    v_last := v_first - 1;
    WHILE v_last < cardinality(p_accounts) AND p_accounts[v_last + 1] = p_account LOOP
        v_last := v_last + 1;
    END LOOP;
    RETURN ARRAY[v_first, v_last];
END
$$;

-- The plain items of a batch call, settled together (docs/adr/0006-batch-settlement.md, "The
-- plain path"): an item is plain when its account is active, its bet AUTHORIZED and not named
-- before in the call, its settlement id unused, its postings move buckets that exist (no coupon)
-- within 0 and the ceiling, its rolling progress completes no obligation (and is taken by the
-- group's five oldest active obligations of each kind, the ones read), and no auto-completion
-- can follow it (no active DEPOSIT obligation in the group, no active group policy, or the
-- group's cash above the policy's threshold).  A plain item is settled as game.bet_settle would
-- settle it — the same rules (wallet._bet_settle_postings, wallet._bet_cash_stake,
-- wallet._rolling_earned, wallet._rolling_share, wallet._entry_target) worked in memory on the
-- rows read once for the call, and the same answer and event — and the call's writes are one
-- statement per table.  The first item of an account that is not plain, and every later item
-- of that account, are left to the per-item path (p_rest, in p_order's order), which runs after
-- these writes and sees them.
-- p_order: the valid items in account order (ascending account id, COLLATE "C", then list
-- order); p_accounts, p_statuses: the items' accounts that exist, locked by the caller, in that
-- order.  p_body: each plain item's answer at its index (NULL for the others).
-- Locks: nothing (the caller holds the accounts).  Raises: nothing of its own (a row rule would
-- be a bug).  Writes: per plain item what game.bet_settle writes (ledger BET_SETTLE, buckets,
-- rolling progress, the bet, outbox bet.settled), one statement per table for the call.
CREATE OR REPLACE FUNCTION wallet._bet_settle_plain(p_order integer[], p_players text[], p_bet_ids text[], p_keys text[],
                                                    p_results text[], p_payouts bigint[], p_accounts text[], p_statuses text[],
                                                    p_actor text, OUT p_body jsonb[], OUT p_rest integer[])
LANGUAGE plpgsql AS $$
DECLARE
    -- Read once for the call: per position in p_order the bet its item names and whether its
    -- settlement id settled a bet already; the accounts' buckets (with kind and group in the
    -- active topology) and the first active obligations of their groups (in the order rolling
    -- progress fills them), in account order; the active group policies.
    v_bets wallet.bet[];
    v_keyed boolean[];
    bk_account text[];
    bk_type text[];
    bk_kind text[];
    bk_group text[];
    bk_read bigint[];
    bk_balance bigint[];
    ob_account text[];
    ob_id bigint[];
    ob_group text[];
    ob_kind text[];
    ob_required bigint[];
    ob_read bigint[];
    ob_progress bigint[];
    ob_more boolean[];
    gp_group text[];
    gp_below bigint[];
    -- The account the loop is in, and where its rows are in the lists above.
    v_account text;
    v_open boolean;
    v_plain boolean;
    v_seen_bets text[];
    v_seen_keys text[];
    ac_at integer := 1;
    bk_lo integer := 1;
    bk_hi integer;
    ob_lo integer := 1;
    ob_hi integer;
    v_rows integer[];
    -- One item.
    v_i integer;
    v_bet wallet.bet;
    v_payout bigint;
    v_ok boolean;
    v_p wallet.posting;
    v_k integer;
    v_balance bigint;
    v_targets text[];
    v_amounts bigint[];
    v_after bigint[];
    v_moved integer[];
    v_moved_to bigint[];
    v_left_deposit bigint;
    v_left_bonus bigint;
    v_amount bigint;
    v_deposit_active boolean;
    v_filled integer[];
    v_shares bigint[];
    v_touched jsonb;
    v_below bigint;
    v_cash bigint;
    v_txn wallet.ledger_txn;
    v_answer jsonb;
    -- The call's writes.
    w_txns wallet.ledger_txn[] := '{}'::wallet.ledger_txn[];
    w_bets wallet.bet[] := '{}'::wallet.bet[];
    w_event_accounts text[] := '{}'::text[];
    w_events jsonb[] := '{}'::jsonb[];
    w_rp_account text[] := '{}'::text[];
    w_rp_id bigint[] := '{}'::bigint[];
    w_rp_bet text[] := '{}'::text[];
    w_rp_amount bigint[] := '{}'::bigint[];
BEGIN
    p_rest := '{}';
    p_body := array_fill(NULL::jsonb, ARRAY[cardinality(p_players)]);
    SELECT coalesce(array_agg(b ORDER BY o.n), '{}'), coalesce(array_agg(s.bet_id IS NOT NULL ORDER BY o.n), '{}')
      INTO v_bets, v_keyed
      FROM unnest(p_order) WITH ORDINALITY AS o(i, n)
      LEFT JOIN wallet.bet b ON b.account_id = p_players[o.i] AND b.bet_id = p_bet_ids[o.i]
      LEFT JOIN wallet.bet s ON s.account_id = p_players[o.i] AND s.settlement_id = p_keys[o.i];
    SELECT coalesce(array_agg(b.account_id ORDER BY b.account_id COLLATE "C", b.bucket_type), '{}'),
           coalesce(array_agg(b.bucket_type ORDER BY b.account_id COLLATE "C", b.bucket_type), '{}'),
           coalesce(array_agg(bt.kind ORDER BY b.account_id COLLATE "C", b.bucket_type), '{}'),
           coalesce(array_agg(bt.wallet_group ORDER BY b.account_id COLLATE "C", b.bucket_type), '{}'),
           coalesce(array_agg(b.balance ORDER BY b.account_id COLLATE "C", b.bucket_type), '{}')
      INTO bk_account, bk_type, bk_kind, bk_group, bk_read
      FROM wallet.bucket b
      LEFT JOIN wallet.topology_version t ON t.status = 'ACTIVE'
      LEFT JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = b.bucket_type
     WHERE b.account_id = ANY (p_accounts);
    -- Of each account and group the items settle in, the first five active obligations of each
    -- kind in fill order (the index rolling_active's), and a sixth when there is one: a marker
    -- that more exist (an item whose progress reaches it is the per-item path's).
    SELECT coalesce(array_agg(x.account_id ORDER BY x.account_id COLLATE "C", x.wallet_group, o.kind DESC, o.n), '{}'),
           coalesce(array_agg(o.rolling_id ORDER BY x.account_id COLLATE "C", x.wallet_group, o.kind DESC, o.n), '{}'),
           coalesce(array_agg(x.wallet_group ORDER BY x.account_id COLLATE "C", x.wallet_group, o.kind DESC, o.n), '{}'),
           coalesce(array_agg(o.kind ORDER BY x.account_id COLLATE "C", x.wallet_group, o.kind DESC, o.n), '{}'),
           coalesce(array_agg(o.required ORDER BY x.account_id COLLATE "C", x.wallet_group, o.kind DESC, o.n), '{}'),
           coalesce(array_agg(o.progress ORDER BY x.account_id COLLATE "C", x.wallet_group, o.kind DESC, o.n), '{}'),
           coalesce(array_agg(o.n > 5 ORDER BY x.account_id COLLATE "C", x.wallet_group, o.kind DESC, o.n), '{}')
      INTO ob_account, ob_id, ob_group, ob_kind, ob_required, ob_read, ob_more
      FROM (SELECT DISTINCT b.account_id, b.wallet_group FROM unnest(v_bets) AS b WHERE b.status = 'AUTHORIZED') x
     CROSS JOIN (VALUES ('DEPOSIT'), ('BONUS')) AS k(kind)
     CROSS JOIN LATERAL (SELECT r.rolling_id, r.kind, r.required, r.progress,
                                row_number() OVER (ORDER BY r.created_at, r.rolling_id) AS n
                           FROM wallet.rolling_obligation r
                          WHERE r.account_id = x.account_id AND r.wallet_group = x.wallet_group AND r.kind = k.kind
                            AND r.status = 'ACTIVE'
                          ORDER BY r.created_at, r.rolling_id
                          LIMIT 6) o;
    SELECT coalesce(array_agg(gp.wallet_group), '{}'), coalesce(array_agg(gp.auto_complete_below), '{}')
      INTO gp_group, gp_below
      FROM wallet.group_policy gp WHERE gp.status = 'ACTIVE';
    bk_balance := bk_read;
    ob_progress := ob_read;

    FOR v_pos IN 1 .. cardinality(p_order) LOOP
        v_i := p_order[v_pos];
        IF v_account IS DISTINCT FROM p_players[v_i] THEN
            v_account := p_players[v_i];
            v_rows := wallet._rows_of(p_accounts, v_account, ac_at);
            ac_at := v_rows[1];
            v_open := v_rows[2] >= ac_at AND p_statuses[ac_at] = 'active';
            v_rows := wallet._rows_of(bk_account, v_account, bk_lo);
            bk_lo := v_rows[1];
            bk_hi := v_rows[2];
            v_rows := wallet._rows_of(ob_account, v_account, ob_lo);
            ob_lo := v_rows[1];
            ob_hi := v_rows[2];
            v_plain := true;
            v_seen_bets := '{}';
            v_seen_keys := '{}';
        END IF;
        IF NOT v_plain THEN
            p_rest := p_rest || v_i;
            CONTINUE;
        END IF;

        -- The refusals and replays are the per-item path's.
        v_bet := v_bets[v_pos];
        v_ok := coalesce(v_open AND v_bet.status = 'AUTHORIZED' AND NOT v_keyed[v_pos]
                         AND NOT (v_bet.bet_id = ANY (v_seen_bets)) AND NOT (p_keys[v_i] = ANY (v_seen_keys)), false);
        -- The entries, with each bucket's balance after (the bucket must exist, stay within 0
        -- and the ceiling; a coupon is the per-item path's).
        v_payout := wallet._settle_paid(p_results[v_i], p_payouts[v_i]);
        v_targets := '{}';
        v_amounts := '{}';
        v_after := '{}';
        v_moved := '{}';
        v_moved_to := '{}';
        IF v_ok THEN
            FOREACH v_p IN ARRAY wallet._bet_settle_postings(v_bet, p_results[v_i], v_payout) LOOP
                CONTINUE WHEN v_p.amount = 0;
                v_balance := NULL;
                IF v_p.coupon_id IS NOT NULL THEN
                    v_ok := false;
                ELSIF v_p.bucket_type IS NOT NULL THEN
                    v_k := NULL;
                    FOR k IN bk_lo .. bk_hi LOOP
                        IF bk_type[k] = v_p.bucket_type THEN
                            v_k := k;
                        END IF;
                    END LOOP;
                    v_balance := bk_balance[v_k] + v_p.amount;
                    v_ok := coalesce(v_balance BETWEEN 0 AND wallet._bucket_ceiling(), false);
                    v_moved := v_moved || v_k;
                    v_moved_to := v_moved_to || v_balance;
                END IF;
                EXIT WHEN NOT v_ok;
                v_targets := v_targets || wallet._entry_target(v_p);
                v_amounts := v_amounts || v_p.amount;
                v_after := v_after || v_balance;
            END LOOP;
            v_ok := v_ok AND cardinality(v_targets) > 0;
        END IF;
        -- Rolling progress (no obligation may complete: its release is the per-item path's).
        v_filled := '{}';
        v_shares := '{}';
        v_touched := '[]';
        v_deposit_active := false;
        IF v_ok THEN
            v_left_deposit := greatest(wallet._rolling_earned(p_results[v_i], wallet._bet_cash_stake(v_bet), v_bet.odds,
                                       v_bet.rolling_bps, v_bet.rolling_min_odds, v_bet.rolling_void_counts), 0);
            v_left_bonus := greatest(wallet._rolling_earned(p_results[v_i], v_bet.stake, v_bet.odds,
                                     v_bet.rolling_bps, v_bet.rolling_min_odds, v_bet.rolling_void_counts), 0);
            FOR k IN ob_lo .. ob_hi LOOP
                CONTINUE WHEN ob_group[k] IS DISTINCT FROM v_bet.wallet_group;
                v_deposit_active := v_deposit_active OR ob_kind[k] = 'DEPOSIT';
                IF ob_more[k] THEN
                    -- More of this kind than were read: progress left for it is the per-item path's.
                    v_ok := CASE ob_kind[k] WHEN 'DEPOSIT' THEN v_left_deposit ELSE v_left_bonus END = 0;
                    EXIT WHEN NOT v_ok;
                    CONTINUE;
                END IF;
                v_amount := wallet._rolling_share(ob_kind[k], ob_required[k] - ob_progress[k], v_left_deposit, v_left_bonus);
                CONTINUE WHEN v_amount <= 0;
                IF ob_kind[k] = 'DEPOSIT' THEN
                    v_left_deposit := v_left_deposit - v_amount;
                ELSE
                    v_left_bonus := v_left_bonus - v_amount;
                END IF;
                IF ob_progress[k] + v_amount >= ob_required[k] THEN
                    v_ok := false;
                    EXIT;
                END IF;
                v_filled := v_filled || k;
                v_shares := v_shares || v_amount;
                v_touched := v_touched || jsonb_build_array(wallet._rolling_touched(ob_id[k], ob_progress[k] + v_amount, ob_required[k]));
            END LOOP;
        END IF;
        -- Auto-completion (wallet._auto_complete) cannot follow when the group's cash after the
        -- settlement is above the active group policy's threshold; otherwise the per-item path decides.
        IF v_ok AND v_deposit_active THEN
            v_below := NULL;
            FOR k IN 1 .. cardinality(gp_group) LOOP
                IF gp_group[k] = v_bet.wallet_group THEN
                    v_below := gp_below[k];
                END IF;
            END LOOP;
            IF v_below IS NOT NULL THEN
                v_cash := 0;
                FOR k IN bk_lo .. bk_hi LOOP
                    IF bk_kind[k] = 'CASH' AND bk_group[k] = v_bet.wallet_group THEN
                        v_cash := v_cash + coalesce(v_moved_to[array_position(v_moved, k)], bk_balance[k]);
                    END IF;
                END LOOP;
                v_ok := v_cash > v_below;
            END IF;
        END IF;
        IF NOT v_ok THEN
            v_plain := false;
            p_rest := p_rest || v_i;
            CONTINUE;
        END IF;

        -- Settled: the balances and progress move, the rows to write are kept.
        FOR j IN 1 .. cardinality(v_moved) LOOP
            bk_balance[v_moved[j]] := v_moved_to[j];
        END LOOP;
        FOR j IN 1 .. cardinality(v_filled) LOOP
            ob_progress[v_filled[j]] := ob_progress[v_filled[j]] + v_shares[j];
            w_rp_account := w_rp_account || v_account;
            w_rp_id := w_rp_id || ob_id[v_filled[j]];
            w_rp_bet := w_rp_bet || v_bet.bet_id;
            w_rp_amount := w_rp_amount || v_shares[j];
        END LOOP;
        v_txn.account_id := v_account;
        v_txn.txn_id := nextval('wallet.ledger_txn_id_seq');
        v_txn.kind := 'BET_SETTLE';
        v_txn.ref := 'bet:' || v_bet.bet_id;
        v_txn.actor := p_actor;
        v_txn.topology_version := v_bet.topology_version;
        v_txn.targets := v_targets;
        v_txn.amounts := v_amounts;
        v_txn.balances_after := v_after;
        w_txns := w_txns || v_txn;
        v_bet.status := 'SETTLED';
        v_bet.result := p_results[v_i];
        v_bet.payout := v_payout;
        v_bet.settlement_id := p_keys[v_i];
        v_bet.settled_at := now();
        v_bet.settle_txn_id := v_txn.txn_id;
        v_bet.settle_rolling := nullif(v_touched, '[]'::jsonb);
        w_bets := w_bets || v_bet;
        v_answer := wallet._bet_settled_answer(v_bet, v_targets, v_amounts);
        w_event_accounts := w_event_accounts || v_account;
        w_events := w_events || wallet._bet_settled_event(v_bet, v_answer);
        p_body[v_i] := v_answer;
        v_seen_bets := v_seen_bets || v_bet.bet_id;
        v_seen_keys := v_seen_keys || p_keys[v_i];
    END LOOP;

    -- The writes, one statement per table, in game.bet_settle's order.
    IF cardinality(w_bets) = 0 THEN
        RETURN;
    END IF;
    UPDATE wallet.bucket b SET balance = x.balance
      FROM unnest(bk_account, bk_type, bk_balance, bk_read) AS x(account_id, bucket_type, balance, was)
     WHERE x.balance <> x.was AND b.account_id = x.account_id AND b.bucket_type = x.bucket_type;
    INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, topology_version, targets, amounts, balances_after)
    SELECT t.account_id, t.txn_id, t.kind, t.ref, t.actor, t.topology_version, t.targets, t.amounts, t.balances_after
      FROM unnest(w_txns) AS t;
    UPDATE wallet.rolling_obligation o SET progress = x.progress
      FROM unnest(ob_account, ob_id, ob_progress, ob_read) AS x(account_id, rolling_id, progress, was)
     WHERE x.progress <> x.was AND o.account_id = x.account_id AND o.rolling_id = x.rolling_id;
    INSERT INTO wallet.rolling_progress (account_id, rolling_id, bet_id, amount)
    SELECT * FROM unnest(w_rp_account, w_rp_id, w_rp_bet, w_rp_amount);
    UPDATE wallet.bet b SET status = x.status, result = x.result, payout = x.payout, settlement_id = x.settlement_id,
                            settled_at = x.settled_at, settle_txn_id = x.settle_txn_id, settle_rolling = x.settle_rolling
      FROM unnest(w_bets) AS x
     WHERE b.account_id = x.account_id AND b.bet_id = x.bet_id;
    INSERT INTO wallet.outbox (account_id, event_type, payload)
    SELECT x.account_id, 'bet.settled', x.payload
      FROM unnest(w_event_accounts, w_events) WITH ORDINALITY AS x(account_id, payload, n)
     ORDER BY x.n;
END
$$;

-- Settles many bets (SPEC §5c): up to 1,000 items, each exactly game.bet_settle's arguments as an
-- object {bet_id, settlement_id, player_id, result, payout}.  Answers one row per item, in list
-- order: its index (from 0), the HTTP status game.bet_settle's route answers it (200, or the
-- refusal's: 404, 409, 422) and the body (the settlement's answer, or the problem document
-- without `instance`).  Each item is applied or refused on its own, as if sent alone: a refused
-- item never undoes another; the same item again is a replay (answered the same, nothing moves).
-- One transaction: the call's accounts are locked first, in one statement, in ascending account
-- id (COLLATE "C"), and items are applied account by account in that order, each account's in
-- list order, so concurrent batches and single commands never deadlock; every account stays
-- locked until the call commits, so callers keep calls short (the API sends 50 items per call,
-- in account order; from psql, split a long list into such calls).  The plain items (an open
-- bet of an active account whose settlement completes no obligation and leaves the group's cash
-- above the auto-completion threshold, wallet._bet_settle_plain) are settled together; from the
-- first item of an account that is not plain, that account's items are settled one by one.
-- Refusals are found before anything is written, without a subtransaction per item; a refusal
-- only writing finds (a bucket ceiling) rolls the call back to its start and applies the items
-- again, that one in a block of its own (docs/adr/0006-batch-settlement.md).  On Citus every
-- item goes the one-by-one way, each account locked in a statement of its own.
-- Raises VALIDATION_FAILED (p_settlements is not an array of 1 to 1,000 items); every item's
-- refusal is answered, not raised.
-- Locks: every account of the items, in one statement, in ascending account id (on Citus one at a time, in that order).  Raises: see above.  Writes: what game.bet_settle writes, per item settled.
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
    v_accounts text[];
    v_statuses text[];
    v_rest integer[];
    v_plain jsonb[];
    v_plain_failed boolean := false;
    v_distributed boolean := wallet._distributed();
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
    -- The inner OFFSET 0 hands the checks plain columns, not the expressions that extract them:
    -- with an expression for an argument it uses more than once, wallet._bet_settle_problems is
    -- not inlined and its body is planned again for every item.
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
                      FROM jsonb_array_elements(p_settlements) WITH ORDINALITY AS e(item, n)
                    OFFSET 0) f
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
            -- The plain items together (wallet._bet_settle_plain), unless that failed before (a bug:
            -- then every item goes the per-item way) or the wallet runs on Citus (where a call
            -- should not span nodes: the per-item way locks one account at a time); the rest item
            -- by item, in the same order.
            v_current := NULL;
            v_rest := v_order;
            IF NOT v_plain_failed AND NOT v_distributed THEN
                -- Every account of the valid items locked first, in ascending account id, in a
                -- statement of its own (what is read next is read after it); held to the end of the call.
                SELECT coalesce(array_agg(a.account_id ORDER BY a.account_id COLLATE "C"), '{}'),
                       coalesce(array_agg(a.status ORDER BY a.account_id COLLATE "C"), '{}')
                  INTO v_accounts, v_statuses
                  FROM (SELECT account_id, status FROM wallet.account
                         WHERE account_id = ANY (ARRAY(SELECT v_players[i] FROM unnest(v_order) AS i))
                         ORDER BY account_id COLLATE "C" FOR UPDATE) a;
                SELECT r.p_body, r.p_rest INTO v_plain, v_rest
                  FROM wallet._bet_settle_plain(v_order, v_players, v_bet_ids, v_keys, v_results, v_payouts,
                                                v_accounts, v_statuses, v_actor) AS r;
                FOR v_i IN 1 .. v_count LOOP
                    IF v_plain[v_i] IS NOT NULL THEN
                        v_status[v_i] := 200;
                        v_body[v_i] := v_plain[v_i];
                    END IF;
                END LOOP;
            END IF;
            v_locked := NULL;
            FOREACH v_i IN ARRAY v_rest LOOP
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
            IF v_state IN ('40001', '40P01') OR v_current = ANY (v_guarded) OR v_attempt > v_count
               OR (v_current IS NULL AND v_plain_failed) THEN
                RAISE;
            END IF;
            IF v_current IS NULL THEN
                RAISE WARNING 'game.bet_settle_batch: the plain path failed: % (SQLSTATE %)', v_message, v_state;
                v_plain_failed := true;
                CONTINUE attempts;
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
