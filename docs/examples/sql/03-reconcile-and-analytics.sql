-- Reconciliation (must return no rows) and the analyst views, as wallet_analyst.
SET ROLE wallet_dba;
\set SHOW_CONTEXT never
SELECT payments.open_account('p1', 'KRW', p_actor => 'dba:alice') IS NOT NULL AS opened;
SELECT payments.deposit_create('dep-1', 'p1', 10000, 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'dba:alice') IS NOT NULL AS deposited;
SELECT game.bet_authorize('bet-1', 'p1', 'SPORTS', 'book', 4000, p_actor => 'dba:alice') IS NOT NULL AS bet;
SELECT game.bet_settle('bet-1', 'p1', 'settle-1', 'LOSS', 0, p_actor => 'dba:alice') IS NOT NULL AS settled;
SELECT game.bet_authorize('bet-2', 'p1', 'SPORTS', 'book', 1000, p_actor => 'dba:alice') IS NOT NULL AS open_bet;
SELECT promotion.coupon_grant('coupon-1', 'p1', 500, ARRAY['SPORTS'], p_actor => 'dba:alice') IS NOT NULL AS coupon;

-- Every bucket equals its ledger, every transaction sums to zero: no rows.
SELECT * FROM ops.reconcile();

SET ROLE wallet_analyst;
SELECT player_id, bucket_type, kind, wallet_group, balance FROM analytics.balances ORDER BY player_id, bucket_type;
SELECT kind, transactions, player_credits, player_debits, house, promotion, external FROM analytics.ledger_daily ORDER BY kind;
SELECT provider_type, bets, stake, payout, house_result FROM analytics.house_result_by_provider;
SELECT player_id, coupon_id, amount, remaining, in_open_bets FROM analytics.coupon_liability;
SELECT player_id, wallet_group, kind, status, required, progress, percent_done FROM analytics.rolling_status;
SELECT provider_type, wallet_group, open_bets, players, stake FROM analytics.open_bet_exposure;
SELECT count(*) AS discrepancies FROM analytics.reconciliation;
-- Analysts read views only: the tables are not theirs.
SELECT count(*) FROM wallet.bucket;
