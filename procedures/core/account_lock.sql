-- The one account a command touches: found, locked first (SELECT … FOR UPDATE), and checked
-- open.  Commands on one player serialize on this row; commands on different players never wait
-- for each other; no command locks a second account, so none can deadlock with another.

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
-- resolves the owning account through wallet.resource_owner, then locks it — two statements, each
-- naming the one shard it reads (on Citus the directory and the account live on different
-- shards, and a row lock needs the account's id in its own statement: docs/scaling.md C8).
-- Raises p_not_found_code when the id is unknown.
CREATE OR REPLACE FUNCTION wallet._lock_owner(p_kind text, p_resource_id text, p_not_found_code text)
RETURNS wallet.account
LANGUAGE plpgsql AS $$
DECLARE
    v_account_id text;
    v_owners integer;
    v_account wallet.account;
BEGIN
    SELECT min(account_id), count(*) INTO v_account_id, v_owners
      FROM (SELECT account_id FROM wallet.resource_owner
             WHERE resource_kind = p_kind AND resource_id = p_resource_id LIMIT 2) o;
    IF v_owners > 1 THEN
        -- Only on Citus, where an id is unique per player (docs/scaling.md C15): never guess.
        PERFORM wallet._fail('IDEMPOTENCY_CONFLICT',
            format('%s id %s names records of more than one player', lower(p_kind), p_resource_id),
            jsonb_build_object('key', p_resource_id));
    ELSIF v_owners = 1 THEN
        SELECT * INTO v_account FROM wallet.account WHERE account_id = v_account_id FOR UPDATE;
    END IF;
    IF v_account.account_id IS NULL THEN
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

-- Claims a caller-chosen resource id for this account, so id-only routes can find it.
-- A resource id already owned by another account is IDEMPOTENCY_CONFLICT.  (On Citus the
-- directory is keyed by account, so a claim is written on the account's own shard and only
-- conflicts with this account's claims: an id is unique per player there, docs/scaling.md C15.)
CREATE OR REPLACE FUNCTION wallet._claim_resource(p_kind text, p_resource_id text, p_account_id text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wallet.resource_owner (resource_kind, resource_id, account_id)
    VALUES (p_kind, p_resource_id, p_account_id)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN;
    END IF;
    -- Claimed before: by this account (a retry of its own), or by another one.  Asked with the
    -- account's id, so the statement stays on the account's shard.
    IF NOT EXISTS (SELECT 1 FROM wallet.resource_owner
                    WHERE account_id = p_account_id AND resource_kind = p_kind AND resource_id = p_resource_id) THEN
        PERFORM wallet._fail('IDEMPOTENCY_CONFLICT',
            format('%s id %s belongs to another player', lower(p_kind), p_resource_id),
            jsonb_build_object('key', p_resource_id));
    END IF;
END
$$;
