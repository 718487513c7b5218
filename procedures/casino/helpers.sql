-- The casino domain (SPEC §10, docs/casino.md): the Valkyrie PAM API's rounds, sessions and
-- providers on the wallet's own commands.  Its private helpers: none is granted to a role, they
-- run inside the casino.* / player.* / admin.* functions of this folder, as wallet_owner.

-- The provider type an enabled provider plays; NULL for a provider unknown or disabled.
CREATE OR REPLACE FUNCTION wallet._casino_provider_type(p_provider text)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT provider_type FROM wallet.casino_provider WHERE provider = p_provider AND enabled
$$;

CREATE OR REPLACE FUNCTION wallet._casino_token_hash(p_token text)
RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(convert_to(p_token, 'UTF8'))
$$;

-- A new session token: 40 hexadecimal characters, 160 bits from two v4 UUIDs (244 random bits).
CREATE OR REPLACE FUNCTION wallet._casino_new_token()
RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT left(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'), 40)
$$;

-- The session of p_token at p_provider (expired or not), or a row of NULLs; with p_player_id,
-- only a session of that player (the calls on a player find it on the player's own rows).
CREATE OR REPLACE FUNCTION wallet._casino_session(p_token text, p_provider text, p_player_id text DEFAULT NULL)
RETURNS wallet.game_session
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_session wallet.game_session;
BEGIN
    -- Two statements, not `p_player_id IS NULL OR account_id = p_player_id`: on Citus a query
    -- names its shard only by an equality on the account id.
    IF p_player_id IS NULL THEN
        SELECT * INTO v_session FROM wallet.game_session
         WHERE token_sha256 = wallet._casino_token_hash(p_token) AND provider = p_provider;
    ELSE
        SELECT * INTO v_session FROM wallet.game_session
         WHERE account_id = p_player_id AND token_sha256 = wallet._casino_token_hash(p_token) AND provider = p_provider;
    END IF;
    RETURN v_session;
END
$$;

-- An id the contract allows (1–40 characters, here without control characters); round ids come
-- back in a URL path segment (getGameRound), so they may not hold "/" either (SPEC §2).
CREATE OR REPLACE FUNCTION wallet._casino_id_ok(p_id text, p_in_path boolean DEFAULT false)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_id IS NOT NULL AND length(p_id) BETWEEN 1 AND 40 AND p_id !~ '[[:cntrl:]]'
           AND NOT (p_in_path AND strpos(p_id, '/') > 0)
$$;

-- The wallet id a casino transaction gives the command it calls: readable when the provider's
-- id is plain, else a hash of it (ids must be printable, without "/", at most 128 characters).
CREATE OR REPLACE FUNCTION wallet._casino_ref(p_provider text, p_kind text, p_id text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'casino:' || p_provider || ':' || p_kind || ':'
           || CASE WHEN p_id ~ '^[A-Za-z0-9._~:-]{1,40}$' THEN p_id
                   ELSE '#' || left(encode(sha256(convert_to(p_id, 'UTF8')), 'hex'), 32) END
$$;

-- The cross-account key of a casino transaction (wallet.resource_owner kind CASINO_TXN): provider
-- names hold no ":" and types are fixed words, so the key is unambiguous.
CREATE OR REPLACE FUNCTION wallet._casino_key(p_provider text, p_transaction_type text, p_provider_transaction_id text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_provider || ':' || p_transaction_type || ':' || p_provider_transaction_id
$$;

-- What the player can stake with p_provider_type (SPEC §10), in minor units: cash = the CASH
-- buckets of its wallet group plus the WITHDRAWABLE ones, bonus = the group's BONUS buckets,
-- promo = the remaining of the usable coupons (wallet._coupon_usable) that list the provider type.
CREATE OR REPLACE FUNCTION wallet._casino_balance(p_account_id text, p_provider_type text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_topology integer := wallet._active_topology();
    v_group text := wallet._group_of(v_topology, p_provider_type);
BEGIN
    RETURN (
        SELECT jsonb_build_object(
                   'cash', coalesce(sum(coalesce(b.balance, 0)) FILTER (WHERE bt.kind = 'CASH' AND bt.wallet_group = v_group
                                                                     OR bt.kind = 'WITHDRAWABLE'), 0),
                   'bonus', coalesce(sum(coalesce(b.balance, 0)) FILTER (WHERE bt.kind = 'BONUS' AND bt.wallet_group = v_group), 0),
                   'promo', (SELECT coalesce(sum(c.remaining), 0) FROM wallet.coupon c
                              WHERE c.account_id = p_account_id AND wallet._coupon_usable(c.status, c.expires_at)
                                AND p_provider_type = ANY (c.provider_types)))
          FROM wallet.bucket_type bt
          LEFT JOIN wallet.bucket b ON b.account_id = p_account_id AND b.bucket_type = bt.code
         WHERE bt.topology_version = v_topology);
END
$$;

CREATE OR REPLACE FUNCTION wallet._casino_refusal(p_code text, p_message text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('status', 'ERROR', 'code', p_code, 'message', p_message)
$$;

-- An answer with the account's currency and its balance for the provider type.
-- PL/pgSQL, each value read by a statement of its own: on Citus a SQL function's parameters over
-- a distributed table cannot be planned (docs/scaling.md C11), and a statement over a shard may
-- not call a function that reads a table (C6).
CREATE OR REPLACE FUNCTION wallet._casino_with_balance(p_answer jsonb, p_account_id text, p_provider_type text)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_currency text;
BEGIN
    SELECT currency INTO v_currency FROM wallet.account WHERE account_id = p_account_id;
    RETURN p_answer || jsonb_build_object('currency', v_currency,
                                          'balance', wallet._casino_balance(p_account_id, p_provider_type));
END
$$;

-- Refuses the casino transaction being applied with a PAM code: raises CASINO_REFUSED, which
-- rolls its work back; casino.transaction_add answers the code as data.  Never returns.
CREATE OR REPLACE FUNCTION wallet._casino_refuse(p_code text, p_message text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM wallet._fail('CASINO_REFUSED', p_message, jsonb_build_object('code', p_code));
END
$$;

-- The contract's code for a wallet error raised by a command a casino transaction called.
CREATE OR REPLACE FUNCTION wallet._casino_code_of(p_wallet_code text)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_wallet_code = 'INSUFFICIENT_FUNDS' THEN 'PAM_ERR_CASH_OVERDRAFT'
        WHEN p_wallet_code IN ('ACCOUNT_FROZEN', 'ACCOUNT_CLOSED', 'NOT_BETTABLE', 'UNKNOWN_PROVIDER_TYPE',
                               'COUPON_NOT_ELIGIBLE', 'SOURCE_REQUIRED', 'SOURCE_NOT_ALLOWED') THEN 'PAM_ERR_BET_NOT_ALLOWED'
        WHEN p_wallet_code = 'BET_ALREADY_ROLLED_BACK' THEN 'PAM_ERR_TRANS_ALREADY_CANCELLED'
        WHEN p_wallet_code = 'BET_ALREADY_SETTLED' THEN 'PAM_ERR_TRANS_ALREADY_SETTLED'
        WHEN p_wallet_code = 'BET_NOT_FOUND' THEN 'PAM_ERR_TRANS_NOT_FOUND'
        WHEN p_wallet_code = 'IDEMPOTENCY_CONFLICT' THEN 'PAM_ERR_DUPLICATE_TRANS'
        WHEN p_wallet_code = 'UNKNOWN_ACCOUNT' THEN 'PAM_ERR_PLAYER_NOT_FOUND'
        ELSE 'PAM_ERR_UNDEFINED'
    END
$$;

-- The session check every PAM call on a player makes: the provider enabled, the token a session
-- of this player at this provider.  Returns NULL when they are, else the refusal.
CREATE OR REPLACE FUNCTION wallet._casino_player_refusal(p_provider_type text, p_session wallet.game_session, p_player_id text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_provider_type IS NULL THEN wallet._casino_refusal('PAM_ERR_MISSING_PROVIDER', 'the provider is not configured or is disabled')
        WHEN p_session.session_id IS NULL OR p_session.account_id IS DISTINCT FROM p_player_id
            THEN wallet._casino_refusal('PAM_ERR_SESSION_NOT_FOUND', 'no session of this player at this provider for X-Player-Token')
    END
$$;
