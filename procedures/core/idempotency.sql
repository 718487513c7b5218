-- Idempotency on the caller's key (SPEC §2; ADR 0005): the same key with the same request
-- answers the first answer and writes nothing; the same key with another request is
-- IDEMPOTENCY_CONFLICT.  The record a command creates (the bet, the deposit, the transfer, …)
-- is its idempotency record: it holds the key, what was asked, and what the answer is rebuilt
-- from, so a replay compares the request with the record and rebuilds the answer from it.

-- The refusal of a key used before with another request.  Never returns.
CREATE OR REPLACE FUNCTION wallet._idempotency_conflict(p_command text, p_key text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM wallet._fail('IDEMPOTENCY_CONFLICT', format('%s key %s was already used with a different payload', p_command, p_key),
                         jsonb_build_object('command', p_command, 'key', p_key));
END
$$;

-- A key that repeated a state change without creating a record (a second rollback of a bet, a
-- second reversal of a coupon or credit, under a key of its own): remembered with its target,
-- so the key answers the same again and is a conflict on another target.  Returns false when
-- this key was already used for another target (the caller refuses), true otherwise.
-- Call only with the account locked.
CREATE OR REPLACE FUNCTION wallet._repeat_key(p_account_id text, p_command text, p_key text, p_target text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_target text;
BEGIN
    SELECT target INTO v_target FROM wallet.repeat_key WHERE account_id = p_account_id AND command = p_command AND key = p_key;
    IF NOT FOUND THEN
        INSERT INTO wallet.repeat_key (account_id, command, key, target) VALUES (p_account_id, p_command, p_key, p_target);
        RETURN true;
    END IF;
    RETURN v_target = p_target;
END
$$;
