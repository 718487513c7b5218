-- The outbox for competing relays (SPEC §6): claim batches FOR UPDATE SKIP LOCKED, acknowledge.

-- For relays: claims up to p_limit unpublished events nobody holds (FOR UPDATE SKIP LOCKED,
-- so relays running side by side never get the same event), oldest first.  A claim lasts
-- p_lease_seconds; an event claimed but not acknowledged by then can be claimed again.
-- Locks: the delivery-stamping advisory lock, the claimed outbox rows (SKIP LOCKED).  Raises: VALIDATION_FAILED.  Writes: delivery ids, claims.
CREATE OR REPLACE FUNCTION ops.events_claim(p_relay text, p_limit integer DEFAULT 100, p_lease_seconds integer DEFAULT 60)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_events jsonb;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check(wallet._check_key('[]', p_relay, 'relay'),
                                                p_limit BETWEEN 1 AND 1000, 'limit', 'must be between 1 and 1000'));
    PERFORM wallet._stamp_deliveries();
    WITH claimable AS (
        SELECT account_id, event_id FROM wallet.outbox
         WHERE published_at IS NULL AND delivery_id IS NOT NULL
           AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => p_lease_seconds))
         ORDER BY delivery_id
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE wallet.outbox o SET claimed_by = p_relay, claimed_at = now()
          FROM claimable c WHERE o.account_id = c.account_id AND o.event_id = c.event_id
        RETURNING o.*
    )
    SELECT coalesce(jsonb_agg(wallet._event_json(claimed::wallet.outbox) ORDER BY claimed.delivery_id), '[]') INTO v_events FROM claimed;
    RETURN jsonb_build_object('relay', p_relay, 'events', v_events);
END
$$;

-- For relays: marks claimed events published.  Returns how many of p_ids this relay held.
-- Locks: the acknowledged outbox rows.  Raises: nothing.  Writes: published_at of the events this relay held.
CREATE OR REPLACE FUNCTION ops.events_ack(p_relay text, p_ids bigint[])
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    WITH acked AS (
        UPDATE wallet.outbox SET published_at = now()
         WHERE delivery_id = ANY (p_ids) AND claimed_by = p_relay AND published_at IS NULL
        RETURNING 1
    )
    SELECT count(*)::integer FROM acked
$$;
