-- bench: bet authorize on a random player (1 command per transaction).
-- Variables from bench/run (-D): players, tag (unique per run), n (per-client counter, starts at 0).
-- bet_id = a<tag>-<client>-<n>: unique within the run, so nothing is an idempotent replay.
\set pid random(1, :players)
\set stake random(1, 1000)
\set n :n + 1
SELECT game.bet_authorize('a' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'p' || :pid::text, 'SPORTS', 'bench', :stake, 1.85);
