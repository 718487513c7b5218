-- bench: authorize a bet on a random player, then settle it (WIN paying 2x the stake or LOSS,
-- at random).  2 commands per pgbench transaction, each its own database transaction
-- (autocommit), as the API runs them: commands/s = 2 x transactions/s.
\set pid random(1, :players)
\set stake random(1, 1000)
\set win random(0, 1)
\set payout :win * 2 * :stake
\set n :n + 1
SELECT game.bet_authorize('s' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'p' || :pid::text, 'SPORTS', 'bench', :stake, 2.0);
SELECT game.bet_settle('s' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'p' || :pid::text, 'st' || :tag::text || '-' || :client_id::text || '-' || :n::text, CASE WHEN :win::int = 1 THEN 'WIN' ELSE 'LOSS' END, :payout);
