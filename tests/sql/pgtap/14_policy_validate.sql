-- Betting policies (per provider type) and money policies (per wallet group) validated against
-- the topology they are bound to: every fault, with a path (SPEC §4).
BEGIN;
SELECT plan(34);

CREATE FUNCTION pg_temp.sports() RETURNS jsonb LANGUAGE sql AS $$ SELECT wallet._default_betting_policy(p_provider_type => 'SPORTS', p_topology => 1) $$;
CREATE FUNCTION pg_temp.problems(p_provider text, p jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(path || ': ' || message, ' | ' ORDER BY n), 'valid')
      FROM admin.betting_policy_validate(p_provider_type => p_provider, p_document => p, p_topology => 1) WITH ORDINALITY v(path, message, n)
$$;
CREATE FUNCTION pg_temp.group_problems(p_group text, p jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(path || ': ' || message, ' | ' ORDER BY n), 'valid')
      FROM admin.group_policy_validate(p_wallet_group => p_group, p_document => p, p_topology => 1) WITH ORDINALITY v(path, message, n)
$$;

SELECT is(pg_temp.problems(p, wallet._default_betting_policy(p_provider_type => p, p_topology => 1)), 'valid', 'default betting policy of ' || p || ' is valid')
  FROM unnest(ARRAY['SPORTS', 'LIVE', 'SLOTS']) p;
SELECT is(wallet._default_betting_policy(p_provider_type => 'LIVE', p_topology => 1)->'deduction_order', '["COUPON", "CASINO_NORMAL", "WITHDRAWABLE", "CASINO_BONUS"]',
          'LIVE takes the CASINO group''s buckets by default');
SELECT is(wallet._default_betting_policy(p_provider_type => 'LIVE', p_topology => 1)#>'{rolling,contribution_bps}', '1000', 'LIVE contributes 10% by default');
SELECT is(wallet._default_betting_policy(p_provider_type => 'SLOTS', p_topology => 1)#>'{rolling,contribution_bps}', '10000', 'SLOTS contributes 100% by default');
SELECT is(pg_temp.group_problems(g, wallet._default_group_policy(p_wallet_group => g, p_topology => 1)), 'valid', 'default money policy of ' || g || ' is valid')
  FROM unnest(ARRAY['SPORTS', 'CASINO']) g;
SELECT is(wallet._default_group_policy(p_wallet_group => 'CASINO', p_topology => 1)->>'bonus_conversion_bucket_type', 'CASINO_NORMAL',
          'bonus converts to the group''s first CASH bucket by default');

CREATE TEMP TABLE policy_case (name text, provider text, document jsonb, expected text);
INSERT INTO policy_case VALUES
  ('not an object', 'SPORTS', '"AUTO"', ': must be a JSON object'),
  ('unknown provider type', 'BINGO', pg_temp.sports(), 'provider_type: unknown provider type BINGO'),
  ('unknown field', 'SPORTS', pg_temp.sports() || '{"limit": 5}', 'limit: is not a field of a betting policy'),
  ('unknown funding mode', 'SPORTS', pg_temp.sports() || '{"funding_mode": "RANDOM"}',
   'funding_mode: must be AUTO or PLAYER_SELECTED'),
  ('empty deduction order', 'SPORTS', pg_temp.sports() || '{"deduction_order": []}',
   'deduction_order: is required: a non-empty array of COUPON and bucket type codes'),
  ('unknown bucket type in the order', 'SPORTS', jsonb_set(pg_temp.sports(), '{deduction_order,1}', '"GOLD"'),
   'deduction_order[1]: unknown bucket type GOLD'),
  ('bucket of another group', 'SPORTS', jsonb_set(pg_temp.sports(), '{deduction_order,1}', '"CASINO_NORMAL"'),
   'deduction_order[1]: bucket type CASINO_NORMAL belongs to group CASINO, not SPORTS'),
  ('non-bettable bucket', 'SPORTS', jsonb_set(pg_temp.sports(), '{deduction_order,2}', '"POINTS"'),
   'deduction_order[2]: bucket type POINTS is not bettable'),
  ('listed twice', 'SPORTS', jsonb_set(pg_temp.sports(), '{deduction_order,3}', '"SPORTS_NORMAL"'),
   'deduction_order[3]: SPORTS_NORMAL is listed twice'),
  ('COUPON with coupons disabled', 'SPORTS', pg_temp.sports() || '{"coupon": {"enabled": false}}',
   'deduction_order[0]: COUPON is listed but coupons are disabled'),
  ('bad coupon settings', 'SPORTS', pg_temp.sports() || '{"coupon": {"enabled": "yes", "max_per_bet": 0, "x": 1}}',
   'coupon.x: is not a field of coupon | coupon.enabled: must be true or false | coupon.max_per_bet: must be an integer from 1 to 10'),
  ('missing destination for a source kind', 'SPORTS', pg_temp.sports() #- '{settlement_destinations,BONUS}',
   'settlement_destinations.BONUS: is required: SPORTS_BONUS funds bets'),
  ('destination that takes no winnings', 'SPORTS', jsonb_set(pg_temp.sports(), '{settlement_destinations,CASH}', '"POINTS"'),
   'settlement_destinations.CASH: bucket type POINTS does not accept winnings'),
  ('destination of another group', 'SPORTS', jsonb_set(pg_temp.sports(), '{settlement_destinations,BONUS}', '"CASINO_BONUS"'),
   'settlement_destinations.BONUS: bucket type CASINO_BONUS belongs to group CASINO, not SPORTS'),
  ('unknown source kind', 'SPORTS', jsonb_set(pg_temp.sports(), '{settlement_destinations,GIFT}', '"SPORTS_BONUS"'),
   'settlement_destinations.GIFT: is not a source kind (CASH, WITHDRAWABLE, BONUS, COUPON)'),
  ('rolling out of range', 'SPORTS', pg_temp.sports() || '{"rolling": {"contribution_bps": 10001, "min_odds": 0.5, "void_counts": 1}}',
   'rolling.contribution_bps: must be an integer from 0 to 10000 | rolling.min_odds: must be a number of at least 1 | rolling.void_counts: must be true or false'),
  ('several faults at once', 'SPORTS', pg_temp.sports() || '{"funding_mode": "X", "deduction_order": ["GOLD"], "settlement_destinations": {}}',
   'funding_mode: must be AUTO or PLAYER_SELECTED | deduction_order[0]: unknown bucket type GOLD'),
  ('min_odds as text is accepted', 'SPORTS', jsonb_set(pg_temp.sports(), '{rolling,min_odds}', '"1.5"'), 'valid');

SELECT is(pg_temp.problems(provider, document), expected, name) FROM policy_case ORDER BY name;

CREATE TEMP TABLE group_case (name text, wallet_group text, document jsonb, expected text);
INSERT INTO group_case VALUES
  ('empty document takes every default', 'SPORTS', '{}', 'valid'),
  ('unknown group', 'POKER', '{}', 'wallet_group: unknown wallet group POKER in topology 1'),
  ('bad numbers', 'SPORTS', '{"deposit_rolling_bps": -1, "auto_complete_below": "x"}',
   'deposit_rolling_bps: must be an integer from 0 to 1000000 | auto_complete_below: must be a non-negative integer'),
  ('transfer limits and inheritance', 'SPORTS', '{"transfer": {"min": 500, "max": 100, "rolling_inheritance": "ALL", "arrival_rolling_bps": -1}}',
   'transfer.max: must be at least min (500) | transfer.rolling_inheritance: must be PROPORTIONAL or NONE | transfer.arrival_rolling_bps: must be an integer from 0 to 1000000'),
  ('conversion into a bonus bucket', 'SPORTS', '{"bonus_conversion_bucket_type": "SPORTS_BONUS"}',
   'bonus_conversion_bucket_type: must be a CASH or WITHDRAWABLE bucket type of group SPORTS or shared'),
  ('conversion into another group', 'SPORTS', '{"bonus_conversion_bucket_type": "CASINO_NORMAL"}',
   'bonus_conversion_bucket_type: must be a CASH or WITHDRAWABLE bucket type of group SPORTS or shared'),
  ('unknown field', 'CASINO', '{"fee": 1}', 'fee: is not a field of a money policy');

SELECT is(pg_temp.group_problems(wallet_group, document), expected, name) FROM group_case ORDER BY name;

SELECT finish();
ROLLBACK;
