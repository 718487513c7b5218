-- The outbox for competing relays (SPEC §6): claim batches FOR UPDATE SKIP LOCKED, acknowledge.

-- For relays: claims up to p_limit unpublished events nobody holds (FOR UPDATE SKIP LOCKED,
-- so relays running side by side never get the same event), oldest first.  A claim lasts
-- p_lease_seconds; an event claimed but not acknowledged by then can be claimed again.
-- On Citus, where rows are locked only by a statement naming one shard (docs/scaling.md C16):
-- the candidates are read without a lock, then each is claimed by a statement naming its
-- account, in delivery order, only while still unclaimed — a relay claiming at the same time
-- waits for this one's claim of an event they both saw and then leaves it (never twice; every
-- relay takes its rows in the same order, so none waits in a circle).
-- Locks: the delivery-stamping advisory lock, the claimed outbox rows (SKIP LOCKED; on Citus, waiting).  Raises: VALIDATION_FAILED.  Writes: delivery ids, claims.
CREATE OR REPLACE FUNCTION ops.events_claim(p_relay text, p_limit integer DEFAULT 100, p_lease_seconds integer DEFAULT 60)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_events jsonb;
    v_accounts text[];
    v_ids bigint[];
    v_row wallet.outbox;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check(wallet._check_key('[]', p_relay, 'relay'),
                                                p_limit BETWEEN 1 AND 1000, 'limit', 'must be between 1 and 1000'));
    PERFORM wallet._stamp_deliveries();
    IF wallet._distributed() THEN
        SELECT coalesce(array_agg(account_id ORDER BY delivery_id), '{}'), coalesce(array_agg(event_id ORDER BY delivery_id), '{}')
          INTO v_accounts, v_ids
          FROM (SELECT account_id, event_id, delivery_id FROM wallet.outbox
                 WHERE published_at IS NULL AND delivery_id IS NOT NULL
                   AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => p_lease_seconds))
                 ORDER BY delivery_id LIMIT p_limit) c;
        v_events := '[]'::jsonb;
        FOR v_i IN 1 .. cardinality(v_ids) LOOP
            UPDATE wallet.outbox o SET claimed_by = p_relay, claimed_at = now()
             WHERE o.account_id = v_accounts[v_i] AND o.event_id = v_ids[v_i] AND o.published_at IS NULL
               AND (o.claimed_at IS NULL OR o.claimed_at < now() - make_interval(secs => p_lease_seconds))
            RETURNING o.* INTO v_row;
            IF FOUND THEN
                v_events := v_events || wallet._event_json(v_row);
            END IF;
        END LOOP;
        RETURN jsonb_build_object('relay', p_relay, 'events', v_events);
    END IF;
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
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_count integer;
BEGIN
    -- PL/pgSQL, not SQL: Citus cannot plan a SQL function's parameters over distributed tables (C11).
    UPDATE wallet.outbox SET published_at = now()
     WHERE delivery_id = ANY (p_ids) AND claimed_by = p_relay AND published_at IS NULL;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The webhook relay (SPEC §11; design and proofs: docs/relay.md).  Per account, only the oldest
-- event not yet acknowledged or parked (the stream's head) is ever handed out, to one relay at
-- a time (a lease), so an account's events go out in order and live relays never send one
-- twice; an expired lease (a relay that died) makes the head claimable again.

-- Copies newly stamped events into relay_stream: an account with nothing waiting gets its
-- oldest new event as head; a head already set is older than anything new and stays.  Call
-- with the stamping lock held (after wallet._stamp_deliveries, same transaction).
CREATE OR REPLACE FUNCTION wallet._relay_sync()
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_from bigint;
    v_upto bigint;
BEGIN
    SELECT stamped_upto INTO v_from FROM wallet.relay_cursor FOR UPDATE;
    SELECT max(delivery_id) INTO v_upto FROM wallet.outbox WHERE delivery_id > v_from;
    IF v_upto IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO wallet.relay_stream AS s (account_id, head)
    SELECT account_id, min(delivery_id) FROM wallet.outbox
     WHERE delivery_id > v_from AND delivery_id <= v_upto AND published_at IS NULL
     GROUP BY account_id
    ON CONFLICT (account_id) DO UPDATE SET head = coalesce(s.head, excluded.head);
    UPDATE wallet.relay_cursor SET stamped_upto = v_upto;
END
$$;

-- Moves an account's head past p_delivery_id to its next stamped event (NULL when none) and
-- frees the stream for the next claim.  The caller holds the stream row's lock, taken in an
-- earlier statement: this statement's snapshot then sees every event a concurrent sync
-- committed before the lock was granted, so no event is skipped.
CREATE OR REPLACE FUNCTION wallet._relay_advance(p_account_id text, p_delivery_id bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE wallet.relay_stream
       SET head = (SELECT min(o.delivery_id) FROM wallet.outbox o
                    WHERE o.account_id = p_account_id AND o.delivery_id > p_delivery_id AND o.published_at IS NULL),
           attempts = 0, next_attempt_at = now(), lease_owner = NULL, lease_until = NULL, last_error = NULL
     WHERE account_id = p_account_id;
END
$$;

-- Claims the head event of up to p_limit accounts whose head is due and not leased (FOR UPDATE
-- SKIP LOCKED: relays claiming at once never get the same account), oldest heads first, each
-- leased to p_relay for p_lease_seconds.  `attempts` counts this try; `event` is the event
-- exactly as GET /v1/events lists it.  Raises VALIDATION_FAILED.
-- On Citus, where rows are locked only by a statement naming one shard (docs/scaling.md C16):
-- the due accounts are read without a lock, then each is leased by a statement naming it, in
-- account order (an order every relay shares, so none waits in a circle), only while still due
-- and free — a relay claiming at the same time waits for this one's lease of an account they both
-- saw and then leaves it.
-- Locks: the delivery-stamping advisory lock, the relay cursor row, the claimed accounts' stream rows (SKIP LOCKED; on Citus, waiting).  Raises: VALIDATION_FAILED.  Writes: delivery ids, new stream heads, leases.
CREATE OR REPLACE FUNCTION ops.relay_claim(p_relay text, p_limit integer DEFAULT 100, p_lease_seconds integer DEFAULT 60)
RETURNS TABLE (account_id text, delivery_id bigint, attempts integer, event jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_due text[];
    v_account text;
    v_stream wallet.relay_stream;
    v_event wallet.outbox;
    v_leased jsonb := '[]'::jsonb;
BEGIN
    PERFORM wallet._raise_invalid(wallet._check(wallet._check(wallet._check_key('[]', p_relay, 'relay'),
                                                p_limit BETWEEN 1 AND 1000, 'limit', 'must be between 1 and 1000'),
                                  p_lease_seconds BETWEEN 1 AND 86400, 'lease_seconds', 'must be between 1 and 86400'));
    PERFORM wallet._stamp_deliveries();
    PERFORM wallet._relay_sync();
    IF wallet._distributed() THEN
        v_due := ARRAY(SELECT d.account_id FROM (
                           SELECT s.account_id FROM wallet.relay_stream s
                            WHERE s.head IS NOT NULL AND s.next_attempt_at <= now()
                              AND (s.lease_until IS NULL OR s.lease_until < now())
                            ORDER BY s.head LIMIT p_limit) d
                        ORDER BY d.account_id);
        FOREACH v_account IN ARRAY v_due LOOP
            UPDATE wallet.relay_stream s
               SET lease_owner = p_relay, lease_until = now() + make_interval(secs => p_lease_seconds),
                   attempts = s.attempts + 1
             WHERE s.account_id = v_account AND s.head IS NOT NULL AND s.next_attempt_at <= now()
               AND (s.lease_until IS NULL OR s.lease_until < now())
            RETURNING s.* INTO v_stream;
            CONTINUE WHEN NOT FOUND;
            SELECT o.* INTO v_event FROM wallet.outbox o WHERE o.account_id = v_account AND o.delivery_id = v_stream.head;
            v_leased := v_leased || jsonb_build_object('account_id', v_account, 'delivery_id', v_stream.head,
                                                       'attempts', v_stream.attempts, 'event', wallet._event_json(v_event));
        END LOOP;
        RETURN QUERY SELECT l->>'account_id', (l->>'delivery_id')::bigint, (l->>'attempts')::integer, l->'event'
                       FROM jsonb_array_elements(v_leased) l ORDER BY (l->>'delivery_id')::bigint;
        RETURN;
    END IF;
    RETURN QUERY
    WITH due AS (
        SELECT s.account_id FROM wallet.relay_stream s
         WHERE s.head IS NOT NULL AND s.next_attempt_at <= now()
           AND (s.lease_until IS NULL OR s.lease_until < now())
         ORDER BY s.head
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    ), leased AS (
        UPDATE wallet.relay_stream s
           SET lease_owner = p_relay, lease_until = now() + make_interval(secs => p_lease_seconds),
               attempts = s.attempts + 1
          FROM due WHERE s.account_id = due.account_id
        RETURNING s.account_id, s.head, s.attempts
    )
    SELECT l.account_id, l.head, l.attempts, wallet._event_json(o)
      FROM leased l JOIN wallet.outbox o ON o.account_id = l.account_id AND o.delivery_id = l.head
     ORDER BY l.head;
END
$$;

-- Acknowledges a delivered event: recorded as published, and the account's next event becomes
-- its head.  False when p_relay does not hold that head any more (its lease expired and the
-- event went to another relay: at least once allows a second delivery).
-- Locks: the account's stream row.  Raises: nothing.  Writes: the event's published_at, the account's stream (next head, lease cleared).
CREATE OR REPLACE FUNCTION ops.relay_ack(p_relay text, p_account_id text, p_delivery_id bigint)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    PERFORM 1 FROM wallet.relay_stream
     WHERE account_id = p_account_id AND head = p_delivery_id AND lease_owner = p_relay
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE wallet.outbox SET published_at = now(), claimed_by = p_relay, claimed_at = now()
     WHERE account_id = p_account_id AND delivery_id = p_delivery_id;
    PERFORM wallet._relay_advance(p_account_id, p_delivery_id);
    RETURN true;
END
$$;

-- Records a failed delivery.  With p_park (the relay's last try): the event is parked with
-- p_reason and the account's next event becomes its head ('PARKED').  Otherwise the head stays
-- and is due again in p_retry_in_seconds ('RETRY').  'LOST' when p_relay no longer holds it.
-- Locks: the account's stream row.  Raises: nothing.  Writes: the stream's retry time and last error, or a relay_parked row and the next head.
CREATE OR REPLACE FUNCTION ops.relay_fail(p_relay text, p_account_id text, p_delivery_id bigint, p_reason text,
                                          p_retry_in_seconds double precision DEFAULT 1, p_park boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_stream wallet.relay_stream;
    v_reason text := left(coalesce(nullif(p_reason, ''), 'no reason given'), 1000);
BEGIN
    SELECT * INTO v_stream FROM wallet.relay_stream
     WHERE account_id = p_account_id AND head = p_delivery_id AND lease_owner = p_relay
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'LOST';
    END IF;
    IF p_park THEN
        INSERT INTO wallet.relay_parked (account_id, delivery_id, event_id, attempts, reason, parked_by)
        SELECT p_account_id, p_delivery_id, o.event_id, v_stream.attempts, v_reason, p_relay
          FROM wallet.outbox o WHERE o.account_id = p_account_id AND o.delivery_id = p_delivery_id
        ON CONFLICT DO NOTHING;
        PERFORM wallet._relay_advance(p_account_id, p_delivery_id);
        RETURN 'PARKED';
    END IF;
    UPDATE wallet.relay_stream
       SET lease_owner = NULL, lease_until = NULL, last_error = v_reason,
           next_attempt_at = now() + make_interval(secs => greatest(0, least(coalesce(p_retry_in_seconds, 1), 86400)))
     WHERE account_id = p_account_id;
    RETURN 'RETRY';
END
$$;

-- Gives back every lease p_relay holds (a relay stopping cleanly): those heads are claimable at
-- once instead of when the lease ends.  Returns how many.
-- Locks: this relay's stream rows.  Raises: nothing.  Writes: their leases (cleared).
CREATE OR REPLACE FUNCTION ops.relay_release(p_relay text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_count integer;
BEGIN
    -- PL/pgSQL, not SQL: Citus cannot plan a SQL function's parameters over distributed tables (C11).
    UPDATE wallet.relay_stream SET lease_owner = NULL, lease_until = NULL, attempts = greatest(attempts - 1, 0)
     WHERE lease_owner = p_relay;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- The outbox as GET /metrics reports it: lag_seconds (age of the oldest event neither
-- acknowledged nor parked, stamped or not; 0 when none waits), pending (how many, counted up
-- to 1,000,000 so a scrape stays cheap on a huge backlog), parked (events the relay parked).
-- Reads only; the oldest waiting event is found through the outbox's partial indexes.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION api.outbox_stats()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT jsonb_build_object(
        'lag_seconds', coalesce(extract(epoch FROM now() - least(
            (SELECT o.created_at FROM wallet.outbox o
              WHERE o.published_at IS NULL AND o.delivery_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM wallet.relay_parked p
                                 WHERE p.account_id = o.account_id AND p.delivery_id = o.delivery_id)
              ORDER BY o.delivery_id LIMIT 1),
            (SELECT o.created_at FROM wallet.outbox o WHERE o.delivery_id IS NULL ORDER BY o.event_id LIMIT 1))), 0),
        'pending', greatest(0, least(1000000,
                                     (SELECT count(*) FROM (SELECT 1 FROM wallet.outbox o WHERE o.delivery_id IS NULL LIMIT 1000000) w)
                                     + (SELECT count(*) FROM (SELECT 1 FROM wallet.outbox o
                                                                WHERE o.delivery_id IS NOT NULL AND o.published_at IS NULL
                                                                LIMIT 1000000) w))
                               - (SELECT count(*) FROM wallet.relay_parked)),
        'parked', (SELECT count(*) FROM wallet.relay_parked))
$$;

-- The same figures for DBAs in psql (schema ops): delegates to api.outbox_stats.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION ops.outbox_stats()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT api.outbox_stats()
$$;
