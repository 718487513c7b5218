-- bench: a small transfer SPORTS_NORMAL -> CASINO_NORMAL or back (direction at random) of a
-- random player (1 command per transaction).  Default money policy: PROPORTIONAL rolling
-- inheritance, so the transfer also moves a share of the source group's obligations.
\set pid random(1, :players)
\set amount random(1, 100)
\set dir random(0, 1)
\set n :n + 1
SELECT player.transfer_create('t' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'p' || :pid::text, CASE WHEN :dir::int = 0 THEN 'SPORTS_NORMAL' ELSE 'CASINO_NORMAL' END, CASE WHEN :dir::int = 0 THEN 'CASINO_NORMAL' ELSE 'SPORTS_NORMAL' END, :amount);
