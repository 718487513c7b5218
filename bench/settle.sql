-- bench (profile phase): settle bets that bench/run authorized beforehand, one per
-- transaction.  Client c settles bets ps<tag>-<c>-1 .. ps<tag>-<c>-<k>, bet n of player
-- p(1 + (n*clients + c) % players), exactly as bench/run created them; run it with -t k.
-- (At any step n the clients work on different players, so they do not queue on one lock.)
\set n :n + 1
\set pid 1 + (:n * :clients + :client_id) % :players
\set win random(0, 1)
SELECT game.bet_settle('ps' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'p' || :pid::text, 'pst' || :tag::text || '-' || :client_id::text || '-' || :n::text, CASE WHEN :win::int = 1 THEN 'WIN' ELSE 'LOSS' END, :win * 2 * (1 + :n % 1000));
