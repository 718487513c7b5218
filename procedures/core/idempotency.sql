-- Idempotency on the caller's key (SPEC §2): the same key with the same request answers the
-- first answer and writes nothing; another request is IDEMPOTENCY_CONFLICT.

-- Idempotency, read side: the stored response for (command, key) on this account, or NULL
-- when the key is new.  The same key with another request is IDEMPOTENCY_CONFLICT.
-- Call only with the account locked.
CREATE OR REPLACE FUNCTION wallet._idem_replay(p_account_id text, p_command text, p_key text, p_request jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_row wallet.idempotency;
BEGIN
    SELECT * INTO v_row FROM wallet.idempotency
     WHERE account_id = p_account_id AND command = p_command AND key = p_key;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF v_row.request_hash <> md5(p_request::text) THEN
        PERFORM wallet._fail('IDEMPOTENCY_CONFLICT',
            format('%s key %s was already used with a different payload', p_command, p_key),
            jsonb_build_object('command', p_command, 'key', p_key));
    END IF;
    RETURN v_row.response;
END
$$;

-- Idempotency, write side: remembers the response given for (command, key).
CREATE OR REPLACE FUNCTION wallet._idem_store(p_account_id text, p_command text, p_key text,
                                              p_request jsonb, p_response jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.idempotency (account_id, command, key, request_hash, response)
    VALUES (p_account_id, p_command, p_key, md5(p_request::text), p_response);
    RETURN p_response;
END
$$;
