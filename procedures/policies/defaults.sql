-- The first-release policy documents (SPEC §4, §5b), derived from a topology version.

-- SPEC §5b: AUTO; COUPON, the group's normal bucket, WITHDRAWABLE, the group's bonus bucket;
-- CASH → normal, WITHDRAWABLE → WITHDRAWABLE, BONUS and COUPON → bonus; rolling 100% (LIVE 10%).
CREATE OR REPLACE FUNCTION wallet._default_betting_policy(p_provider_type text, p_topology integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_group text := wallet._group_of(p_topology, p_provider_type);
    v_normal text := wallet._first_bucket(p_topology, v_group, 'CASH');
    v_bonus text := wallet._first_bucket(p_topology, v_group, 'BONUS');
    v_withdrawable text := wallet._first_bucket(p_topology, NULL, 'WITHDRAWABLE');
BEGIN
    RETURN jsonb_build_object(
        'funding_mode', 'AUTO',
        'deduction_order', to_jsonb(array_remove(ARRAY['COUPON', v_normal, v_withdrawable, v_bonus], NULL)),
        'coupon', jsonb_build_object('enabled', true, 'max_per_bet', 1),
        'settlement_destinations', jsonb_strip_nulls(jsonb_build_object(
            'CASH', v_normal, 'WITHDRAWABLE', v_withdrawable, 'BONUS', v_bonus, 'COUPON', coalesce(v_bonus, v_normal))),
        'rolling', jsonb_build_object('contribution_bps', CASE WHEN p_provider_type = 'LIVE' THEN 1000 ELSE 10000 END,
                                      'min_odds', NULL, 'void_counts', false));
END
$$;

-- SPEC §4 money policy defaults: deposit rolling 100%, no auto-completion threshold, no
-- transfer limits, PROPORTIONAL inheritance, no rolling on arriving transfers, bonus converts
-- to the group's first CASH bucket.  Not in the document: a casino promotion payout goes to the
-- group's first BONUS bucket (else CASH) with no rolling unless `promo_payout` says otherwise.
CREATE OR REPLACE FUNCTION wallet._default_group_policy(p_wallet_group text, p_topology integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'deposit_rolling_bps', 10000,
        'auto_complete_below', 0,
        'transfer', jsonb_build_object('min', NULL, 'max', NULL, 'rolling_inheritance', 'PROPORTIONAL', 'arrival_rolling_bps', 0),
        'bonus_conversion_bucket_type', wallet._first_bucket(p_topology, p_wallet_group, 'CASH'))
$$;
