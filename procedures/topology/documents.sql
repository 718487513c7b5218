-- Topology documents: the first-release document (SPEC §3) and how a validated document is
-- materialized into wallet.wallet_group, wallet.bucket_type, wallet.provider_mapping and
-- wallet.transfer_edge, which commands read.

-- Writes the rows of a (validated) topology document for p_version.
CREATE OR REPLACE FUNCTION wallet._topology_materialize(p_version integer, p_document jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.wallet_group (topology_version, code, position)
    SELECT p_version, g->>'code', n
      FROM jsonb_array_elements(p_document->'wallet_groups') WITH ORDINALITY AS t(g, n);

    INSERT INTO wallet.provider_mapping (topology_version, provider_type, wallet_group)
    SELECT p_version, pt, g->>'code'
      FROM jsonb_array_elements(p_document->'wallet_groups') g,
           jsonb_array_elements_text(g->'provider_types') pt;

    INSERT INTO wallet.bucket_type (topology_version, code, kind, wallet_group, position,
                                    bettable, withdrawable, accepts_deposit, accepts_winnings)
    SELECT p_version, b->>'code', b->>'kind', b->>'group', n,
           coalesce((b->>'bettable')::boolean, false),
           coalesce((b->>'withdrawable')::boolean, false),
           coalesce((b->>'accepts_deposit')::boolean, false),
           coalesce((b->>'accepts_winnings')::boolean, false)
      FROM jsonb_array_elements(p_document->'bucket_types') WITH ORDINALITY AS t(b, n);

    INSERT INTO wallet.transfer_edge (topology_version, from_type, to_type, rate_from, rate_to, min_amount, max_amount)
    SELECT p_version, e->>'from', e->>'to',
           coalesce((e->'rate'->>0)::bigint, 1), coalesce((e->'rate'->>1)::bigint, 1),
           (e->>'min')::bigint, (e->>'max')::bigint
      FROM jsonb_array_elements(coalesce(p_document->'transfer_edges', '[]')) e;
END
$$;

-- The first-release topology of SPEC §3.
CREATE OR REPLACE FUNCTION wallet._default_topology_document()
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT '{
      "wallet_groups": [
        {"code": "SPORTS", "provider_types": ["SPORTS"]},
        {"code": "CASINO", "provider_types": ["LIVE", "SLOTS"]}
      ],
      "bucket_types": [
        {"code": "SPORTS_NORMAL", "kind": "CASH",  "group": "SPORTS", "bettable": true,  "withdrawable": false, "accepts_deposit": true,  "accepts_winnings": true},
        {"code": "SPORTS_BONUS",  "kind": "BONUS", "group": "SPORTS", "bettable": true,  "withdrawable": false, "accepts_deposit": false, "accepts_winnings": true},
        {"code": "CASINO_NORMAL", "kind": "CASH",  "group": "CASINO", "bettable": true,  "withdrawable": false, "accepts_deposit": true,  "accepts_winnings": true},
        {"code": "CASINO_BONUS",  "kind": "BONUS", "group": "CASINO", "bettable": true,  "withdrawable": false, "accepts_deposit": false, "accepts_winnings": true},
        {"code": "POINTS",        "kind": "POINTS", "group": null,    "bettable": false, "withdrawable": false, "accepts_deposit": false, "accepts_winnings": false},
        {"code": "WITHDRAWABLE",  "kind": "WITHDRAWABLE", "group": null, "bettable": true, "withdrawable": true, "accepts_deposit": false, "accepts_winnings": true}
      ],
      "transfer_edges": [
        {"from": "SPORTS_NORMAL", "to": "CASINO_NORMAL"},
        {"from": "CASINO_NORMAL", "to": "SPORTS_NORMAL"},
        {"from": "POINTS", "to": "SPORTS_NORMAL", "rate": [1, 1], "min": 1000},
        {"from": "POINTS", "to": "CASINO_NORMAL", "rate": [1, 1], "min": 1000},
        {"from": "WITHDRAWABLE", "to": "SPORTS_NORMAL"},
        {"from": "WITHDRAWABLE", "to": "CASINO_NORMAL"}
      ]
    }'::jsonb
$$;
