-- The outbox as an ordered feed with a cursor (SPEC §6; HTTP GET /v1/events).
--
-- Why delivery ids: event_id comes from a sequence when the event is written, but transactions
-- commit in another order, so a reader that saw event 12 could later miss event 11 committing.
-- Readers therefore stamp a delivery_id on committed events that have none, one stamper at a
-- time (advisory lock held to commit), in the order the events were written (created_at, then
-- event_id: an account's commands are serialized by its lock, so its events are written in the
-- order they happened, on any node; ids alone are not, on Citus — docs/scaling.md C17); a later
-- stamp is always larger, so a consumer polling with `after` never misses an event.

CREATE OR REPLACE FUNCTION wallet._stamp_deliveries()
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_count integer;
    v_base bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(72630003);
    SELECT count(*) INTO v_count FROM wallet.outbox WHERE delivery_id IS NULL;
    IF v_count = 0 THEN
        RETURN;
    END IF;
    -- Reserve v_count ids in one step (we hold the only stamping lock).
    v_base := nextval('wallet.outbox_delivery_id_seq');
    PERFORM setval('wallet.outbox_delivery_id_seq', v_base + v_count - 1);
    UPDATE wallet.outbox o SET delivery_id = v_base + n.rank - 1
      FROM (SELECT account_id, event_id, row_number() OVER (ORDER BY created_at, event_id) AS rank
              FROM wallet.outbox WHERE delivery_id IS NULL ORDER BY created_at, event_id LIMIT v_count) n
     WHERE o.account_id = n.account_id AND o.event_id = n.event_id;
    -- One notification per stamped batch, in this reader's transaction, never a money one's
    -- (SPEC §6): listeners wake when events have been ordered.
    PERFORM pg_notify('wallet_events', v_count::text);
END
$$;

CREATE OR REPLACE FUNCTION wallet._event_json(o wallet.outbox)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', o.delivery_id, 'event_id', o.event_id, 'type', o.event_type,
                              'player_id', nullif(o.account_id, ''),
                              'payload', o.payload, 'created_at', o.created_at)
$$;

-- Events after delivery id p_after, in delivery order: {"events": [...], "next": the last id
-- returned (or p_after when there is nothing new)}.  Raises VALIDATION_FAILED.
-- Locks: the delivery-stamping advisory lock (to commit).  Raises: VALIDATION_FAILED.  Writes: delivery ids on committed events that had none.
-- Answers (HTTP): ruby_wallet.routes.events.EventsPage.
CREATE OR REPLACE FUNCTION events.events_read(p_after bigint DEFAULT 0, p_limit integer DEFAULT 100)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_events jsonb;
    v_last bigint;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check(wallet._check('[]', p_limit BETWEEN 1 AND 1000, 'limit', 'must be between 1 and 1000'),
                                                coalesce(p_after, 0) >= 0, 'after', 'must be 0 or more'));
    PERFORM wallet._stamp_deliveries();
    SELECT coalesce(jsonb_agg(wallet._event_json(o) ORDER BY o.delivery_id), '[]'), max(o.delivery_id)
      INTO v_events, v_last
      FROM (SELECT * FROM wallet.outbox WHERE delivery_id > coalesce(p_after, 0) ORDER BY delivery_id LIMIT p_limit) o;
    RETURN jsonb_build_object('events', v_events, 'next', coalesce(v_last, coalesce(p_after, 0)));
END
$$;
