-- Game sessions (SPEC §10): opened by the operator when a player launches a game, read and
-- refreshed by the aggregator.

-- Opens a game session of p_player_id at p_provider (for p_game_id, with the player's country
-- and language) and returns its token (shown once: only its SHA-256 is stored), valid
-- p_ttl_seconds.  No account lock (no money moves).
-- Raises VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED, UNKNOWN_PROVIDER,
-- PROVIDER_DISABLED.  Writes wallet.game_session.
-- Locks: nothing.  Raises: VALIDATION_FAILED, UNKNOWN_ACCOUNT, ACCOUNT_FROZEN, ACCOUNT_CLOSED, UNKNOWN_PROVIDER, PROVIDER_DISABLED.  Writes: wallet.game_session (the token's hash).
-- Answers (HTTP): ruby_wallet.routes.casino.GameSessionOpened.
CREATE OR REPLACE FUNCTION player.game_session_open(p_player_id text, p_provider text, p_country text, p_language text,
                                                    p_game_id text DEFAULT NULL, p_ttl_seconds integer DEFAULT 3600,
                                                    p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_errors jsonb := '[]'::jsonb;
    v_account wallet.account;
    v_provider wallet.casino_provider;
    v_token text := wallet._casino_new_token();
    v_session wallet.game_session;
BEGIN
    v_errors := wallet._check_key(v_errors, p_player_id, 'player_id');
    v_errors := wallet._check(v_errors, length(p_player_id) <= 40, 'player_id', 'must be at most 40 characters (Valkyrie''s playerId)');
    v_errors := wallet._check(v_errors, p_provider ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$', 'provider', 'must be a provider name');
    v_errors := wallet._check(v_errors, p_game_id IS NULL OR wallet._casino_id_ok(p_game_id), 'game_id', 'must be 1 to 40 characters');
    v_errors := wallet._check(v_errors, p_country ~ '^[A-Za-z]{2}$', 'country', 'must be an ISO 3166-1 alpha-2 code');
    v_errors := wallet._check(v_errors, p_language ~ '^[A-Za-z]{2}$', 'language', 'must be an ISO 639-1 code');
    v_errors := wallet._check(v_errors, p_ttl_seconds BETWEEN 60 AND 86400, 'ttl_seconds', 'must be from 60 to 86400');
    PERFORM wallet._raise_invalid(v_errors);

    SELECT * INTO v_account FROM wallet.account WHERE account_id = p_player_id;
    IF NOT FOUND THEN
        PERFORM wallet._fail('UNKNOWN_ACCOUNT', format('no account for player %s', p_player_id),
                             jsonb_build_object('player_id', p_player_id));
    END IF;
    PERFORM wallet._require_open(v_account);
    SELECT * INTO v_provider FROM wallet.casino_provider WHERE provider = p_provider;
    IF NOT FOUND THEN
        PERFORM wallet._fail('UNKNOWN_PROVIDER', format('no casino provider %s is configured', p_provider),
            jsonb_build_object('errors', wallet._problem('provider', format('unknown provider %s', p_provider))));
    ELSIF NOT v_provider.enabled THEN
        PERFORM wallet._fail('PROVIDER_DISABLED', format('casino provider %s is disabled', p_provider),
                             jsonb_build_object('provider', p_provider));
    END IF;

    INSERT INTO wallet.game_session (account_id, token_sha256, provider, game_id, country, language, ttl_seconds,
                                     expires_at, created_by)
    VALUES (v_account.account_id, wallet._casino_token_hash(v_token), p_provider, p_game_id, upper(p_country),
            lower(p_language), p_ttl_seconds, now() + make_interval(secs => p_ttl_seconds), wallet._actor(p_actor))
    RETURNING * INTO v_session;
    RETURN jsonb_build_object('token', v_token, 'session_id', v_session.session_id, 'player_id', v_account.account_id,
                              'provider', p_provider, 'provider_type', v_provider.provider_type, 'game_id', p_game_id,
                              'country', v_session.country, 'language', v_session.language, 'currency', v_account.currency,
                              'expires_at', v_session.expires_at);
END
$$;

-- getSession: the details of the session of p_token at p_provider.  No lock, writes nothing.
-- Answers (never raises) PAM_ERR_MISSING_PROVIDER, PAM_ERR_SESSION_NOT_FOUND, PAM_ERR_SESSION_EXPIRED.
-- Locks: nothing.  Raises: nothing (refusals are answered).  Writes: nothing.
CREATE OR REPLACE FUNCTION casino.session_get(p_token text, p_provider text)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_session wallet.game_session;
BEGIN
    IF wallet._casino_provider_type(p_provider) IS NULL THEN
        RETURN wallet._casino_refusal('PAM_ERR_MISSING_PROVIDER', 'the provider is not configured or is disabled');
    END IF;
    v_session := wallet._casino_session(p_token, p_provider);
    IF v_session.session_id IS NULL THEN
        RETURN wallet._casino_refusal('PAM_ERR_SESSION_NOT_FOUND', 'no session at this provider for X-Player-Token');
    ELSIF v_session.expires_at <= now() THEN
        RETURN wallet._casino_refusal('PAM_ERR_SESSION_EXPIRED', format('the session expired at %s', v_session.expires_at));
    END IF;
    RETURN jsonb_build_object('status', 'OK', 'session', jsonb_build_object(
        'player_id', v_session.account_id, 'currency', (SELECT currency FROM wallet.account WHERE account_id = v_session.account_id),
        'country', v_session.country, 'language', v_session.language, 'game_id', v_session.game_id,
        'expires_at', v_session.expires_at));
END
$$;

-- refreshSession: a new token for the session of p_token (its hash replaces the old one, so the
-- old token is invalid at once) and a new lifetime of the session's ttl.  Locks the session row.
-- Answers (never raises) the refusals of casino.session_get.  Writes wallet.game_session.
-- Locks: the session row.  Raises: nothing (refusals are answered).  Writes: wallet.game_session.
CREATE OR REPLACE FUNCTION casino.session_refresh(p_token text, p_provider text, p_actor text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = wallet, pg_temp AS $$
DECLARE
    v_session wallet.game_session;
    v_token text := wallet._casino_new_token();
    v_actor text := wallet._actor(p_actor);
BEGIN
    IF wallet._casino_provider_type(p_provider) IS NULL THEN
        RETURN wallet._casino_refusal('PAM_ERR_MISSING_PROVIDER', 'the provider is not configured or is disabled');
    END IF;
    -- Found by its token (on Citus a read across shards), then locked by its key: a row lock
    -- needs the account's id in its statement (docs/scaling.md C16).
    v_session := wallet._casino_session(p_token, p_provider);
    SELECT * INTO v_session FROM wallet.game_session
     WHERE account_id = v_session.account_id AND session_id = v_session.session_id
       AND token_sha256 = wallet._casino_token_hash(p_token)
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN wallet._casino_refusal('PAM_ERR_SESSION_NOT_FOUND', 'no session at this provider for X-Player-Token');
    ELSIF v_session.expires_at <= now() THEN
        RETURN wallet._casino_refusal('PAM_ERR_SESSION_EXPIRED', format('the session expired at %s', v_session.expires_at));
    END IF;
    UPDATE wallet.game_session
       SET token_sha256 = wallet._casino_token_hash(v_token), expires_at = now() + make_interval(secs => ttl_seconds),
           refreshes = refreshes + 1, refreshed_at = now(), refreshed_by = v_actor
     WHERE account_id = v_session.account_id AND session_id = v_session.session_id
    RETURNING * INTO v_session;
    RETURN jsonb_build_object('status', 'OK', 'session', jsonb_build_object(
        'player_id', v_session.account_id, 'token', v_token,
        'currency', (SELECT currency FROM wallet.account WHERE account_id = v_session.account_id),
        'country', v_session.country, 'language', v_session.language, 'game_id', v_session.game_id,
        'expires_at', v_session.expires_at));
END
$$;
