-- Many settlements in one call: game.bet_settle_batch answers one row per item, in list order,
-- with the HTTP status and body POST /v1/bets/{bet_id}/settle gives that item.
SET ROLE wallet_dba;
\set SHOW_CONTEXT never
\pset format unaligned
\pset tuples_only on
SELECT count(payments.open_account(p, 'KRW', p_actor => 'dba:alice')) AS opened,
       count(payments.deposit_create('dep-' || p, p, 10000, 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'dba:alice')) AS funded
  FROM unnest(ARRAY['p1', 'p2']) p;
SELECT count(game.bet_authorize(b, p, 'SPORTS', 'sportsbook-1', 1000, p_odds => 2.5, p_actor => 'dba:alice')) AS bets
  FROM (VALUES ('m7-p1', 'p1'), ('m7-p2', 'p2')) AS v(b, p);

-- One call, one transaction: each item settled or refused on its own.
SELECT index, status, coalesce(body->>'code', body->>'result') AS outcome, body->'credits' AS credits
  FROM game.bet_settle_batch('[
         {"bet_id": "m7-p2", "settlement_id": "m7-final-p2", "player_id": "p2", "result": "LOSS"},
         {"bet_id": "m7-p1", "settlement_id": "m7-final-p1", "player_id": "p1", "result": "WIN", "payout": 2500},
         {"bet_id": "m7-p1", "settlement_id": "m7-again-p1", "player_id": "p1", "result": "LOSS"},
         {"bet_id": "m7-p9", "settlement_id": "m7-final-p9", "player_id": "p9", "result": "LOSS"}
       ]', p_actor => 'dba:alice');

-- A long list: every account stays locked until its call commits, so send it in short calls
-- (the API sends 50 items per call), grouped by player; psql's \gexec runs each call it is given
-- as a transaction of its own.  Here 25 settlements in calls of 10 (ECHO off: the calls are long).
SELECT count(game.bet_authorize('m8-' || i, 'p' || (1 + i % 2), 'SPORTS', 'sportsbook-1', 10, p_actor => 'dba:alice')) AS bets
  FROM generate_series(1, 25) i;
SELECT format('SELECT count(*) FILTER (WHERE status = 200) AS settled, count(*) AS items FROM game.bet_settle_batch(%L, %L)',
              jsonb_agg(item ORDER BY player, n), 'dba:alice')
  FROM (SELECT i AS n, 'p' || (1 + i % 2) AS player,
               jsonb_build_object('bet_id', 'm8-' || i, 'settlement_id', 'm8-final-' || i, 'player_id', 'p' || (1 + i % 2),
                                  'result', 'LOSS') AS item,
               row_number() OVER (ORDER BY 'p' || (1 + i % 2), i) AS k
          FROM generate_series(1, 25) i) market
 GROUP BY (k - 1) / 10 ORDER BY (k - 1) / 10
\set ECHO none
\gexec
\set ECHO all
