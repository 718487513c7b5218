-- Reading the JSON documents admins send (topology, policies): a JSON value is taken for the
-- SQL type it must be only when its JSON type is that type.

-- A JSON integer (no fraction, no exponent) that fits a bigint.
CREATE OR REPLACE FUNCTION wallet._json_int(p jsonb)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(p) = 'number' AND p::text ~ '^-?[0-9]{1,18}$' THEN p::text::bigint END
$$;

-- min_odds as a JSON number or numeric string; NULL when absent, null or not a number.
CREATE OR REPLACE FUNCTION wallet._json_numeric(p jsonb)
RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(p) = 'number' THEN p::text::numeric
                WHEN jsonb_typeof(p) = 'string' AND p #>> '{}' ~ '^[0-9]{1,9}(\.[0-9]{1,6})?$' THEN (p #>> '{}')::numeric END
$$;

-- The keys of p_object not in p_allowed, as problems "<prefix><key>: is not a field of <what>".
CREATE OR REPLACE FUNCTION wallet._unknown_fields(p_object jsonb, p_allowed text[], p_prefix text, p_what text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('path', p_prefix || k, 'message', 'is not a field of ' || p_what) ORDER BY k), '[]')
      FROM jsonb_object_keys(p_object) k WHERE NOT k = ANY (p_allowed)
$$;
