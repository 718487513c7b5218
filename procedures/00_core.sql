-- Private helpers every command is built from.  None of them is SECURITY DEFINER or granted to
-- an application role: they run inside the public command functions, as wallet_owner.

-- Raises the error `p_code` of wallet.error_code (SQLSTATE RWnnn) with a JSON detail the API
-- turns into the problem response, and the code's name as a hint for people in psql.
-- Never returns.
CREATE OR REPLACE FUNCTION wallet._fail(p_code text, p_message text, p_detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_sqlstate text;
BEGIN
    SELECT sqlstate INTO v_sqlstate FROM wallet.error_code WHERE code = p_code;
    IF v_sqlstate IS NULL THEN
        RAISE EXCEPTION 'wallet._fail: % is not an error code raised by SQL', p_code;
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = v_sqlstate,
        MESSAGE = p_message,
        DETAIL = coalesce(p_detail, '{}'::jsonb)::text,
        HINT = format('wallet error %s (SQLSTATE %s, see wallet.error_code)', p_code, v_sqlstate);
END
$$;

-- Appends {path, message} to a list of validation problems unless p_ok is true (NULL is a
-- problem too: a missing value never passes).  Lets a command report every fault at once.
-- STABLE, like jsonb_build_object inside it: an IMMUTABLE function calling a STABLE one is
-- never inlined, and this one is on every command's path.
CREATE OR REPLACE FUNCTION wallet._check(p_errors jsonb, p_ok boolean, p_path text, p_message text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_ok THEN p_errors
                ELSE p_errors || jsonb_build_array(jsonb_build_object('path', p_path, 'message', p_message))
           END
$$;

-- Raises VALIDATION_FAILED listing every collected problem, if there is any.
CREATE OR REPLACE FUNCTION wallet._raise_invalid(p_errors jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF jsonb_array_length(p_errors) > 0 THEN
        PERFORM wallet._fail('VALIDATION_FAILED',
            format('request is invalid: %s', (SELECT string_agg(e->>'path' || ' ' || (e->>'message'), '; ')
                                                FROM jsonb_array_elements(p_errors) e)),
            jsonb_build_object('errors', p_errors));
    END IF;
END
$$;

-- A caller key: 1–128 printable characters.
CREATE OR REPLACE FUNCTION wallet._key_ok(p_key text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_key IS NOT NULL AND p_key ~ '^[[:graph:]]{1,128}$'
$$;

-- The checks every command makes on its caller keys and amounts, with one wording.
-- Amounts are capped at 10^15 minor units per command, which keeps every sum far from bigint's limit.
CREATE OR REPLACE FUNCTION wallet._check_key(p_errors jsonb, p_key text, p_path text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check(p_errors, wallet._key_ok(p_key), p_path, 'must be 1 to 128 printable characters')
$$;

CREATE OR REPLACE FUNCTION wallet._check_amount(p_errors jsonb, p_amount bigint, p_path text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check(p_errors, p_amount BETWEEN 1 AND 1000000000000000, p_path, 'must be an integer from 1 to 10^15')
$$;

CREATE OR REPLACE FUNCTION wallet._active_topology()
RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT version FROM wallet.topology_version WHERE status = 'ACTIVE');
END
$$;

-- Locks the player's account row (FOR UPDATE) and returns it.  Every command calls this first,
-- before reading topology or policy: commands on one player serialize here, commands on
-- different players never wait for each other, and a topology activation (which takes the
-- account table in EXCLUSIVE mode) is never interleaved with a command.
-- Raises UNKNOWN_ACCOUNT.
CREATE OR REPLACE FUNCTION wallet._lock_account(p_player_id text)
RETURNS wallet.account
LANGUAGE plpgsql AS $$
DECLARE
    v_account wallet.account;
BEGIN
    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM wallet._fail('UNKNOWN_ACCOUNT', format('no account for player %s', p_player_id),
                             jsonb_build_object('player_id', p_player_id));
    END IF;
    RETURN v_account;
END
$$;

-- Same, for a command addressed by a resource id (deposit, withdrawal, coupon, credit, rolling):
-- resolves the owning account through wallet.resource_owner, then locks it.
-- Raises p_not_found_code when the id is unknown.
CREATE OR REPLACE FUNCTION wallet._lock_owner(p_kind text, p_resource_id text, p_not_found_code text)
RETURNS wallet.account
LANGUAGE plpgsql AS $$
DECLARE
    v_account wallet.account;
BEGIN
    SELECT a.* INTO v_account
      FROM wallet.account a
     WHERE a.account_id = (SELECT account_id FROM wallet.resource_owner
                            WHERE resource_kind = p_kind AND resource_id = p_resource_id)
       FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM wallet._fail(p_not_found_code, format('no %s %s', lower(p_kind), p_resource_id),
                             jsonb_build_object(lower(p_kind) || '_id', p_resource_id));
    END IF;
    RETURN v_account;
END
$$;

-- Refuses money movement on a frozen or closed account.  p_allow_frozen lets commands that
-- must finish what was started (settle, rollback, adjustments) through on a frozen account.
CREATE OR REPLACE FUNCTION wallet._require_open(p_account wallet.account, p_allow_frozen boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_account.status = 'closed' THEN
        PERFORM wallet._fail('ACCOUNT_CLOSED', 'account is closed',
                             jsonb_build_object('account_status', p_account.status));
    ELSIF p_account.status = 'frozen' AND NOT p_allow_frozen THEN
        PERFORM wallet._fail('ACCOUNT_FROZEN', 'account is frozen',
                             jsonb_build_object('account_status', p_account.status));
    END IF;
END
$$;

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

-- Claims a caller-chosen resource id for this account, so id-only routes can find it.
-- A resource id already owned by another account is IDEMPOTENCY_CONFLICT.
CREATE OR REPLACE FUNCTION wallet._claim_resource(p_kind text, p_resource_id text, p_account_id text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_owner text;
BEGIN
    INSERT INTO wallet.resource_owner (resource_kind, resource_id, account_id)
    VALUES (p_kind, p_resource_id, p_account_id)
    ON CONFLICT DO NOTHING;
    SELECT account_id INTO v_owner FROM wallet.resource_owner
     WHERE resource_kind = p_kind AND resource_id = p_resource_id;
    IF v_owner <> p_account_id THEN
        PERFORM wallet._fail('IDEMPOTENCY_CONFLICT',
            format('%s id %s belongs to another player', lower(p_kind), p_resource_id),
            jsonb_build_object('key', p_resource_id));
    END IF;
END
$$;

-- The one writer of money.  Applies each posting to its bucket (or coupon), then records one
-- ledger transaction whose entries carry the balance after each line.  Zero postings are
-- dropped; a transaction with nothing left is not written (returns NULL).
-- Callers check funds first, so they can answer INSUFFICIENT_FUNDS with the amount available;
-- the bucket CHECK constraint and the sum-to-zero trigger stay as the last line of defence.
-- p_txn_id: the transaction id when the caller took it beforehand (to store it with its record).
-- Call only with the account locked.
CREATE OR REPLACE FUNCTION wallet._post(p_account_id text, p_kind text, p_ref text, p_actor text,
                                        p_postings wallet.posting[], p_topology_version integer DEFAULT NULL,
                                        p_txn_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_postings wallet.posting[];
    v_txn_id bigint;
    v_after bigint[] := '{}';
    v_balance bigint;
    v_p wallet.posting;
BEGIN
    SELECT coalesce(array_agg((u.bucket_type, u.pocket, u.coupon_id, u.amount)::wallet.posting ORDER BY u.n), '{}')
      INTO v_postings
      FROM unnest(coalesce(p_postings, '{}')) WITH ORDINALITY AS u(bucket_type, pocket, coupon_id, amount, n)
     WHERE u.amount <> 0;
    IF coalesce(cardinality(v_postings), 0) = 0 THEN
        RETURN NULL;
    END IF;

    FOREACH v_p IN ARRAY v_postings LOOP
        v_balance := NULL;
        IF v_p.bucket_type IS NOT NULL AND v_p.amount > 0 THEN
            -- Buckets are created lazily, on their first credit.
            INSERT INTO wallet.bucket AS b (account_id, bucket_type, balance)
            VALUES (p_account_id, v_p.bucket_type, v_p.amount)
            ON CONFLICT (account_id, bucket_type) DO UPDATE SET balance = b.balance + excluded.balance
            RETURNING b.balance INTO v_balance;
        ELSIF v_p.bucket_type IS NOT NULL THEN
            UPDATE wallet.bucket SET balance = balance + v_p.amount
             WHERE account_id = p_account_id AND bucket_type = v_p.bucket_type
            RETURNING balance INTO v_balance;
            IF v_balance IS NULL THEN
                PERFORM wallet._fail('INSUFFICIENT_FUNDS',
                    format('bucket %s holds nothing to debit', v_p.bucket_type),
                    jsonb_build_object('bucket_type', v_p.bucket_type, 'available', 0));
            END IF;
        ELSIF v_p.coupon_id IS NOT NULL THEN
            UPDATE wallet.coupon SET remaining = remaining + v_p.amount
             WHERE account_id = p_account_id AND coupon_id = v_p.coupon_id
            RETURNING remaining INTO v_balance;
            IF v_balance IS NULL THEN
                RAISE EXCEPTION 'wallet._post: coupon % of account % does not exist', v_p.coupon_id, p_account_id;
            END IF;
        END IF;
        v_after := v_after || v_balance;
    END LOOP;

    v_txn_id := coalesce(p_txn_id, nextval('wallet.ledger_txn_id_seq'));
    INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, topology_version)
    VALUES (p_account_id, v_txn_id, p_kind, p_ref, p_actor, p_topology_version);

    INSERT INTO wallet.ledger_entry (account_id, txn_id, entry_no, bucket_type, pocket, coupon_id, amount, balance_after)
    SELECT p_account_id, v_txn_id, u.n, u.bucket_type, u.pocket, u.coupon_id, u.amount, v_after[u.n]
      FROM unnest(v_postings) WITH ORDINALITY AS u(bucket_type, pocket, coupon_id, amount, n);

    RETURN v_txn_id;
END
$$;

-- Posting constructors, so command code reads as what moves where.
CREATE OR REPLACE FUNCTION wallet._bucket(p_bucket_type text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (p_bucket_type, NULL, NULL, p_amount)::wallet.posting $$;

CREATE OR REPLACE FUNCTION wallet._pocket(p_pocket text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (NULL, p_pocket, NULL, p_amount)::wallet.posting $$;

CREATE OR REPLACE FUNCTION wallet._coupon(p_coupon_id text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (NULL, NULL, p_coupon_id, p_amount)::wallet.posting $$;

CREATE OR REPLACE FUNCTION wallet._balance(p_account_id text, p_bucket_type text)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce((SELECT balance FROM wallet.bucket WHERE account_id = p_account_id AND bucket_type = p_bucket_type), 0));
END
$$;

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

CREATE OR REPLACE FUNCTION wallet._audit(p_actor text, p_action text, p_target text, p_outcome text,
                                         p_before jsonb, p_after jsonb, p_reason text, p_detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE sql AS $$
    INSERT INTO wallet.audit_log (actor, action, target, outcome, before, after, reason, detail)
    VALUES (p_actor, p_action, p_target, p_outcome, p_before, p_after, p_reason, p_detail);
$$;
