-- bench: bet authorize on "whale", the one player whose own history bench/run grows (about
-- 10k ledger rows at first, hundreds of thousands later).  Run with 1 client: latency.
\set stake random(1, 1000)
\set n :n + 1
SELECT game.bet_authorize('wh' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'whale', 'SPORTS', 'bench', :stake, 1.85);
