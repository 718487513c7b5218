-- admin.topology_validate: every fault of a topology document at once, each with a path and
-- a message (SPEC §3).  Documents are the default one with one change each.
BEGIN;
SELECT plan(30);

CREATE FUNCTION pg_temp.base() RETURNS jsonb LANGUAGE sql AS $$ SELECT wallet._default_topology_document() $$;
CREATE FUNCTION pg_temp.problems(p jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(path || ': ' || message, ' | ' ORDER BY n), 'valid')
      FROM admin.topology_validate(p_document => p) WITH ORDINALITY v(path, message, n)
$$;

SELECT is(pg_temp.problems(pg_temp.base()), 'valid', 'the first-release topology is valid');

CREATE TEMP TABLE topology_case (name text, document jsonb, expected text);
INSERT INTO topology_case VALUES
  ('not an object', '[1]', ': must be a JSON object'),
  ('sections missing', '{}',
   'wallet_groups: is required: a non-empty array | bucket_types: is required: a non-empty array'),
  ('unknown top-level field', pg_temp.base() || '{"colour": "red"}', 'colour: is not a field of a topology'),
  ('unknown kind', jsonb_set(pg_temp.base(), '{bucket_types,0,kind}', '"GOLD"'),
   'bucket_types[0].kind: unknown kind GOLD (one of CASH, BONUS, POINTS, WITHDRAWABLE) | wallet_groups[0]: group SPORTS has no CASH bucket type'),
  ('duplicate bucket type code', jsonb_set(pg_temp.base(), '{bucket_types,1,code}', '"SPORTS_NORMAL"'),
   'bucket_types[1].code: duplicate bucket type SPORTS_NORMAL'),
  ('bad code shape', jsonb_set(pg_temp.base(), '{bucket_types,4,code}', '"points"'),
   'bucket_types[4].code: must be 1-64 capital letters, digits or _, starting with a letter | transfer_edges[2].from: unknown bucket type POINTS | transfer_edges[3].from: unknown bucket type POINTS'),
  ('duplicate group', jsonb_set(pg_temp.base(), '{wallet_groups,1,code}', '"SPORTS"'),
   'wallet_groups[1].code: duplicate wallet group SPORTS' ||
   ' | bucket_types[2].group: unknown wallet group CASINO | bucket_types[3].group: unknown wallet group CASINO'),
  ('provider type in two groups', jsonb_set(pg_temp.base(), '{wallet_groups,1,provider_types}', '["LIVE", "SLOTS", "SPORTS"]'),
   'wallet_groups[1].provider_types[2]: provider type SPORTS is mapped to group SPORTS already'),
  ('provider type in no group', jsonb_set(pg_temp.base(), '{wallet_groups,1,provider_types}', '["LIVE"]'),
   'wallet_groups: provider type SLOTS is mapped to no wallet group'),
  ('unknown provider type', jsonb_set(pg_temp.base(), '{wallet_groups,1,provider_types}', '["LIVE", "SLOTS", "BINGO"]'),
   'wallet_groups[1].provider_types[2]: unknown provider type BINGO'),
  ('group without a CASH bucket', jsonb_set(pg_temp.base(), '{bucket_types,2,kind}', '"BONUS"'),
   'wallet_groups[1]: group CASINO has no CASH bucket type'),
  ('bucket of an unknown group', jsonb_set(pg_temp.base(), '{bucket_types,1,group}', '"POKER"'),
   'bucket_types[1].group: unknown wallet group POKER'),
  ('flag that is not a boolean', jsonb_set(pg_temp.base(), '{bucket_types,0,bettable}', '"yes"'),
   'bucket_types[0].bettable: must be true or false'),
  ('unknown bucket type field', jsonb_set(pg_temp.base(), '{bucket_types,0,colour}', '"red"'),
   'bucket_types[0].colour: is not a field of a bucket type'),
  ('two WITHDRAWABLE bucket types', jsonb_set(pg_temp.base(), '{bucket_types,4,kind}', '"WITHDRAWABLE"'),
   'bucket_types[5].kind: a topology has at most one WITHDRAWABLE bucket type'),
  ('WITHDRAWABLE inside a group', jsonb_set(pg_temp.base(), '{bucket_types,5,group}', '"SPORTS"'),
   'bucket_types[5].group: the WITHDRAWABLE bucket type is shared: its group must be null'),
  ('edge to an unknown type', jsonb_set(pg_temp.base(), '{transfer_edges,0,to}', '"NOWHERE"'),
   'transfer_edges[0].to: unknown bucket type NOWHERE'),
  ('edge to itself', jsonb_set(pg_temp.base(), '{transfer_edges,0,to}', '"SPORTS_NORMAL"'),
   'transfer_edges[0]: an edge cannot lead from a bucket type to itself'),
  ('zero rate', jsonb_set(pg_temp.base(), '{transfer_edges,2,rate}', '[0, 1]'),
   'transfer_edges[2].rate: must be [from_units, to_units], two positive integers'),
  ('rate of one number', jsonb_set(pg_temp.base(), '{transfer_edges,2,rate}', '[1]'),
   'transfer_edges[2].rate: must be [from_units, to_units], two positive integers'),
  ('rate as text', jsonb_set(pg_temp.base(), '{transfer_edges,2,rate}', '"1:1"'),
   'transfer_edges[2].rate: must be [from_units, to_units], two positive integers'),
  ('min above max', jsonb_set(pg_temp.base(), '{transfer_edges,2,max}', '10'),
   'transfer_edges[2].max: must be at least min (1000)'),
  ('negative min', jsonb_set(pg_temp.base(), '{transfer_edges,0,min}', '-5'),
   'transfer_edges[0].min: must be a positive integer'),
  ('duplicate edge', jsonb_set(pg_temp.base(), '{transfer_edges,1}', '{"from": "SPORTS_NORMAL", "to": "CASINO_NORMAL"}'),
   'transfer_edges[1]: duplicate edge SPORTS_NORMAL -> CASINO_NORMAL'),
  ('unknown edge field', jsonb_set(pg_temp.base(), '{transfer_edges,0,fee}', '5'),
   'transfer_edges[0].fee: is not a field of a transfer edge'),
  ('edges may be omitted', pg_temp.base() - 'transfer_edges', 'valid');

SELECT is(pg_temp.problems(document), expected, name) FROM topology_case ORDER BY name;

-- Several faults at once: every one is reported.
SELECT is((SELECT count(*)::int FROM admin.topology_validate(
              p_document => jsonb_set(jsonb_set(jsonb_set(pg_temp.base(), '{bucket_types,0,kind}', '"GOLD"'),
                                  '{transfer_edges,0,to}', '"NOWHERE"'), '{wallet_groups,1,provider_types}', '["LIVE"]'))),
          4, 'three changes, four faults (GOLD also leaves SPORTS without CASH), all listed');
SELECT ok(NOT EXISTS (SELECT 1 FROM admin.topology_validate(p_document => pg_temp.base() || jsonb_build_object('bucket_types',
              (pg_temp.base()->'bucket_types') || '[{"code": "VIP_CASH", "kind": "CASH", "group": "SPORTS", "bettable": true, "withdrawable": false, "accepts_deposit": true, "accepts_winnings": true}]'))),
          'adding a bucket type is data: valid with no schema change');
SELECT is(pg_temp.problems(jsonb_set(pg_temp.base(), '{bucket_types,0}', '"SPORTS_NORMAL"')),
          'bucket_types[0]: must be an object | wallet_groups[0]: group SPORTS has no CASH bucket type' ||
          ' | transfer_edges[0].from: unknown bucket type SPORTS_NORMAL | transfer_edges[1].to: unknown bucket type SPORTS_NORMAL' ||
          ' | transfer_edges[2].to: unknown bucket type SPORTS_NORMAL' ||
          ' | transfer_edges[4].to: unknown bucket type SPORTS_NORMAL',
          'a bucket type that is not an object');

SELECT finish();
ROLLBACK;
