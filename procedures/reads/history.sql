-- The player's ledger history, newest first, with a cursor.  STABLE, no locks.

-- The player's ledger lines on buckets and coupons (pockets are the house side), newest first.
-- p_before is the `next` cursor of the previous page ("<txn_id>.<entry_no>").
-- Raises UNKNOWN_ACCOUNT, INVALID_CURSOR, VALIDATION_FAILED.
-- Locks: nothing.  Raises: UNKNOWN_ACCOUNT, INVALID_CURSOR, VALIDATION_FAILED.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.accounts.LedgerPage.
CREATE OR REPLACE FUNCTION player.ledger_history(p_player_id text, p_limit integer DEFAULT 50, p_before text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_account_id text;
    v_before_txn bigint := 9223372036854775807;
    v_before_entry integer := 32767;
    v_entries jsonb;
    v_count integer;
    v_next text;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check('[]', p_limit BETWEEN 1 AND 500, 'limit', 'must be between 1 and 500'));
    SELECT account_id INTO v_account_id FROM wallet.account WHERE account_id = p_player_id;
    IF v_account_id IS NULL THEN
        PERFORM wallet._fail('UNKNOWN_ACCOUNT', format('no account for player %s', p_player_id),
                             jsonb_build_object('player_id', p_player_id));
    END IF;
    IF p_before IS NOT NULL THEN
        IF p_before !~ '^[0-9]{1,18}\.[0-9]{1,5}$' THEN
            PERFORM wallet._fail('INVALID_CURSOR', 'before is not a ledger cursor',
                jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('path', 'before', 'message', 'not a cursor returned by this API'))));
        END IF;
        v_before_txn := split_part(p_before, '.', 1)::bigint;
        v_before_entry := least(split_part(p_before, '.', 2)::integer, 32767);
    END IF;

    SELECT coalesce(jsonb_agg(line ORDER BY txn_id DESC, entry_no DESC), '[]'), count(*),
           (array_agg(txn_id || '.' || entry_no ORDER BY txn_id, entry_no))[1]
      INTO v_entries, v_count, v_next
      FROM (SELECT t.txn_id, e.entry_no,
                   jsonb_strip_nulls(jsonb_build_object(
                       'txn_id', t.txn_id, 'kind', t.kind,
                       'bucket_type', e.bucket_type, 'coupon_id', e.coupon_id,
                       'amount', e.amount, 'balance_after', e.balance_after,
                       'created_at', t.created_at, 'ref', t.ref)) AS line
              -- The account's ledger rows newest first (its primary key, read backwards), each
              -- row's entries last first: the page stops reading once it is full.
              FROM (SELECT * FROM wallet.ledger_txn
                     WHERE account_id = v_account_id AND txn_id <= v_before_txn
                     ORDER BY txn_id DESC) t
             CROSS JOIN LATERAL (
                   SELECT x.entry_no::integer AS entry_no,
                          CASE WHEN wallet._target_is_bucket(x.target) THEN x.target END AS bucket_type,
                          CASE WHEN x.target LIKE 'coupon:%' THEN substr(x.target, 8) END AS coupon_id,
                          x.amount, x.balance_after
                     FROM unnest(t.targets, t.amounts, t.balances_after) WITH ORDINALITY AS x(target, amount, balance_after, entry_no)
                    WHERE x.target NOT LIKE '@%') e
             WHERE (t.txn_id, e.entry_no) < (v_before_txn, v_before_entry)
             ORDER BY t.txn_id DESC, e.entry_no DESC
             LIMIT p_limit) page;

    -- A full page may have more behind it; a short page is the end.
    RETURN jsonb_build_object('entries', v_entries,
                              'next', CASE WHEN v_count = p_limit THEN v_next END);
END
$$;
