-- API keys (SPEC §7): "rw_<key_id>_<secret>", shown once; only sha256(secret) is stored.
-- Secrets are 244 random bits (two v4 UUIDs from pg_strong_random), so a fast hash is enough.

-- Creates a key with the given scopes and returns it in clear (the only time it is shown).
-- DBAs only (wallet_dba, or `ruby-wallet apikey create`).  Raises VALIDATION_FAILED.
-- Locks: nothing.  Raises: VALIDATION_FAILED.  Writes: wallet.api_key, audit log.
CREATE OR REPLACE FUNCTION ops.api_key_create(p_name text, p_scopes text[])
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]'::jsonb;
    v_key_id text := substr(replace(gen_random_uuid()::text, '-', ''), 1, 12);
    v_secret text := replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '');
    v_scopes text[];
BEGIN
    v_errors := wallet._check(v_errors, p_name ~ '^[A-Za-z0-9_.-]{1,64}$', 'name',
                              'must be 1 to 64 letters, digits, dots, dashes or underscores');
    v_errors := wallet._check(v_errors, NOT EXISTS (SELECT 1 FROM wallet.api_key WHERE name = p_name), 'name',
                              'is already taken');
    v_errors := wallet._check(v_errors, cardinality(p_scopes) > 0
                              AND p_scopes <@ ARRAY['game', 'payments', 'promotion', 'player', 'admin', 'events', 'casino'],
                              'scopes', 'must be one or more of game, payments, promotion, player, admin, events, casino');
    PERFORM wallet._raise_invalid(v_errors);
    -- Computed first: Citus refuses a subquery inside INSERT … VALUES (docs/scaling.md C10).
    v_scopes := ARRAY(SELECT DISTINCT s FROM unnest(p_scopes) s ORDER BY s);
    INSERT INTO wallet.api_key (key_id, name, secret_sha256, scopes)
    VALUES (v_key_id, p_name, sha256(convert_to(v_secret, 'UTF8')), v_scopes);
    PERFORM wallet._audit(wallet._actor(NULL), 'api_key.create', 'api_key:' || p_name, 'OK', NULL,
                          jsonb_build_object('scopes', p_scopes), NULL);
    RETURN 'rw_' || v_key_id || '_' || v_secret;
END
$$;

-- Revokes a key by name.  Returns false when no active key has that name.
-- Locks: the key's row.  Raises: nothing.  Writes: wallet.api_key, audit log.
CREATE OR REPLACE FUNCTION ops.api_key_revoke(p_name text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
BEGIN
    UPDATE wallet.api_key SET revoked_at = now() WHERE name = p_name AND revoked_at IS NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM wallet._audit(wallet._actor(NULL), 'api_key.revoke', 'api_key:' || p_name, 'OK', NULL, NULL, NULL);
    RETURN true;
END
$$;

-- The name and scopes of a valid, unrevoked key; no row for anything else.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
CREATE OR REPLACE FUNCTION api.api_key_authenticate(p_key text)
RETURNS TABLE (name text, scopes text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT k.name, k.scopes
      FROM wallet.api_key k
     WHERE p_key ~ '^rw_[0-9a-f]{12}_[0-9a-f]{64}$'
       AND k.key_id = split_part(p_key, '_', 2)
       AND k.secret_sha256 = sha256(convert_to(split_part(p_key, '_', 3), 'UTF8'))
       AND k.revoked_at IS NULL
$$;
