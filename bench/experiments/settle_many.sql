-- EXPERIMENT (issue 12, docs/adr/0006-batch-settlement.md "Measured: a set-based chunk"): not
-- product code, not applied by `ruby-wallet migrate`, not tested by the suite.  Load it into a
-- scratch database by hand (psql -f) to measure a set-based settlement of a chunk against
-- game.bet_settle_batch.
--
-- wallet._exp_bet_settle_many(p_settlements jsonb): the items are game.bet_settle_batch's
-- ({bet_id, settlement_id, player_id, result, payout}).  For the whole chunk, one statement per
-- step: lock the accounts in ascending id; one SELECT (wallet._exp_settle_plan) makes every check
-- and computes every value written (entries with running bucket balances, rolling shares and
-- progress, answers, outbox payloads); then one INSERT of ledger_txn rows, one UPDATE of the
-- buckets (one row per account and bucket), one INSERT of rolling_progress rows, one UPDATE of
-- the obligations, one UPDATE of the bets, one INSERT of outbox rows.  Writes what
-- game.bet_settle writes for each item and answers it as game.bet_settle does.  No exception
-- block: the call takes no subtransaction id.
-- Handled: WIN and LOSS on AUTHORIZED bets of an active account whose sources are buckets (no
-- coupon), whose destination buckets exist, with no rolling obligation completing and no
-- auto-completion possible in the chunk, no credit past the ceiling, no settlement id already
-- used (replay or conflict), no bet or settlement id twice in the chunk.  Every item of an
-- account with any other item is answered status NULL, body {"skipped": reason}, nothing
-- written for that account: the product would send those accounts' items through today's
-- per-item path (wallet._bet_settle_check/_apply) in the same call.

-- One row of a chunk's plan: what wallet._exp_bet_settle_many writes for one item (skip NULL),
-- or why it leaves the item to the per-item path.
DROP FUNCTION IF EXISTS wallet._exp_bet_settle_many(jsonb, text);
DROP FUNCTION IF EXISTS wallet._exp_settle_plan(jsonb, integer);
DROP TYPE IF EXISTS wallet._exp_settle_row;
CREATE TYPE wallet._exp_settle_row AS (
    n integer, player_id text, bet_id text, settlement_id text, result text, payout bigint, stake bigint,
    topology_version integer, skip text, targets text[], amounts bigint[], balances_after bigint[],
    credit_buckets text[], credit_after bigint[], roll_ids bigint[], roll_amounts bigint[], rolling jsonb,
    body jsonb, event jsonb);

-- The plan of a chunk (reads only; the caller holds the accounts' locks).  One SELECT; nested
-- loops are off so its joins between the chunk's own rows are hash joins (the CTEs' row counts
-- are misestimated and nested loops over them grow with the square of the chunk), and every
-- table lookup is a LATERAL index scan (OFFSET 0: not flattened into a join), the one join left
-- as a nested loop.  jit off: the cost of disabled nested loops would otherwise start JIT
-- compilation on every call (seconds).
CREATE OR REPLACE FUNCTION wallet._exp_settle_plan(p_settlements jsonb, p_topology integer)
RETURNS SETOF wallet._exp_settle_row
LANGUAGE plpgsql SET enable_nestloop = off SET jit = off AS $$
#variable_conflict use_column
DECLARE
    v_topology integer := p_topology;
BEGIN
    RETURN QUERY
    WITH item AS (
        SELECT (e.n - 1)::integer AS n, e.item ->> 'bet_id' AS bet_id, e.item ->> 'player_id' AS player_id,
               e.item ->> 'settlement_id' AS settlement_id, e.item ->> 'result' AS result,
               wallet._json_int(e.item -> 'payout') AS req_payout
          FROM jsonb_array_elements(p_settlements) WITH ORDINALITY AS e(item, n)
    ), checked AS (
        -- The checks of wallet._bet_settle_problems and wallet._bet_settle_check, and this
        -- prototype's own limits, per item.
        SELECT i.*, bb.b AS bet, CASE WHEN i.result = 'WIN' THEN i.req_payout ELSE 0 END AS payout,
               CASE WHEN wallet._bet_settle_problems(i.bet_id, i.player_id, i.settlement_id, i.result, i.req_payout) <> '[]' THEN 'invalid'
                    WHEN i.result NOT IN ('WIN', 'LOSS') THEN 'result not WIN/LOSS'
                    WHEN a.account_id IS NULL THEN 'unknown account'
                    WHEN a.status <> 'active' THEN 'account not active'
                    WHEN bb.b IS NULL THEN 'bet not found'
                    WHEN EXISTS (SELECT 1 FROM wallet.bet s WHERE s.account_id = i.player_id AND s.settlement_id = i.settlement_id) THEN 'settlement id used (replay or conflict)'
                    WHEN (bb.b).status <> 'AUTHORIZED' THEN 'bet not open'
                    WHEN 'COUPON' = ANY ((bb.b).source_kinds) OR NOT (true = ALL ((bb.b).stakes_returned)) THEN 'coupon source'
                    WHEN count(*) OVER (PARTITION BY i.player_id, i.bet_id) > 1 OR count(*) OVER (PARTITION BY i.player_id, i.settlement_id) > 1 THEN 'bet or settlement id twice in the chunk'
                    END AS skip
          FROM item i
          LEFT JOIN LATERAL (SELECT a.account_id, a.status FROM wallet.account a WHERE a.account_id = i.player_id OFFSET 0) a ON true
          LEFT JOIN LATERAL (SELECT b FROM wallet.bet b WHERE b.account_id = i.player_id AND b.bet_id = i.bet_id OFFSET 0) bb ON true
    ), credit AS (
        -- Each item's bucket credits (the payout split over the sources to their destinations).
        SELECT c.n, c.player_id, sh.destination AS bucket_type, sum(sh.credit)::bigint AS amount
          FROM checked c
          CROSS JOIN LATERAL unnest(wallet._settlement_split(c.payout, ARRAY(
                   SELECT (s.source, s.kind, s.amount, s.destination, s.stake_returned)::wallet.settle_source
                     FROM unnest((c.bet).sources, (c.bet).source_kinds, (c.bet).source_amounts, (c.bet).destinations,
                                 (c.bet).stakes_returned) WITH ORDINALITY AS s(source, kind, amount, destination, stake_returned, k)
                    ORDER BY s.k))) sh
         WHERE c.skip IS NULL AND c.payout > 0
         GROUP BY c.n, c.player_id, sh.destination
        HAVING sum(sh.credit) > 0
    ), credit_run AS (
        -- Running balance of each bucket after each item, items in list order.
        SELECT cr.*, bk.balance AS before,
               (bk.balance + sum(cr.amount) OVER (PARTITION BY cr.player_id, cr.bucket_type ORDER BY cr.n))::bigint AS after,
               bk.balance + sum(cr.amount) OVER (PARTITION BY cr.player_id, cr.bucket_type) AS final
          FROM credit cr
          LEFT JOIN LATERAL (SELECT bk.balance FROM wallet.bucket bk WHERE bk.account_id = cr.player_id AND bk.bucket_type = cr.bucket_type OFFSET 0) bk ON true
    ), earned AS (
        -- Rolling earned per item and kind; cumulative per account and group in list order.
        SELECT c.n, c.player_id, (c.bet).wallet_group AS wallet_group, k.kind, k.amount,
               sum(k.amount) OVER (PARTITION BY c.player_id, (c.bet).wallet_group, k.kind ORDER BY c.n) AS upto
          FROM checked c
          CROSS JOIN LATERAL (VALUES
              ('DEPOSIT', wallet._rolling_earned(c.result,
                   (SELECT coalesce(sum(s.amount) FILTER (WHERE s.kind IN ('CASH', 'WITHDRAWABLE')), 0)::bigint
                      FROM unnest((c.bet).source_kinds, (c.bet).source_amounts) AS s(kind, amount)),
                   (c.bet).odds, (c.bet).rolling_bps, (c.bet).rolling_min_odds, (c.bet).rolling_void_counts)),
              ('BONUS', wallet._rolling_earned(c.result, (c.bet).stake, (c.bet).odds, (c.bet).rolling_bps,
                   (c.bet).rolling_min_odds, (c.bet).rolling_void_counts))) AS k(kind, amount)
         WHERE c.skip IS NULL AND k.amount > 0
    ), open_ob AS MATERIALIZED (
        SELECT g.player_id AS account_id, g.wallet_group, o.kind, o.rolling_id, o.progress, o.required, o.room, o.before
          FROM (SELECT DISTINCT e.player_id, e.wallet_group FROM earned e) g
          CROSS JOIN LATERAL (
              SELECT o.kind, o.rolling_id, o.progress, o.required, o.required - o.progress AS room,
                     coalesce(sum(o.required - o.progress) OVER (PARTITION BY o.kind ORDER BY o.rolling_id
                                                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
                FROM wallet.rolling_obligation o
               WHERE o.account_id = g.player_id AND o.wallet_group = g.wallet_group AND o.status = 'ACTIVE') o
    ), share AS (
        -- Item k's share of obligation j: the overlap of [upto - amount, upto) with [before, before + room).
        SELECT e.n, e.player_id, o.kind, o.rolling_id, o.required,
               greatest(0, least(e.upto, o.before + o.room) - greatest(e.upto - e.amount, o.before))::bigint AS amount,
               o.progress + least(o.room, greatest(0, e.upto - o.before)) AS progress_after
          FROM earned e JOIN open_ob o ON o.account_id = e.player_id AND o.wallet_group = e.wallet_group AND o.kind = e.kind
    ), credit_agg AS MATERIALIZED (
        SELECT r.n, array_agg(r.bucket_type ORDER BY r.bucket_type) AS targets, array_agg(r.amount ORDER BY r.bucket_type) AS amounts,
               array_agg(r.after ORDER BY r.bucket_type) AS after
          FROM credit_run r GROUP BY r.n
    ), share_agg AS MATERIALIZED (
        SELECT s.n, jsonb_agg(jsonb_build_object('rolling_id', s.rolling_id, 'progress', s.progress_after,
                                                 'status', CASE WHEN s.progress_after >= s.required THEN 'COMPLETED' ELSE 'ACTIVE' END)
                              ORDER BY s.kind <> 'DEPOSIT', s.rolling_id) AS rolling,
               array_agg(s.rolling_id ORDER BY s.rolling_id) AS roll_ids, array_agg(s.amount ORDER BY s.rolling_id) AS roll_amounts
          FROM share s WHERE s.amount > 0 GROUP BY s.n
    ), account_group AS MATERIALIZED (
        SELECT c.player_id, (c.bet).wallet_group AS wallet_group, sum((c.bet).stake) AS chunk_stake
          FROM checked c WHERE c.skip IS NULL GROUP BY 1, 2
    ), auto_possible AS MATERIALIZED (
        -- Auto-completion (SPEC §5a) can happen in the chunk only if the group's cash before it
        -- is at or below the threshold (WIN and LOSS only add cash), the group is cash-locked and
        -- that cash plus the open stakes left after the chunk is at or below it too.
        SELECT g.player_id
          FROM account_group g
          JOIN wallet.group_policy gp ON gp.wallet_group = g.wallet_group AND gp.status = 'ACTIVE'
         CROSS JOIN LATERAL (SELECT coalesce(sum(b.balance), 0) AS cash FROM wallet.bucket b
                               JOIN wallet.bucket_type bt ON bt.topology_version = v_topology AND bt.code = b.bucket_type
                              WHERE b.account_id = g.player_id AND bt.wallet_group = g.wallet_group AND bt.kind = 'CASH') m
         WHERE m.cash <= gp.auto_complete_below
           AND wallet._group_cash_locked(g.player_id, g.wallet_group)
           AND m.cash + (SELECT coalesce(sum(b.stake), 0) FROM wallet.bet b WHERE b.account_id = g.player_id
                           AND b.wallet_group = g.wallet_group AND b.status = 'AUTHORIZED') - g.chunk_stake <= gp.auto_complete_below
    ), account_skip AS (
        -- What this prototype leaves to the per-item path, per account.
        SELECT c.player_id, coalesce(min(c.skip),
                 CASE WHEN bool_or(c.player_id IN (SELECT s.player_id FROM share s WHERE s.amount > 0 AND s.progress_after >= s.required))
                      THEN 'an obligation completes' END,
                 CASE WHEN bool_or(c.player_id IN (SELECT r.player_id FROM credit_run r WHERE r.before IS NULL OR r.final > 100000000000000000))
                      THEN 'destination bucket missing or ceiling' END,
                 CASE WHEN bool_or(c.player_id IN (SELECT a.player_id FROM auto_possible a)) THEN 'auto-completion possible' END) AS skip
          FROM checked c GROUP BY c.player_id
    ), plan AS (
        -- The items settled here, with their transaction id (taken in list order) and entries.
        SELECT c.n, c.player_id, c.bet_id, c.settlement_id, c.result, c.payout, c.bet,
               ARRAY['@HOLD'] || coalesce(ca.targets, '{}')
                   || CASE WHEN (c.bet).stake <> c.payout THEN ARRAY['@HOUSE'] ELSE '{}' END AS targets,
               ARRAY[-(c.bet).stake] || coalesce(ca.amounts, '{}')
                   || CASE WHEN (c.bet).stake <> c.payout THEN ARRAY[(c.bet).stake - c.payout] ELSE '{}' END AS amounts,
               ARRAY[NULL::bigint] || coalesce(ca.after, '{}')
                   || CASE WHEN (c.bet).stake <> c.payout THEN ARRAY[NULL::bigint] ELSE '{}' END AS balances_after,
               sa.rolling, ca.targets AS credit_buckets, ca.after AS credit_after,
               sa.roll_ids, sa.roll_amounts
          FROM checked c JOIN account_skip k ON k.player_id = c.player_id AND k.skip IS NULL
          LEFT JOIN credit_agg ca ON ca.n = c.n LEFT JOIN share_agg sa ON sa.n = c.n
         ORDER BY c.n
    )
    SELECT i.n, i.player_id, i.bet_id, i.settlement_id, i.result, c.payout, (c.bet).stake, (c.bet).topology_version,
            CASE WHEN p.n IS NULL THEN coalesce(c.skip, k.skip) END, p.targets, p.amounts, p.balances_after,
            p.credit_buckets, p.credit_after, p.roll_ids, p.roll_amounts, p.rolling, a.body,
            a.body || jsonb_build_object(
                'player_id', a.player_id, 'settlement_id', a.settlement_id, 'stake', (a.bet).stake,
                'funding', wallet._bet_funding(a.bet),
                'provider_type', (a.bet).provider_type, 'wallet_group', (a.bet).wallet_group,
                'topology_version', (a.bet).topology_version,
                'policy', jsonb_build_object('provider_type', (a.bet).provider_type, 'version', (a.bet).policy_version))
      FROM item i JOIN checked c ON c.n = i.n JOIN account_skip k ON k.player_id = i.player_id
      LEFT JOIN plan p ON p.n = i.n
      LEFT JOIN LATERAL (SELECT p.*, jsonb_build_object(
                   'bet_id', p.bet_id, 'status', 'SETTLED', 'result', p.result, 'payout', p.payout,
                   'credits', (SELECT coalesce(jsonb_agg(jsonb_build_object('bucket_type', e.target, 'amount', e.amount) ORDER BY e.k), '[]')
                                 FROM unnest(p.targets, p.amounts) WITH ORDINALITY AS e(target, amount, k)
                                WHERE e.amount > 0 AND e.target !~ '^(@|coupon:)'),
                   'rolling', coalesce(p.rolling, '[]')) AS body WHERE p.n IS NOT NULL) a ON true
     ORDER BY i.n;
END
$$;

CREATE OR REPLACE FUNCTION wallet._exp_bet_settle_many(p_settlements jsonb, p_actor text DEFAULT NULL)
RETURNS TABLE (index integer, status integer, body jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_plan wallet._exp_settle_row[];
    v_txn bigint[];
BEGIN
    -- 1. The accounts, locked in ascending account id (COLLATE "C"): LockRows above the Sort.
    PERFORM 1 FROM (SELECT a.account_id FROM wallet.account a
                     WHERE a.account_id = ANY (ARRAY(SELECT DISTINCT e ->> 'player_id' FROM jsonb_array_elements(p_settlements) e))
                     ORDER BY a.account_id COLLATE "C" FOR UPDATE OF a) l;
    -- 2. The checks and every value to write, for the whole chunk, in one SELECT.
    v_plan := ARRAY(SELECT p FROM wallet._exp_settle_plan(p_settlements, wallet._active_topology()) p);
    -- 3. The ledger transaction ids, in list order (ids of skipped items are gaps).
    v_txn := ARRAY(SELECT nextval('wallet.ledger_txn_id_seq') FROM generate_series(1, cardinality(v_plan)));
    -- 4. One statement per write, for the whole chunk.
    INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, topology_version, targets, amounts, balances_after)
    SELECT p.player_id, v_txn[p.n + 1], 'BET_SETTLE', 'bet:' || p.bet_id, v_actor, p.topology_version, p.targets, p.amounts, p.balances_after
      FROM unnest(v_plan) p WHERE p.skip IS NULL ORDER BY p.n;
    UPDATE wallet.bucket bk SET balance = c.after
      FROM (SELECT DISTINCT ON (p.player_id, c.bucket_type) p.player_id, c.bucket_type, c.after
              FROM unnest(v_plan) p CROSS JOIN LATERAL unnest(p.credit_buckets, p.credit_after) AS c(bucket_type, after)
             WHERE p.skip IS NULL ORDER BY p.player_id, c.bucket_type, p.n DESC) c
     WHERE bk.account_id = c.player_id AND bk.bucket_type = c.bucket_type;
    INSERT INTO wallet.rolling_progress (account_id, rolling_id, bet_id, amount)
    SELECT p.player_id, r.rolling_id, p.bet_id, r.amount
      FROM unnest(v_plan) p CROSS JOIN LATERAL unnest(p.roll_ids, p.roll_amounts) AS r(rolling_id, amount)
     WHERE p.skip IS NULL;
    UPDATE wallet.rolling_obligation o SET progress = o.progress + t.amount
      FROM (SELECT p.player_id, r.rolling_id, sum(r.amount)::bigint AS amount
              FROM unnest(v_plan) p CROSS JOIN LATERAL unnest(p.roll_ids, p.roll_amounts) AS r(rolling_id, amount)
             WHERE p.skip IS NULL GROUP BY 1, 2) t
     WHERE o.account_id = t.player_id AND o.rolling_id = t.rolling_id;
    UPDATE wallet.bet b SET status = 'SETTLED', result = p.result, payout = p.payout, settlement_id = p.settlement_id,
                            settled_at = now(), settle_txn_id = v_txn[p.n + 1], settle_rolling = p.rolling
      FROM unnest(v_plan) p
     WHERE p.skip IS NULL AND b.account_id = p.player_id AND b.bet_id = p.bet_id;
    INSERT INTO wallet.outbox (account_id, event_type, payload)
    SELECT p.player_id, 'bet.settled', p.event FROM unnest(v_plan) p WHERE p.skip IS NULL ORDER BY p.n;
    -- 5. The answers, in list order.
    RETURN QUERY SELECT p.n, CASE WHEN p.skip IS NULL THEN 200 END, coalesce(p.body, jsonb_build_object('skipped', p.skip))
                   FROM unnest(v_plan) p ORDER BY p.n;
END
$$;
