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
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT account_id INTO v_owner FROM wallet.resource_owner
     WHERE resource_kind = p_kind AND resource_id = p_resource_id;
    IF v_owner <> p_account_id THEN
        PERFORM wallet._fail('IDEMPOTENCY_CONFLICT',
            format('%s id %s belongs to another player', lower(p_kind), p_resource_id),
            jsonb_build_object('key', p_resource_id));
    END IF;
END
$$;
