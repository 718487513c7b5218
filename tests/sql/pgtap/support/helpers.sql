-- Helpers shared by the pgTAP files of tests/sql/pgtap/, installed in schema `tap_helpers` of the test
-- template database (tests/support/database.py) next to the pgTAP extension.
CREATE SCHEMA IF NOT EXISTS tap_helpers;

-- A player's balance of one bucket type (0 when the bucket was never created).
CREATE OR REPLACE FUNCTION tap_helpers.bal(p_player text, p_bucket text) RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce((SELECT balance FROM wallet.bucket WHERE account_id = p_player AND bucket_type = p_bucket), 0)
$$;

-- The net of a player's pocket (EXTERNAL, HOLD, HOUSE, PROMOTION, ADJUSTMENT) from the ledger.
CREATE OR REPLACE FUNCTION tap_helpers.pocket(p_player text, p_pocket text) RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(amount), 0)::bigint FROM wallet.ledger_entry WHERE account_id = p_player AND pocket = p_pocket
$$;

CREATE OR REPLACE FUNCTION tap_helpers.remaining(p_coupon text) RETURNS bigint LANGUAGE sql AS $$
    SELECT remaining FROM wallet.coupon WHERE coupon_id = p_coupon
$$;

-- The error a statement raises, as {"sqlstate": …} plus its JSON detail; NULL when it succeeds.
CREATE OR REPLACE FUNCTION tap_helpers.error_of(p_sql text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE v_state text; v_detail text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_detail = PG_EXCEPTION_DETAIL;
    RETURN jsonb_build_object('sqlstate', v_state) || coalesce(nullif(v_detail, '')::jsonb, '{}');
END $$;

-- Rolling ids come from a sequence shared by every test file: name them by what opened them.
CREATE OR REPLACE FUNCTION tap_helpers.named_ids(p jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE WHEN p ? 'rolling' THEN jsonb_set(p, '{rolling}', coalesce((
               SELECT jsonb_agg(r || jsonb_build_object('rolling_id', (SELECT format('(%s %s)', source_kind, source_id)
                                                                         FROM wallet.rolling_obligation o
                                                                        WHERE o.rolling_id = (r->>'rolling_id')::bigint)) ORDER BY n)
                 FROM jsonb_array_elements(p->'rolling') WITH ORDINALITY x(r, n)), '[]')) ELSE p END
$$;
