-- The outbox (SPEC §6): an event is written in the same transaction as the money change.

-- Outbox: the event is part of the money transaction; NOTIFY wakes listeners after commit.
-- NOTIFY serializes committing transactions on PostgreSQL's notification queue; a deployment
-- whose relays poll instead of listening can turn it off for its database with
-- `ALTER DATABASE … SET wallet.notify = off` (docs/benchmarks.md measures the difference).
CREATE OR REPLACE FUNCTION wallet._emit(p_account_id text, p_event_type text, p_payload jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.outbox (account_id, event_type, payload) VALUES (p_account_id, p_event_type, p_payload);
    IF current_setting('wallet.notify', true) IS DISTINCT FROM 'off' THEN
        PERFORM pg_notify('wallet_events', p_event_type);
    END IF;
END
$$;
