-- The casino aggregator adapter (SPEC §10, docs/casino.md): provider configuration, game
-- sessions, rounds and the aggregator's transactions, plus what the bets domain needs to pay a
-- settled bet more (later wins of a round).  Every money table is keyed by account first.
-- depends: 0006_operations

-- An aggregator's provider name (as Valkyrie sends it in `provider`) → the provider type it
-- plays.  Configuration: a Citus reference table, changed through admin.casino_provider_set.
CREATE TABLE wallet.casino_provider (
    provider       text        PRIMARY KEY CONSTRAINT casino_provider_name_shape
                               CHECK (provider ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
    provider_type  text        NOT NULL REFERENCES wallet.provider_type,
    enabled        boolean     NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text        NOT NULL
);
-- The providers Valkyrie ships (its provider modules' names).
INSERT INTO wallet.casino_provider (provider, provider_type, enabled, updated_by) VALUES
    ('evolution', 'LIVE', true, 'migration 0007'),
    ('redtiger', 'SLOTS', true, 'migration 0007'),
    ('caleta', 'SLOTS', true, 'migration 0007');

CREATE SEQUENCE wallet.game_session_id_seq AS bigint;

-- A player's game session: its token is shown once and stored as its SHA-256 only.  Refreshing
-- replaces the hash (the old token stops working at once) and renews the lifetime.
CREATE TABLE wallet.game_session (
    account_id    text        NOT NULL,
    session_id    bigint      NOT NULL DEFAULT nextval('wallet.game_session_id_seq'),
    token_sha256  bytea       NOT NULL CONSTRAINT game_session_token_unique UNIQUE
                              CONSTRAINT game_session_token_is_sha256 CHECK (length(token_sha256) = 32),
    provider      text        NOT NULL,
    game_id       text        CONSTRAINT game_session_game_shape CHECK (game_id ~ '^.{1,40}$'),
    country       text        NOT NULL CONSTRAINT game_session_country_shape CHECK (country ~ '^[A-Z]{2}$'),
    language      text        NOT NULL CONSTRAINT game_session_language_shape CHECK (language ~ '^[a-z]{2}$'),
    ttl_seconds   integer     NOT NULL CONSTRAINT game_session_ttl_range CHECK (ttl_seconds BETWEEN 60 AND 86400),
    expires_at    timestamptz NOT NULL,
    refreshes     integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text        NOT NULL,
    refreshed_at  timestamptz,
    refreshed_by  text,
    PRIMARY KEY (account_id, session_id)
);

-- A game round of one account: (provider, the provider's round id).  Two players at one live
-- table share the provider's round id and have a round each.
CREATE TABLE wallet.casino_round (
    account_id     text        NOT NULL,
    provider       text        NOT NULL,
    round_id       text        NOT NULL,
    game_id        text        NOT NULL,
    provider_type  text        NOT NULL,
    status         text        NOT NULL DEFAULT 'OPEN' CONSTRAINT casino_round_status_known CHECK (status IN ('OPEN', 'CLOSED')),
    started_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz,
    PRIMARY KEY (account_id, provider, round_id),
    CONSTRAINT casino_round_closed_has_end CHECK ((status = 'CLOSED') = (ended_at IS NOT NULL))
);

CREATE SEQUENCE wallet.casino_transaction_id_seq AS bigint;

-- Every transaction the aggregator sent that the wallet took (outcome APPLIED) or that left a
-- tombstone (a CANCEL of a withdraw never seen: outcome CANCEL_NOT_FOUND).  transaction_id is
-- the id answered to the aggregator.  A withdraw's state follows its bet: OPEN, SETTLED (a win,
-- or LOSS when the round ended) or CANCELLED.  The key (provider, type, provider transaction id)
-- is also claimed in wallet.resource_owner (kind CASINO_TXN), which finds it across accounts:
-- the same key for another player is PAM_ERR_DUPLICATE_TRANS.
CREATE TABLE wallet.casino_transaction (
    account_id               text        NOT NULL,
    transaction_id           bigint      NOT NULL DEFAULT nextval('wallet.casino_transaction_id_seq'),
    provider                 text        NOT NULL,
    transaction_type         text        NOT NULL CONSTRAINT casino_transaction_type_known
                                         CHECK (transaction_type IN ('DEPOSIT', 'WITHDRAW', 'CANCEL', 'PROMODEPOSIT',
                                                                     'PROMOWITHDRAW', 'PROMOCANCEL')),
    provider_transaction_id  text        NOT NULL,
    provider_bet_ref         text,
    provider_game_id         text,
    provider_round_id        text,
    currency                 text        NOT NULL,
    cash                     bigint      NOT NULL CHECK (cash >= 0),
    bonus                    bigint      NOT NULL CHECK (bonus >= 0),
    promo                    bigint      NOT NULL CHECK (promo >= 0),
    is_game_over             boolean     NOT NULL,
    transaction_at           timestamptz NOT NULL,
    outcome                  text        NOT NULL CONSTRAINT casino_transaction_outcome_known
                                         CHECK (outcome IN ('APPLIED', 'CANCEL_NOT_FOUND')),
    bet_id                   text,
    state                    text        CONSTRAINT casino_transaction_state_known
                                         CHECK (state IN ('OPEN', 'SETTLED', 'CANCELLED')),
    cancelled_by             bigint,
    credit_id                text,
    effects                  jsonb,
    details                  jsonb,
    correlation_id           text,
    actor                    text        NOT NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, transaction_id),
    CONSTRAINT casino_transaction_one_per_key UNIQUE (account_id, provider, transaction_type, provider_transaction_id),
    CONSTRAINT casino_transaction_withdraws_have_state
        CHECK ((transaction_type IN ('WITHDRAW', 'PROMOWITHDRAW')) = (state IS NOT NULL))
);
CREATE INDEX casino_transaction_by_bet_ref ON wallet.casino_transaction (account_id, provider, provider_bet_ref)
    WHERE provider_bet_ref IS NOT NULL;
CREATE INDEX casino_transaction_by_provider_id ON wallet.casino_transaction (account_id, provider, provider_transaction_id);
CREATE INDEX casino_transaction_by_round ON wallet.casino_transaction (account_id, provider, provider_round_id)
    WHERE provider_round_id IS NOT NULL;
-- Tombstones by the reference they name, so a late withdraw is found refused in one probe.
CREATE INDEX casino_transaction_tombstones ON wallet.casino_transaction
    (account_id, provider, (coalesce(provider_bet_ref, provider_transaction_id))) WHERE outcome = 'CANCEL_NOT_FOUND';

-- Bets domain: a payout added to a settled bet (a later win of its casino round), so that a
-- rollback of the bet gives it back with the first settlement and the house result counts it.
CREATE TABLE wallet.bet_extra_payout (
    account_id  text        NOT NULL,
    bet_id      text        NOT NULL,
    txn_id      bigint      NOT NULL,
    amount      bigint      NOT NULL CHECK (amount > 0),
    withheld    bigint      NOT NULL DEFAULT 0 CHECK (withheld >= 0),
    ref         text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, bet_id, txn_id)
);

-- Money policy: where a casino promotion payout (PROMODEPOSIT) goes and its rolling multiplier.
-- NULL bucket: the group's first BONUS bucket (else its first CASH bucket), resolved at use.
ALTER TABLE wallet.group_policy
    ADD COLUMN promo_payout_bucket_type text,
    ADD COLUMN promo_payout_rolling_multiplier integer NOT NULL DEFAULT 0
        CONSTRAINT group_policy_promo_multiplier_range CHECK (promo_payout_rolling_multiplier BETWEEN 0 AND 1000);

-- API keys may carry the casino scope (the aggregator adapter).
ALTER TABLE wallet.api_key DROP CONSTRAINT api_key_scopes_known;
ALTER TABLE wallet.api_key ADD CONSTRAINT api_key_scopes_known
    CHECK (scopes <@ ARRAY['game', 'payments', 'promotion', 'player', 'admin', 'events', 'casino']
           AND cardinality(scopes) > 0);
