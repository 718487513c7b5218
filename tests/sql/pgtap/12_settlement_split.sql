-- ops.settlement_split: a payout shared across a bet's funding sources pro rata to their
-- stake, floored, the units left over one each to the largest remainders (ties: the source
-- taken first); a free-bet coupon pays share − its stake (SPEC §4).  Sources are written
-- 'kind:amount[:free]' in funding order; results 'share/credit/withheld' per source.
BEGIN;
SELECT plan(27);

CREATE FUNCTION pg_temp.sources(p text) RETURNS wallet.settle_source[] LANGUAGE sql AS $$
    SELECT array_agg((format('s%s', n), split_part(tok, ':', 1), split_part(tok, ':', 2)::bigint,
                      'DEST_' || split_part(tok, ':', 1), split_part(tok, ':', 3) <> 'free')::wallet.settle_source ORDER BY n)
      FROM regexp_split_to_table(trim(p), '\s+') WITH ORDINALITY t(tok, n)
$$;
CREATE FUNCTION pg_temp.shares(p wallet.settle_share[]) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s/%s/%s', s.share, s.credit, s.withheld), ' ' ORDER BY n)
      FROM unnest(p) WITH ORDINALITY s(source, destination, share, credit, withheld, n)
$$;

CREATE TEMP TABLE split_case (name text, payout bigint, sources text, expected text);
INSERT INTO split_case VALUES
  ('one cash source wins',                         1850, 'CASH:1000',                 '1850/1850/0'),
  ('loss pays nothing',                               0, 'CASH:1000',                 '0/0/0'),
  ('two sources 70/30, exact',                     1850, 'CASH:700 WITHDRAWABLE:300', '1295/1295/0 555/555/0'),
  ('three equal sources, one unit left: first taken gets it', 10, 'CASH:1 BONUS:1 WITHDRAWABLE:1', '4/4/0 3/3/0 3/3/0'),
  ('largest remainder gets the unit',              1001, 'CASH:500 BONUS:300 WITHDRAWABLE:200', '501/501/0 300/300/0 200/200/0'),
  ('two units to the two largest remainders',       999, 'CASH:100 BONUS:200 WITHDRAWABLE:700', '100/100/0 200/200/0 699/699/0'),
  ('payout below stake (partial cashout)',          500, 'CASH:700 WITHDRAWABLE:300', '350/350/0 150/150/0'),
  ('free bet wins: pays payout minus its stake',   2500, 'COUPON:1000:free',          '2500/1500/1000'),
  ('free bet returns less than its stake',          800, 'COUPON:1000:free',          '800/0/800'),
  ('free bet coupon beside cash',                  2000, 'COUPON:300:free CASH:700',  '600/300/300 1400/1400/0'),
  ('stake-returning coupon pays its whole share',  2000, 'COUPON:300 CASH:700',       '600/600/0 1400/1400/0'),
  ('one-unit stakes, one-unit payout: tie to the first', 1, 'CASH:1 BONUS:1',         '1/1/0 0/0/0'),
  ('zero payout across three sources',                0, 'CASH:5 BONUS:7 COUPON:9:free', '0/0/0 0/0/0 0/0/0'),
  ('large amounts do not overflow',    900000000000000, 'CASH:300000000000000 BONUS:700000000000000',
   '270000000000000/270000000000000/0 630000000000000/630000000000000/0'),
  ('one unit of stake among big sources', 7, 'CASH:999999 BONUS:1',                    '7/7/0 0/0/0');

SELECT is(pg_temp.shares(ops.settlement_split(p_payout => payout, p_sources => pg_temp.sources(sources))), expected, name)
  FROM split_case ORDER BY name;

SELECT is((SELECT array_agg(destination ORDER BY n) FROM unnest(ops.settlement_split(p_payout => 100, p_sources => pg_temp.sources('CASH:1 COUPON:1')))
             WITH ORDINALITY s(source, destination, share, credit, withheld, n)),
          '{DEST_CASH,DEST_COUPON}'::text[], 'each share goes to its source''s destination');
SELECT is((SELECT array_agg(source ORDER BY n) FROM unnest(ops.settlement_split(p_payout => 100, p_sources => pg_temp.sources('CASH:1 COUPON:1 BONUS:4')))
             WITH ORDINALITY s(source, destination, share, credit, withheld, n)),
          '{s1,s2,s3}'::text[], 'shares come back in funding order');

-- The invariants, over every payout from 0 to 3000 and several splits of a stake:
-- shares sum to the payout, credit + withheld = share, no share differs from its exact pro-rata
-- value by a whole unit or more.
CREATE TEMP TABLE split_sources (label text, sources text);
INSERT INTO split_sources VALUES ('3/5/7', 'CASH:3 BONUS:5 WITHDRAWABLE:7'), ('1/1/1', 'CASH:1 BONUS:1 WITHDRAWABLE:1'),
    ('free 333 + 667', 'COUPON:333:free CASH:667'), ('1/999', 'CASH:1 BONUS:999');
SELECT is((SELECT count(*)::int FROM generate_series(0, 3000) payout
            WHERE (SELECT sum(share) FROM unnest(ops.settlement_split(p_payout => payout, p_sources => pg_temp.sources(sources)))) <> payout),
          0, 'shares sum to the payout for every payout 0..3000, sources ' || label)
  FROM split_sources ORDER BY label;
SELECT is((SELECT count(*)::int FROM generate_series(0, 3000) payout,
                  unnest(ops.settlement_split(p_payout => payout, p_sources => pg_temp.sources('COUPON:333:free CASH:667'))) s
            WHERE s.credit + s.withheld <> s.share OR s.credit < 0 OR s.withheld < 0),
          0, 'credit + withheld = share, never negative');
SELECT is((SELECT count(*)::int FROM generate_series(0, 3000) payout,
                  unnest(ops.settlement_split(p_payout => payout, p_sources => pg_temp.sources('CASH:3 BONUS:5 WITHDRAWABLE:7'))) WITH ORDINALITY s(source, d, share, c, w, n)
            WHERE abs(s.share - payout * (ARRAY[3, 5, 7])[n] / 15.0) >= 1),
          0, 'no share is a whole unit away from its exact pro-rata value');

SELECT is(tap_helpers.error_of($$SELECT ops.settlement_split(p_payout => -1, p_sources => pg_temp.sources('CASH:5'))$$)->>'sqlstate', 'RW001', 'negative payout refused');
SELECT is(tap_helpers.error_of($$SELECT ops.settlement_split(p_payout => 10, p_sources => '{}')$$)->>'sqlstate', 'RW001', 'no sources refused');
SELECT is(tap_helpers.error_of($$SELECT ops.settlement_split(p_payout => 10, p_sources => pg_temp.sources('CASH:0'))$$)->>'sqlstate', 'RW001', 'a zero-stake source refused');

-- At the top of the range: shares of 17 digits are floored exactly, and still sum to the payout
-- (numeric division had rounded each third of 99,999,999,999,999,998 up: one unit too many).
SELECT is((SELECT array_agg(share ORDER BY source) FROM unnest(ops.settlement_split(99999999999999998,
              ARRAY[('a', 'CASH', 1, 'A', true), ('b', 'CASH', 1, 'B', true), ('c', 'CASH', 1, 'C', true)]::wallet.settle_source[]))),
          ARRAY[33333333333333333, 33333333333333333, 33333333333333332]::bigint[],
          'a payout of 17 digits over three equal sources: largest remainders, summing to the payout');

SELECT finish();
ROLLBACK;
