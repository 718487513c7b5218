-- Analyst views (SPEC §8).  The analytics schema holds only views; wallet_analyst may SELECT
-- them and nothing else.  Views run with their owner's rights, so analysts never need access
-- to the wallet tables themselves.  Amounts are minor units.
--
-- Created after the grants of sql/90_grants.sql.  (On Citus a view passing a distributed
-- table's whole row to a function made every later GRANT or REVOKE on that function fail,
-- docs/scaling.md C25; no view does so since the coupon rules take columns, C26.)

-- The balance as a bigint, as analysts have always read it (the column is of the domain
-- wallet.bucket_balance, migration 0012).
CREATE VIEW analytics.balances AS
SELECT a.account_id AS player_id, a.currency, b.bucket_type, bt.kind, bt.wallet_group, b.balance::bigint AS balance
  FROM wallet.bucket b
  JOIN wallet.account a USING (account_id)
  LEFT JOIN wallet.bucket_type bt
         ON bt.topology_version = (SELECT version FROM wallet.topology_version WHERE status = 'ACTIVE')
        AND bt.code = b.bucket_type;
COMMENT ON VIEW analytics.balances IS 'One row per player and bucket: balance, with kind and wallet group from the active topology.';

CREATE VIEW analytics.ledger_daily AS
SELECT (t.created_at AT TIME ZONE 'UTC')::date AS day, t.kind,
       count(DISTINCT (t.account_id, t.txn_id)) AS transactions,
       coalesce(sum(e.amount) FILTER (WHERE e.pocket IS NULL AND e.amount > 0), 0) AS player_credits,
       coalesce(-sum(e.amount) FILTER (WHERE e.pocket IS NULL AND e.amount < 0), 0) AS player_debits,
       coalesce(sum(e.amount) FILTER (WHERE e.pocket = 'HOUSE'), 0) AS house,
       coalesce(sum(e.amount) FILTER (WHERE e.pocket = 'PROMOTION'), 0) AS promotion,
       coalesce(sum(e.amount) FILTER (WHERE e.pocket = 'EXTERNAL'), 0) AS external
  FROM wallet.ledger_txn t
  JOIN wallet.ledger_entry e USING (account_id, txn_id)
 GROUP BY 1, 2;
COMMENT ON VIEW analytics.ledger_daily IS 'Ledger by UTC day and transaction kind: money into and out of player buckets and coupons, and the net of the house, promotion and external pockets (positive: into the pocket).';

CREATE VIEW analytics.house_result_by_provider AS
SELECT b.provider_type, (b.settled_at AT TIME ZONE 'UTC')::date AS day, count(*) AS bets,
       sum(b.stake) AS stake, sum(b.payout) AS payout,
       sum(h.amount) AS house_result,
       count(*) FILTER (WHERE b.result = 'VOID') AS voided
  FROM wallet.bet b
  LEFT JOIN LATERAL (SELECT coalesce(sum(e.amount), 0) AS amount FROM wallet.ledger_entry e
                      WHERE e.account_id = b.account_id AND e.pocket = 'HOUSE'
                        AND (e.txn_id = b.settle_txn_id
                             OR e.txn_id IN (SELECT x.txn_id FROM wallet.bet_extra_payout x
                                              WHERE x.account_id = b.account_id AND x.bet_id = b.bet_id))) h ON true
 WHERE b.status = 'SETTLED'
 GROUP BY 1, 2;
COMMENT ON VIEW analytics.house_result_by_provider IS 'Settled bets per provider type and UTC day of settlement: stake, payout and the house result (the HOUSE pocket: stake kept minus winnings paid, payouts a casino round added later included; free-bet stakes are promotion money, not house).';

CREATE VIEW analytics.coupon_liability AS
SELECT c.account_id AS player_id, c.coupon_id, c.amount, c.remaining, c.wallet_group, c.provider_types, c.stake_returned,
       c.expires_at, NOT wallet._coupon_usable(c.status, c.expires_at) AS expired,
       coalesce((SELECT sum(s.amount) FROM wallet.bet_source s JOIN wallet.bet b USING (account_id, bet_id)
                  WHERE s.account_id = c.account_id AND s.coupon_id = c.coupon_id AND b.status = 'AUTHORIZED'), 0) AS in_open_bets
  FROM wallet.coupon c
 WHERE c.status = 'ACTIVE';
COMMENT ON VIEW analytics.coupon_liability IS 'Active coupon grants: what remains to be used (the liability) and what sits in open bets.';

-- (The domains of the record's columns, migration 0015, are read as the plain types analysts had.)
CREATE VIEW analytics.rolling_status AS
SELECT r.account_id AS player_id, r.rolling_id, r.wallet_group, r.kind::text AS kind, r.status::text AS status,
       r.base_amount::bigint AS base_amount, r.required::bigint AS required, r.progress::bigint AS progress,
       CASE WHEN r.required > 0 THEN round(100.0 * r.progress / r.required, 1) END AS percent_done,
       r.source_kind::text AS source_kind, r.source_id, r.topology_version, r.created_at, r.closed_at
  FROM wallet.rolling_obligation r;
COMMENT ON VIEW analytics.rolling_status IS 'Every rolling (wagering) obligation with its progress.';

CREATE VIEW analytics.open_bet_exposure AS
SELECT b.provider_type, b.wallet_group, count(*) AS open_bets, count(DISTINCT b.account_id) AS players,
       sum(b.stake) AS stake, max(b.stake) AS largest_stake, min(b.authorized_at) AS oldest
  FROM wallet.bet b
 WHERE b.status = 'AUTHORIZED'
 GROUP BY 1, 2;
COMMENT ON VIEW analytics.open_bet_exposure IS 'Authorized, unsettled bets per provider type and wallet group.';

-- Every discrepancy between stored balances and the ledger; empty when the books are right.
-- The checks, private (`_`): what ops.reconcile and ops.reconcile_player read, analysts read
-- analytics.reconciliation (on Citus that view reads them through a function of the owner's,
-- docs/scaling.md C24, and a filter no longer reaches the checks; these stay filterable).
CREATE VIEW analytics._reconciliation_checks AS
-- Each check groups by the account id as a plain column (no FULL JOIN on it), so a filter on
-- player_id reaches every branch's index scan: ops.reconcile_player(p_player_id) reads one
-- player's rows, not the whole ledger.
SELECT 'bucket_matches_ledger'::text AS check_name, account_id AS player_id, 'bucket:' || bucket_type AS subject,
       sum(ledger)::bigint AS expected, sum(stored)::bigint AS actual
  FROM (SELECT account_id, bucket_type, amount AS ledger, 0 AS stored FROM wallet.ledger_entry WHERE bucket_type IS NOT NULL
        UNION ALL
        SELECT account_id, bucket_type, 0, balance FROM wallet.bucket) x
 GROUP BY account_id, bucket_type
HAVING sum(ledger) <> sum(stored)
UNION ALL
SELECT 'coupon_matches_ledger', account_id, 'coupon:' || coupon_id, sum(ledger)::bigint, sum(stored)::bigint
  FROM (SELECT account_id, coupon_id, amount AS ledger, 0 AS stored FROM wallet.ledger_entry WHERE coupon_id IS NOT NULL
        UNION ALL
        SELECT account_id, coupon_id, 0, remaining FROM wallet.coupon) x
 GROUP BY account_id, coupon_id
HAVING sum(ledger) <> sum(stored)
UNION ALL
-- HOLD holds exactly the stakes of open bets and the amounts of pending withdrawals.
SELECT 'hold_matches_open_records', account_id, 'pocket:HOLD', sum(open_records)::bigint, sum(hold)::bigint
  FROM (SELECT account_id, 0 AS open_records, amount AS hold FROM wallet.ledger_entry WHERE pocket = 'HOLD'
        UNION ALL
        SELECT account_id, stake, 0 FROM wallet.bet WHERE status = 'AUTHORIZED'
        UNION ALL
        SELECT account_id, amount, 0 FROM wallet.withdrawal WHERE status = 'PENDING') x
 GROUP BY account_id
HAVING sum(open_records) <> sum(hold)
UNION ALL
SELECT 'transaction_sums_to_zero', t.account_id, 'txn:' || t.txn_id, 0, coalesce(sum(e.amount), 0)::bigint
  FROM wallet.ledger_txn t
  LEFT JOIN wallet.ledger_entry e USING (account_id, txn_id)
  GROUP BY t.account_id, t.txn_id
HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.entry_no) = 0;
COMMENT ON VIEW analytics._reconciliation_checks IS 'The checks of analytics.reconciliation, for ops.reconcile and ops.reconcile_player.';

CREATE VIEW analytics.reconciliation AS
SELECT check_name, player_id, subject, expected, actual FROM analytics._reconciliation_checks;
COMMENT ON VIEW analytics.reconciliation IS 'Every discrepancy: bucket or coupon vs its ledger entries, HOLD pocket vs open bets and pending withdrawals, transaction not summing to zero. Must be empty.';

-- Analysts read the views, which run with their owner's rights.
GRANT USAGE ON SCHEMA analytics TO wallet_analyst, wallet_dba;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO wallet_analyst, wallet_dba;
REVOKE SELECT ON analytics._reconciliation_checks FROM wallet_analyst;
