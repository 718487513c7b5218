-- Casino providers as configuration (SPEC §10): an aggregator's provider name → the provider
-- type it plays, enabled or not.  Admin only; every change is audited, refused ones too (a
-- refusal is returned as {"refused": …}, like the other admin commands, so its audit row commits).

-- Every configured provider, by name.
-- Locks: nothing.  Raises: nothing.  Writes: nothing.
-- Answers (HTTP): ruby_wallet.routes.casino.Providers.
CREATE OR REPLACE FUNCTION admin.casino_providers()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
    SELECT jsonb_build_object('providers', coalesce(jsonb_agg(jsonb_build_object(
               'provider', provider, 'provider_type', provider_type, 'enabled', enabled,
               'updated_at', updated_at, 'updated_by', updated_by) ORDER BY provider), '[]'))
      FROM wallet.casino_provider
$$;

-- Creates or changes a provider: its provider type and whether it is enabled.  Takes the
-- configuration lock.  Audited (casino_provider.set: before, after, reason).  Refuses (as data)
-- VALIDATION_FAILED and UNKNOWN_PROVIDER_TYPE.  Rounds already open keep their provider type.
-- Locks: the configuration lock.  Raises: nothing (refusals VALIDATION_FAILED, UNKNOWN_PROVIDER_TYPE are returned).  Writes: wallet.casino_provider, audit log.
-- Answers (HTTP): ruby_wallet.routes.casino.ProviderLine.
CREATE OR REPLACE FUNCTION admin.casino_provider_set(p_provider text, p_provider_type text, p_enabled boolean,
                                                     p_reason text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_actor text := wallet._actor(p_actor);
    v_errors jsonb := '[]'::jsonb;
    v_before jsonb;
    v_after jsonb;
    v_row wallet.casino_provider;
BEGIN
    PERFORM wallet._config_lock();
    v_errors := wallet._check(v_errors, p_provider ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$', 'provider',
                              'must be 1 to 40 letters, digits, ".", "_" or "-", starting with a letter or digit');
    v_errors := wallet._check(v_errors, p_enabled IS NOT NULL, 'enabled', 'is required');
    v_errors := wallet._check_reason(v_errors, p_reason);
    SELECT to_jsonb(p) - 'updated_at' - 'updated_by' INTO v_before FROM wallet.casino_provider p WHERE provider = p_provider;
    IF jsonb_array_length(v_errors) > 0 THEN
        PERFORM wallet._audit(v_actor, 'casino_provider.set', 'casino_provider:' || coalesce(p_provider, ''), 'REFUSED',
                              v_before, NULL, p_reason, jsonb_build_object('errors', v_errors));
        RETURN wallet._refusal('VALIDATION_FAILED', 'request is invalid', jsonb_build_object('errors', v_errors));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM wallet.provider_type WHERE code = p_provider_type) THEN
        v_errors := wallet._problem('provider_type', format('unknown provider type %s', p_provider_type));
        PERFORM wallet._audit(v_actor, 'casino_provider.set', 'casino_provider:' || p_provider, 'REFUSED',
                              v_before, NULL, p_reason, jsonb_build_object('errors', v_errors));
        RETURN wallet._refusal('UNKNOWN_PROVIDER_TYPE', format('provider type %s is not known', p_provider_type),
                               jsonb_build_object('errors', v_errors));
    END IF;
    INSERT INTO wallet.casino_provider AS c (provider, provider_type, enabled, updated_by)
    VALUES (p_provider, p_provider_type, p_enabled, v_actor)
    ON CONFLICT (provider) DO UPDATE SET provider_type = excluded.provider_type, enabled = excluded.enabled,
                                         updated_at = now(), updated_by = excluded.updated_by
    RETURNING * INTO v_row;
    v_after := to_jsonb(v_row) - 'updated_at' - 'updated_by';
    PERFORM wallet._audit(v_actor, 'casino_provider.set', 'casino_provider:' || p_provider, 'OK', v_before, v_after, p_reason);
    RETURN to_jsonb(v_row);
END
$$;
