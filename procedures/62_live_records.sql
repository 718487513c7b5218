-- Live records a topology version would strand (SPEC §3 activation blockers): open bets,
-- active coupons, active rolling obligations and pending withdrawals that reference a bucket
-- type or wallet group the version does not have.  Called by wallet._topology_blockers.
CREATE OR REPLACE FUNCTION wallet._live_record_blockers(p_version integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH new_types AS (SELECT code FROM wallet.bucket_type WHERE topology_version = p_version),
         new_groups AS (SELECT code FROM wallet.wallet_group WHERE topology_version = p_version),
    stranded AS (
        SELECT 'open_bets' AS kind, b.account_id, b.bet_id AS record
          FROM wallet.bet b
         WHERE b.status = 'AUTHORIZED'
           AND (b.wallet_group NOT IN (SELECT code FROM new_groups)
                OR EXISTS (SELECT 1 FROM wallet.bet_source s
                            WHERE s.account_id = b.account_id AND s.bet_id = b.bet_id
                              AND (s.bucket_type NOT IN (SELECT code FROM new_types)
                                   OR s.destination NOT IN (SELECT code FROM new_types))))
        UNION ALL
        SELECT 'active_coupons', c.account_id, c.coupon_id
          FROM wallet.coupon c
         WHERE c.status = 'ACTIVE' AND c.remaining > 0
           AND (c.wallet_group NOT IN (SELECT code FROM new_groups)
                OR c.winnings_bucket_type NOT IN (SELECT code FROM new_types))
        UNION ALL
        SELECT 'active_rolling', r.account_id, r.rolling_id::text
          FROM wallet.rolling_obligation r
         WHERE r.status = 'ACTIVE'
           AND (r.wallet_group NOT IN (SELECT code FROM new_groups) OR r.source_bucket_type NOT IN (SELECT code FROM new_types))
        UNION ALL
        SELECT 'pending_withdrawals', w.account_id, w.withdrawal_id
          FROM wallet.withdrawal w
         WHERE w.status = 'PENDING'
           AND EXISTS (SELECT 1 FROM wallet.withdrawal_source s
                        WHERE s.account_id = w.account_id AND s.withdrawal_id = w.withdrawal_id
                          AND s.bucket_type NOT IN (SELECT code FROM new_types))
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'count', records, 'accounts', accounts,
                                                 'sample_players', sample, 'sample_records', sample_records) ORDER BY kind), '[]')
      FROM (SELECT kind, count(*) AS records, count(DISTINCT s.account_id) AS accounts,
                   (array_agg(DISTINCT s.account_id ORDER BY s.account_id))[1:5] AS sample,
                   (array_agg(s.record ORDER BY s.record))[1:5] AS sample_records
              FROM stranded s
             GROUP BY kind) per_kind
$$;
