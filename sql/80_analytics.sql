-- Analyst views (SPEC §8).  The analytics schema holds only views; wallet_analyst may SELECT
-- them and nothing else.  Views run with their owner's rights, so analysts never need access
-- to the wallet tables themselves.

CREATE VIEW analytics.balances AS
SELECT p.player_id, p.currency, b.bucket_type, bt.kind, bt.wallet_group, b.balance
  FROM wallet.bucket b
  JOIN wallet.player p USING (account_id)
  LEFT JOIN wallet.bucket_type bt
         ON bt.topology_version = (SELECT version FROM wallet.topology_version WHERE status = 'ACTIVE')
        AND bt.code = b.bucket_type;

COMMENT ON VIEW analytics.balances IS 'One row per player and bucket: balance in minor units, with kind and wallet group from the active topology.';

-- Every discrepancy between stored balances and the ledger; empty when the books are right.
CREATE VIEW analytics.reconciliation AS
WITH entry_sums AS (
    SELECT account_id, bucket_type, sum(amount)::bigint AS total
      FROM wallet.ledger_entry WHERE bucket_type IS NOT NULL
     GROUP BY account_id, bucket_type
)
SELECT 'bucket_matches_ledger'::text AS check_name,
       p.player_id,
       'bucket:' || coalesce(b.bucket_type, s.bucket_type) AS subject,
       coalesce(s.total, 0) AS expected,
       coalesce(b.balance, 0) AS actual
  FROM wallet.bucket b
  FULL JOIN entry_sums s USING (account_id, bucket_type)
  LEFT JOIN wallet.player p ON p.account_id = coalesce(b.account_id, s.account_id)
 WHERE coalesce(s.total, 0) <> coalesce(b.balance, 0)
UNION ALL
SELECT 'transaction_sums_to_zero', p.player_id, 'txn:' || t.txn_id, 0, coalesce(sum(e.amount), 0)::bigint
  FROM wallet.ledger_txn t
  LEFT JOIN wallet.ledger_entry e USING (account_id, txn_id)
  LEFT JOIN wallet.player p ON p.account_id = t.account_id
 GROUP BY p.player_id, t.account_id, t.txn_id
HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.entry_no) = 0;

COMMENT ON VIEW analytics.reconciliation IS 'Every discrepancy between balances and the ledger (bucket vs its entries, transaction not summing to zero); must be empty.';
