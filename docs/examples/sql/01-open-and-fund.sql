-- A DBA opens an account, deposits into it and reads the split balance, in psql as wallet_dba.
-- Every change goes through a wallet function; the caller's name goes into the ledger (p_actor).
SET ROLE wallet_dba;
\set SHOW_CONTEXT never
\pset format unaligned
\pset tuples_only on

SELECT jsonb_pretty(payments.open_account('p1', 'KRW', p_actor => 'dba:alice'));
SELECT jsonb_pretty(payments.deposit_create('dep-1', 'p1', 10000, 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'dba:alice'));
SELECT jsonb_pretty(player.player_balances('p1'));

-- The same deposit id again with the same payload returns the first answer and moves nothing;
-- with another amount it is refused (SQLSTATE RW007, IDEMPOTENCY_CONFLICT).
SELECT jsonb_pretty(payments.deposit_create('dep-1', 'p1', 10000, 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'dba:alice'));
SELECT payments.deposit_create('dep-1', 'p1', 99999, 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'dba:alice');

-- The ledger lines of the player, newest first.
SELECT jsonb_pretty(player.ledger_history('p1', 10));
