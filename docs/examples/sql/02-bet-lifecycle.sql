-- A bet from authorization to settlement and rollback, and what the errors look like.
SET ROLE wallet_dba;
\set SHOW_CONTEXT never
\pset format unaligned
\pset tuples_only on
SELECT payments.open_account('p1', 'KRW', p_actor => 'dba:alice') IS NOT NULL AS opened;
SELECT payments.deposit_create('dep-1', 'p1', 10000, 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'dba:alice') IS NOT NULL AS deposited;

-- Authorize: the active SPORTS policy decides the sources; the stake moves to the HOLD pocket.
SELECT jsonb_pretty(game.bet_authorize('bet-1', 'p1', 'SPORTS', 'sportsbook-1', 3000, p_odds => 1.85, p_actor => 'dba:alice'));
-- Settle from the bet's snapshot: the payout is gross (stake included).
SELECT jsonb_pretty(game.bet_settle('bet-1', 'p1', 'settle-1', 'WIN', 5550, p_actor => 'dba:alice'));
-- Roll it back: the payout comes back first, then the stake goes back to its source.
SELECT jsonb_pretty(game.bet_rollback('bet-1', 'p1', 'rollback-1', 'provider cancelled the event', p_actor => 'dba:alice'));

-- Refusals carry a SQLSTATE of class RW (see docs/errors.md) and a JSON detail.
SELECT game.bet_authorize('bet-2', 'p1', 'SPORTS', 'sportsbook-1', 20000, p_actor => 'dba:alice');
SELECT game.bet_settle('bet-1', 'p1', 'settle-2', 'LOSS', 0, p_actor => 'dba:alice');
SELECT code, http_status, title FROM wallet.error_code WHERE sqlstate IN ('RW006', 'RW015') ORDER BY sqlstate;
