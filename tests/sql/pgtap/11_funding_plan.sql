-- ops.funding_plan: the pure table of which sources fund a stake (SPEC §4), tested before
-- any bet command uses it.  Sources are written compactly: 'SPORTS_NORMAL=1000 coupon:c1=300!'
-- ('!' marks a source that may not fund this bet: an ineligible coupon, a non-bettable bucket).
BEGIN;
SELECT plan(35);

CREATE FUNCTION pg_temp.avail(p text) RETURNS wallet.fund_available[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg((split_part(tok, '=', 1),
                               CASE WHEN tok LIKE 'coupon:%' THEN 'COUPON'
                                    WHEN tok LIKE '%_NORMAL=%' THEN 'CASH'
                                    WHEN tok LIKE '%_BONUS=%' THEN 'BONUS'
                                    WHEN tok LIKE 'WITHDRAWABLE=%' THEN 'WITHDRAWABLE'
                                    ELSE 'POINTS' END,
                               rtrim(split_part(tok, '=', 2), '!')::bigint,
                               tok NOT LIKE '%!')::wallet.fund_available ORDER BY n), '{}')
      FROM regexp_split_to_table(trim(p), '\s+') WITH ORDINALITY t(tok, n) WHERE tok <> ''
$$;
CREATE FUNCTION pg_temp.plan_text(p wallet.fund_source[]) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(s.source || '=' || s.amount, ' ' ORDER BY n) FROM unnest(p) WITH ORDINALITY s(source, kind, amount, n)
$$;
-- The error a call raises: its SQLSTATE and JSON detail (NULL when it does not raise).

CREATE TEMP TABLE plan_case (name text, stake bigint, mode text, deduction text[], max_coupons int,
                             selected text, sources text, expected text);
INSERT INTO plan_case VALUES
  ('cash alone covers the stake',          700, 'AUTO', '{COUPON,SPORTS_NORMAL,WITHDRAWABLE,SPORTS_BONUS}', 1, NULL,
   'SPORTS_NORMAL=1000', 'SPORTS_NORMAL=700'),
  ('coupon first, cash for the rest',     1000, 'AUTO', '{COUPON,SPORTS_NORMAL,WITHDRAWABLE,SPORTS_BONUS}', 1, NULL,
   'SPORTS_NORMAL=1000 coupon:c1=300', 'coupon:c1=300 SPORTS_NORMAL=700'),
  ('a coupon may be used partly',          800, 'AUTO', '{COUPON,SPORTS_NORMAL}', 1, NULL,
   'coupon:c1=5000 SPORTS_NORMAL=1000', 'coupon:c1=800'),
  ('an ineligible coupon is skipped',      500, 'AUTO', '{COUPON,SPORTS_NORMAL}', 1, NULL,
   'coupon:c1=300! SPORTS_NORMAL=1000', 'SPORTS_NORMAL=500'),
  ('max one coupon per bet',               500, 'AUTO', '{COUPON,SPORTS_NORMAL}', 1, NULL,
   'coupon:c1=100 coupon:c2=100 SPORTS_NORMAL=1000', 'coupon:c1=100 SPORTS_NORMAL=400'),
  ('two coupons when allowed, in order',   500, 'AUTO', '{COUPON,SPORTS_NORMAL}', 2, NULL,
   'coupon:c1=100 coupon:c2=100 SPORTS_NORMAL=1000', 'coupon:c1=100 coupon:c2=100 SPORTS_NORMAL=300'),
  ('coupons disabled: none taken',         500, 'AUTO', '{SPORTS_NORMAL}', 0, NULL,
   'coupon:c1=100 SPORTS_NORMAL=1000', 'SPORTS_NORMAL=500'),
  ('stake split three ways',               500, 'AUTO', '{SPORTS_NORMAL,WITHDRAWABLE,SPORTS_BONUS}', 1, NULL,
   'SPORTS_NORMAL=100 WITHDRAWABLE=200 SPORTS_BONUS=1000', 'SPORTS_NORMAL=100 WITHDRAWABLE=200 SPORTS_BONUS=200'),
  ('empty sources are skipped',            500, 'AUTO', '{SPORTS_NORMAL,WITHDRAWABLE}', 1, NULL,
   'SPORTS_NORMAL=0 WITHDRAWABLE=500', 'WITHDRAWABLE=500'),
  ('one-unit stake',                         1, 'AUTO', '{SPORTS_NORMAL}', 1, NULL,
   'SPORTS_NORMAL=1', 'SPORTS_NORMAL=1'),
  ('exact drain of two sources',          1000, 'AUTO', '{SPORTS_NORMAL,WITHDRAWABLE}', 1, NULL,
   'SPORTS_NORMAL=700 WITHDRAWABLE=300', 'SPORTS_NORMAL=700 WITHDRAWABLE=300'),
  ('deduction order wins over listing order', 300, 'AUTO', '{WITHDRAWABLE,SPORTS_NORMAL}', 1, NULL,
   'SPORTS_NORMAL=1000 WITHDRAWABLE=200', 'WITHDRAWABLE=200 SPORTS_NORMAL=100'),
  ('sources outside the order are never taken', 100, 'AUTO', '{SPORTS_NORMAL}', 1, NULL,
   'SPORTS_BONUS=1000 SPORTS_NORMAL=100', 'SPORTS_NORMAL=100'),
  ('player-selected bucket',               500, 'PLAYER_SELECTED', '{SPORTS_NORMAL,WITHDRAWABLE}', 1, 'WITHDRAWABLE',
   'SPORTS_NORMAL=1000 WITHDRAWABLE=600', 'WITHDRAWABLE=500'),
  ('player-selected coupon',               500, 'PLAYER_SELECTED', '{COUPON,SPORTS_NORMAL}', 1, 'coupon:c2',
   'coupon:c1=100 coupon:c2=500', 'coupon:c2=500');

SELECT is(pg_temp.plan_text(ops.funding_plan(p_stake => stake, p_funding_mode => mode, p_deduction_order => deduction, p_max_coupons => max_coupons, p_selected_source => selected, p_available => pg_temp.avail(sources))),
          expected, name)
  FROM plan_case ORDER BY name;

SELECT is((SELECT array_agg(kind ORDER BY n)
             FROM unnest(ops.funding_plan(p_stake => 1000, p_funding_mode => 'AUTO', p_deduction_order => '{COUPON,SPORTS_NORMAL,WITHDRAWABLE}', p_max_coupons => 1, p_selected_source => NULL,
                                             p_available => pg_temp.avail('coupon:c1=100 SPORTS_NORMAL=500 WITHDRAWABLE=1000')))
                  WITH ORDINALITY s(source, kind, amount, n)),
          '{COUPON,CASH,WITHDRAWABLE}'::text[], 'each line carries its source kind');

CREATE TEMP TABLE refusal_case (name text, stake bigint, mode text, deduction text[], max_coupons int,
                                selected text, sources text, sqlstate text, available bigint);
INSERT INTO refusal_case VALUES
  ('a selected source in AUTO mode: SOURCE_NOT_ALLOWED',          100, 'AUTO', '{SPORTS_NORMAL}', 1, 'SPORTS_NORMAL',
   'SPORTS_NORMAL=1000', 'RW011', NULL),
  ('no selected source in PLAYER_SELECTED mode: SOURCE_REQUIRED', 100, 'PLAYER_SELECTED', '{SPORTS_NORMAL}', 1, NULL,
   'SPORTS_NORMAL=1000', 'RW010', NULL),
  ('selected bucket outside the deduction order: SOURCE_NOT_ALLOWED', 100, 'PLAYER_SELECTED', '{SPORTS_NORMAL}', 1,
   'SPORTS_BONUS', 'SPORTS_NORMAL=1000 SPORTS_BONUS=1000', 'RW011', NULL),
  ('selected bucket of another group: SOURCE_NOT_ALLOWED',     100, 'PLAYER_SELECTED', '{SPORTS_NORMAL}', 1,
   'CASINO_NORMAL', 'SPORTS_NORMAL=1000', 'RW011', NULL),
  ('selected coupon when coupons are off: SOURCE_NOT_ALLOWED',  100, 'PLAYER_SELECTED', '{SPORTS_NORMAL}', 0,
   'coupon:c1', 'coupon:c1=1000 SPORTS_NORMAL=1000', 'RW011', NULL),
  ('selected ineligible coupon: COUPON_NOT_ELIGIBLE',          100, 'PLAYER_SELECTED', '{COUPON,SPORTS_NORMAL}', 1,
   'coupon:c1', 'coupon:c1=1000!', 'RW012', NULL),
  ('selected unknown coupon: COUPON_NOT_ELIGIBLE',             100, 'PLAYER_SELECTED', '{COUPON,SPORTS_NORMAL}', 1,
   'coupon:nope', 'coupon:c1=1000', 'RW012', NULL),
  ('selected non-bettable bucket: NOT_BETTABLE',               100, 'PLAYER_SELECTED', '{SPORTS_NORMAL}', 1,
   'POINTS', 'SPORTS_NORMAL=1000 POINTS=5000!', 'RW009', NULL),
  ('selected source must cover the whole stake',               800, 'PLAYER_SELECTED', '{SPORTS_NORMAL,WITHDRAWABLE}', 1,
   'WITHDRAWABLE', 'SPORTS_NORMAL=5000 WITHDRAWABLE=799', 'RW006', 799),
  ('AUTO short by one unit: INSUFFICIENT_FUNDS with what is usable', 1001, 'AUTO', '{COUPON,SPORTS_NORMAL,WITHDRAWABLE}', 1,
   NULL, 'coupon:c1=200 SPORTS_NORMAL=500 WITHDRAWABLE=300 SPORTS_BONUS=9999', 'RW006', 1000),
  ('AUTO with nothing usable',                                  1, 'AUTO', '{COUPON,SPORTS_NORMAL}', 1, NULL,
   'coupon:c1=50! SPORTS_NORMAL=0', 'RW006', 0),
  ('zero stake: VALIDATION_FAILED',                              0, 'AUTO', '{SPORTS_NORMAL}', 1, NULL,
   'SPORTS_NORMAL=10', 'RW001', NULL),
  ('negative stake: VALIDATION_FAILED',                         -5, 'AUTO', '{SPORTS_NORMAL}', 1, NULL,
   'SPORTS_NORMAL=10', 'RW001', NULL);

SELECT is(tap_helpers.error_of(format('SELECT ops.funding_plan(p_stake => %s, p_funding_mode => %L, p_deduction_order => %L, p_max_coupons => %s, p_selected_source => %L, p_available => pg_temp.avail(%L))',
                                  stake, mode, deduction, max_coupons, selected, sources))->>'sqlstate',
          sqlstate, name)
  FROM refusal_case ORDER BY name;

SELECT is((tap_helpers.error_of(format('SELECT ops.funding_plan(p_stake => %s, p_funding_mode => %L, p_deduction_order => %L, p_max_coupons => %s, p_selected_source => %L, p_available => pg_temp.avail(%L))',
                                   stake, mode, deduction, max_coupons, selected, sources))->>'available')::bigint,
          available, name || ' (available)')
  FROM refusal_case WHERE available IS NOT NULL ORDER BY name;

-- The plan never takes more than a source holds and always sums to the stake.
SELECT is((SELECT count(*)::int FROM generate_series(1, 1500) stake
            WHERE (SELECT sum(amount) FROM unnest(ops.funding_plan(p_stake => stake, p_funding_mode => 'AUTO', p_deduction_order => '{COUPON,SPORTS_NORMAL,WITHDRAWABLE,SPORTS_BONUS}', p_max_coupons => 1,
                                 p_selected_source => NULL, p_available => pg_temp.avail('coupon:c1=333 SPORTS_NORMAL=401 WITHDRAWABLE=17 SPORTS_BONUS=749')))) <> stake),
          0, 'every affordable stake from 1 to 1500 is funded exactly');
SELECT is((SELECT count(*)::int FROM generate_series(1, 1500) stake,
                  unnest(ops.funding_plan(p_stake => stake, p_funding_mode => 'AUTO', p_deduction_order => '{COUPON,SPORTS_NORMAL,WITHDRAWABLE,SPORTS_BONUS}', p_max_coupons => 1,
                         p_selected_source => NULL, p_available => pg_temp.avail('coupon:c1=333 SPORTS_NORMAL=401 WITHDRAWABLE=17 SPORTS_BONUS=749'))) line
            WHERE line.amount <= 0
               OR line.amount > (SELECT available FROM unnest(pg_temp.avail('coupon:c1=333 SPORTS_NORMAL=401 WITHDRAWABLE=17 SPORTS_BONUS=749')) a
                                  WHERE a.source = line.source)),
          0, 'no line is empty or takes more than its source holds');
SELECT is(tap_helpers.error_of($$SELECT ops.funding_plan(p_stake => 1501, p_funding_mode => 'AUTO', p_deduction_order => '{COUPON,SPORTS_NORMAL,WITHDRAWABLE,SPORTS_BONUS}', p_max_coupons => 1, p_selected_source => NULL,
                              p_available => pg_temp.avail('coupon:c1=333 SPORTS_NORMAL=401 WITHDRAWABLE=17 SPORTS_BONUS=749'))$$)->>'available',
          '1500', 'one unit more than everything is refused with all of it available');

SELECT finish();
ROLLBACK;
