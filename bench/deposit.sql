-- bench: an auto-approved cash deposit to SPORTS_NORMAL of a random player (1 command per
-- transaction).  Each deposit also opens its DEPOSIT rolling obligation, as in production.
\set pid random(1, :players)
\set amount random(100, 10000)
\set n :n + 1
SELECT payments.deposit_create('d' || :tag::text || '-' || :client_id::text || '-' || :n::text, 'p' || :pid::text, :amount, 'SPORTS_NORMAL', true);
