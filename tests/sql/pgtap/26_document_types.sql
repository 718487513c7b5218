-- Every field of the topology, betting-policy and money-policy documents is type-checked: a
-- value of the wrong JSON type (a string where an integer belongs, a number where a code
-- belongs, …) is a problem at its path, never accepted (issue 15: a transfer edge rate
-- ["100", 1] was a valid draft).  Documents are the first-release ones with one field changed.
BEGIN;
SELECT plan(33);

CREATE FUNCTION pg_temp.topology(p_path text[], p_value jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(path || ': ' || message, ' | ' ORDER BY n), 'valid')
      FROM admin.topology_validate(p_document => jsonb_set(wallet._default_topology_document(), p_path, p_value))
           WITH ORDINALITY v(path, message, n)
$$;
CREATE FUNCTION pg_temp.betting(p_path text[], p_value jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(path || ': ' || message, ' | ' ORDER BY n), 'valid')
      FROM admin.betting_policy_validate(
               p_provider_type => 'SPORTS',
               p_document => jsonb_set((SELECT document FROM wallet.betting_policy WHERE provider_type = 'SPORTS' AND status = 'ACTIVE'),
                                       p_path, p_value),
               p_topology => 1) WITH ORDINALITY v(path, message, n)
$$;
CREATE FUNCTION pg_temp.money(p_path text[], p_value jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(path || ': ' || message, ' | ' ORDER BY n), 'valid')
      FROM admin.group_policy_validate(
               p_wallet_group => 'SPORTS',
               p_document => jsonb_set((SELECT document FROM wallet.group_policy WHERE wallet_group = 'SPORTS' AND status = 'ACTIVE'),
                                       p_path, p_value),
               p_topology => 1) WITH ORDINALITY v(path, message, n)
$$;

-- topology
SELECT is(pg_temp.topology('{transfer_edges,2,rate}', '["100", 1]'),
          'transfer_edges[2].rate: must be [from_units, to_units], two positive integers', 'edge rate with a string');
SELECT is(pg_temp.topology('{transfer_edges,2,rate}', '[1, null]'),
          'transfer_edges[2].rate: must be [from_units, to_units], two positive integers', 'edge rate with null');
SELECT is(pg_temp.topology('{transfer_edges,2,rate}', '[true, 1]'),
          'transfer_edges[2].rate: must be [from_units, to_units], two positive integers', 'edge rate with a boolean');
SELECT is(pg_temp.topology('{transfer_edges,2,rate}', '[1.5, 1]'),
          'transfer_edges[2].rate: must be [from_units, to_units], two positive integers', 'edge rate with a fraction');
SELECT is(pg_temp.topology('{transfer_edges,2,rate}', '"1:1"'),
          'transfer_edges[2].rate: must be [from_units, to_units], two positive integers', 'edge rate not an array');
SELECT is(pg_temp.topology('{transfer_edges,2,min}', '"1000"'), 'transfer_edges[2].min: must be a positive integer',
          'edge min as a string');
SELECT is(pg_temp.topology('{transfer_edges,0,from}', '1'), 'transfer_edges[0].from: must be a bucket type code (a string)',
          'edge from as a number');
SELECT is(pg_temp.topology('{transfer_edges,0}', '{"to": "CASINO_NORMAL"}'), 'transfer_edges[0].from: unknown bucket type null',
          'edge without from');
SELECT is(pg_temp.topology('{bucket_types,0,kind}', '["CASH"]'),
          'bucket_types[0].kind: unknown kind ["CASH"] (one of CASH, BONUS, POINTS, WITHDRAWABLE) | wallet_groups[0]: group SPORTS has no CASH bucket type',
          'bucket kind as an array');
SELECT is(pg_temp.topology('{bucket_types,1,group}', '5'), 'bucket_types[1].group: must be a wallet group code or null',
          'bucket group as a number');
SELECT is(pg_temp.topology('{bucket_types,5,code}', '7'),
          'bucket_types[5].code: must be 1-64 capital letters, digits or _, starting with a letter'
          ' | transfer_edges[4].from: unknown bucket type WITHDRAWABLE | transfer_edges[5].from: unknown bucket type WITHDRAWABLE',
          'bucket code as a number');
SELECT is(pg_temp.topology('{bucket_types,0,withdrawable}', '0'), 'bucket_types[0].withdrawable: must be true or false',
          'flag as a number');
SELECT is(pg_temp.topology('{wallet_groups,0,provider_types}', '"SPORTS"'),
          'wallet_groups[0].provider_types: must be an array of provider types | wallet_groups: provider type SPORTS is mapped to no wallet group',
          'provider types as a string');
SELECT is(pg_temp.topology('{wallet_groups,0,provider_types}', '[1]'),
          'wallet_groups[0].provider_types[0]: must be a provider type code (a string) | wallet_groups: provider type SPORTS is mapped to no wallet group',
          'provider type as a number');
SELECT is(pg_temp.topology('{wallet_groups,0,code}', '{}'),
          'wallet_groups[0].code: must be 1-64 capital letters, digits or _, starting with a letter'
          ' | bucket_types[0].group: unknown wallet group SPORTS | bucket_types[1].group: unknown wallet group SPORTS',
          'group code as an object');

-- betting policy
SELECT is(pg_temp.betting('{funding_mode}', '["AUTO"]'), 'funding_mode: must be AUTO or PLAYER_SELECTED', 'funding mode as an array');
SELECT is(pg_temp.betting('{deduction_order}', '"COUPON"'),
          'deduction_order: is required: a non-empty array of COUPON and bucket type codes', 'deduction order as a string');
SELECT is(pg_temp.betting('{deduction_order,1}', '1'), 'deduction_order[1]: must be a string', 'deduction order item as a number');
SELECT is(pg_temp.betting('{coupon,enabled}', '"true"'), 'coupon.enabled: must be true or false', 'coupon enabled as a string');
SELECT is(pg_temp.betting('{coupon,max_per_bet}', '"1"'), 'coupon.max_per_bet: must be an integer from 1 to 10',
          'coupon max per bet as a string');
SELECT is(pg_temp.betting('{coupon}', '[]'), 'coupon: must be an object', 'coupon as an array');
SELECT is(pg_temp.betting('{settlement_destinations,CASH}', '5'),
          'settlement_destinations.CASH: must be a bucket type code (a string)', 'destination as a number');
SELECT is(pg_temp.betting('{rolling,contribution_bps}', '"10000"'), 'rolling.contribution_bps: must be an integer from 0 to 10000',
          'contribution as a string');
SELECT is(pg_temp.betting('{rolling,void_counts}', '0'), 'rolling.void_counts: must be true or false', 'void counts as a number');
SELECT is(pg_temp.betting('{rolling,min_odds}', 'true'), 'rolling.min_odds: must be a number of at least 1',
          'rolling min odds as a boolean');

-- money policy
SELECT is(pg_temp.money('{deposit_rolling_bps}', '"10000"'), 'deposit_rolling_bps: must be an integer from 0 to 1000000',
          'deposit rolling as a string');
SELECT is(pg_temp.money('{auto_complete_below}', '1.5'), 'auto_complete_below: must be a non-negative integer',
          'auto complete as a fraction');
SELECT is(pg_temp.money('{transfer,min}', '"1"'), 'transfer.min: must be a positive integer or null', 'transfer min as a string');
SELECT is(pg_temp.money('{transfer,max}', 'false'), 'transfer.max: must be a positive integer or null', 'transfer max as a boolean');
SELECT is(pg_temp.money('{transfer,rolling_inheritance}', '1'), 'transfer.rolling_inheritance: must be PROPORTIONAL or NONE',
          'inheritance as a number');
SELECT is(pg_temp.money('{transfer,arrival_rolling_bps}', 'null'), 'transfer.arrival_rolling_bps: must be an integer from 0 to 1000000',
          'arrival rolling as null');
SELECT is(pg_temp.money('{bonus_conversion_bucket_type}', '5'),
          'bonus_conversion_bucket_type: must be a CASH or WITHDRAWABLE bucket type of group SPORTS or shared',
          'conversion bucket as a number');
SELECT is(pg_temp.money('{transfer}', '"none"'), 'transfer: must be an object', 'transfer as a string');

SELECT * FROM finish();
ROLLBACK;
