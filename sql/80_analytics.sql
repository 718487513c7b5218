-- Analyst views (SPEC §8).  The analytics schema holds only views; wallet_analyst may SELECT
-- them and nothing else.  Views run with their owner's rights, so analysts never need access
-- to the wallet tables themselves.  Amounts are minor units.

CREATE VIEW analytics.balances AS
SELECT a.account_id AS player_id, a.currency, b.bucket_type, bt.kind, bt.wallet_group, b.balance
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
                      WHERE e.account_id = b.account_id AND e.txn_id = b.settle_txn_id AND e.pocket = 'HOUSE') h ON true
 WHERE b.status = 'SETTLED'
 GROUP BY 1, 2;
COMMENT ON VIEW analytics.house_result_by_provider IS 'Settled bets per provider type and UTC day: stake, payout and the house result (the HOUSE pocket: stake kept minus winnings paid; free-bet stakes are promotion money, not house).';

CREATE VIEW analytics.coupon_liability AS
SELECT c.account_id AS player_id, c.coupon_id, c.amount, c.remaining, c.wallet_group, c.provider_types, c.stake_returned,
       c.expires_at, c.expires_at IS NOT NULL AND c.expires_at <= now() AS expired,
       coalesce((SELECT sum(s.amount) FROM wallet.bet_source s JOIN wallet.bet b USING (account_id, bet_id)
                  WHERE s.account_id = c.account_id AND s.coupon_id = c.coupon_id AND b.status = 'AUTHORIZED'), 0) AS in_open_bets
  FROM wallet.coupon c
 WHERE c.status = 'ACTIVE';
COMMENT ON VIEW analytics.coupon_liability IS 'Active coupon grants: what remains to be used (the liability) and what sits in open bets.';

CREATE VIEW analytics.rolling_status AS
SELECT r.account_id AS player_id, r.rolling_id, r.wallet_group, r.kind, r.status, r.base_amount, r.required, r.progress,
       CASE WHEN r.required > 0 THEN round(100.0 * r.progress / r.required, 1) END AS percent_done,
       r.source_kind, r.source_id, r.topology_version, r.created_at, r.closed_at
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
CREATE VIEW analytics.reconciliation AS
WITH bucket_sums AS (
    SELECT account_id, bucket_type, sum(amount)::bigint AS total
      FROM wallet.ledger_entry WHERE bucket_type IS NOT NULL
     GROUP BY account_id, bucket_type
), coupon_sums AS (
    SELECT account_id, coupon_id, sum(amount)::bigint AS total
      FROM wallet.ledger_entry WHERE coupon_id IS NOT NULL
     GROUP BY account_id, coupon_id
), hold_sums AS (
    SELECT account_id, sum(amount)::bigint AS total FROM wallet.ledger_entry WHERE pocket = 'HOLD' GROUP BY account_id
), held AS (
    SELECT account_id, sum(amount)::bigint AS total FROM (
        SELECT account_id, stake AS amount FROM wallet.bet WHERE status = 'AUTHORIZED'
        UNION ALL
        SELECT account_id, amount FROM wallet.withdrawal WHERE status = 'PENDING') open_records
     GROUP BY account_id
)
SELECT 'bucket_matches_ledger'::text AS check_name, coalesce(b.account_id, s.account_id) AS player_id,
       'bucket:' || coalesce(b.bucket_type, s.bucket_type) AS subject,
       coalesce(s.total, 0) AS expected, coalesce(b.balance, 0) AS actual
  FROM wallet.bucket b
  FULL JOIN bucket_sums s USING (account_id, bucket_type)
 WHERE coalesce(s.total, 0) <> coalesce(b.balance, 0)
UNION ALL
SELECT 'coupon_matches_ledger', coalesce(c.account_id, s.account_id), 'coupon:' || coalesce(c.coupon_id, s.coupon_id),
       coalesce(s.total, 0), coalesce(c.remaining, 0)
  FROM wallet.coupon c
  FULL JOIN coupon_sums s USING (account_id, coupon_id)
 WHERE coalesce(s.total, 0) <> coalesce(c.remaining, 0)
UNION ALL
SELECT 'hold_matches_open_records', coalesce(h.account_id, o.account_id), 'pocket:HOLD', coalesce(o.total, 0), coalesce(h.total, 0)
  FROM hold_sums h
  FULL JOIN held o USING (account_id)
 WHERE coalesce(h.total, 0) <> coalesce(o.total, 0)
UNION ALL
SELECT 'transaction_sums_to_zero', t.account_id, 'txn:' || t.txn_id, 0, coalesce(sum(e.amount), 0)::bigint
  FROM wallet.ledger_txn t
  LEFT JOIN wallet.ledger_entry e USING (account_id, txn_id)
  GROUP BY t.account_id, t.txn_id
HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.entry_no) = 0;
COMMENT ON VIEW analytics.reconciliation IS 'Every discrepancy: bucket or coupon vs its ledger entries, HOLD pocket vs open bets and pending withdrawals, transaction not summing to zero. Must be empty.';
