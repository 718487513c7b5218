-- The outbox (SPEC §6): an event is written in the same transaction as the money change.

-- Writes the event.  A money transaction never calls NOTIFY (SPEC §6): PostgreSQL takes its
-- notification-queue lock at commit and holds it until the commit record is flushed, which
-- would put every commit of the wallet in one line.  Relays poll, and whoever stamps delivery
-- order wakes listeners once per batch in its own transaction (procedures/events/feed.sql).
CREATE OR REPLACE FUNCTION wallet._emit(p_account_id text, p_event_type text, p_payload jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- PL/pgSQL, not SQL: its INSERT's plan is cached for the session, a SQL function's is made
    -- again in every transaction that calls it from PL/pgSQL.
    INSERT INTO wallet.outbox (account_id, event_type, payload) VALUES (p_account_id, p_event_type, p_payload);
END
$$;
