-- bench: bet authorize, every client on the ONE player "hot" (1 command per transaction).
-- Commands on one player serialize on its account row (wallet._lock_account), so this
-- measures the lock hand-off, not parallel work.
\set stake random(1, 1000)
\set n :n + 1
SELECT game.bet_authorize('h' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'hot', 'SPORTS', 'bench', :stake, 1.85);
