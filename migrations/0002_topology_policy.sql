-- Topology and policy engine: provider types, betting policies (per provider type) and money
-- policies (per wallet group), versioned draft → active → retired; the value types of the pure
-- policy functions.
-- depends: 0001_core

-- Provider types are a stable contract enum between the wallet and its callers (SPEC §1);
-- adding one is a migration, mapping it to a wallet group is topology data.
CREATE TABLE wallet.provider_type (
    code         text PRIMARY KEY CONSTRAINT provider_type_code_shape CHECK (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
    description  text NOT NULL
);
INSERT INTO wallet.provider_type (code, description) VALUES
    ('SPORTS', 'sportsbook bets'),
    ('LIVE', 'live casino (dealer) games'),
    ('SLOTS', 'slot machines');

-- A betting policy version.  `document` is what the admin sent; the columns after it are the
-- values resolved from it at creation, which bet authorization reads (no JSON parsing on the
-- hot path).  Versions never change; a new rule is a new version.
CREATE TABLE wallet.betting_policy (
    provider_type        text        NOT NULL REFERENCES wallet.provider_type,
    version              integer     NOT NULL,
    status               text        NOT NULL DEFAULT 'DRAFT'
                                     CONSTRAINT betting_policy_status_known CHECK (status IN ('DRAFT', 'ACTIVE', 'RETIRED')),
    document             jsonb       NOT NULL,
    topology_version     integer     NOT NULL REFERENCES wallet.topology_version,
    created_by           text        NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    activated_by         text,
    activated_at         timestamptz,
    funding_mode         text        NOT NULL CHECK (funding_mode IN ('AUTO', 'PLAYER_SELECTED')),
    deduction_order      text[]      NOT NULL,
    max_coupons          integer     NOT NULL CHECK (max_coupons >= 0),
    dest_cash            text,
    dest_withdrawable    text,
    dest_bonus           text,
    dest_coupon          text,
    rolling_bps          integer     NOT NULL CHECK (rolling_bps BETWEEN 0 AND 10000),
    rolling_min_odds     numeric     CHECK (rolling_min_odds >= 1),
    rolling_void_counts  boolean     NOT NULL,
    PRIMARY KEY (provider_type, version)
);
CREATE UNIQUE INDEX betting_policy_one_active ON wallet.betting_policy (provider_type) WHERE status = 'ACTIVE';

-- A money policy version, one family per wallet group (SPEC §4).
CREATE TABLE wallet.group_policy (
    wallet_group           text        NOT NULL,
    version                integer     NOT NULL,
    status                 text        NOT NULL DEFAULT 'DRAFT'
                                       CONSTRAINT group_policy_status_known CHECK (status IN ('DRAFT', 'ACTIVE', 'RETIRED')),
    document               jsonb       NOT NULL,
    topology_version       integer     NOT NULL REFERENCES wallet.topology_version,
    created_by             text        NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    activated_by           text,
    activated_at           timestamptz,
    deposit_rolling_bps    integer     NOT NULL CHECK (deposit_rolling_bps >= 0),
    auto_complete_below    bigint      NOT NULL CHECK (auto_complete_below >= 0),
    transfer_min           bigint      CHECK (transfer_min > 0),
    transfer_max           bigint      CHECK (transfer_max > 0),
    rolling_inheritance    text        NOT NULL CHECK (rolling_inheritance IN ('PROPORTIONAL', 'NONE')),
    arrival_rolling_bps    integer     NOT NULL CHECK (arrival_rolling_bps >= 0),
    conversion_bucket_type text        NOT NULL,
    PRIMARY KEY (wallet_group, version)
);
CREATE UNIQUE INDEX group_policy_one_active ON wallet.group_policy (wallet_group) WHERE status = 'ACTIVE';

-- Topology and policy events are not one player's: they go to the outbox under account 0, the
-- system stream, so the outbox no longer references wallet.account.
ALTER TABLE wallet.outbox DROP CONSTRAINT outbox_account_id_fkey;

-- What the pure functions take and give (procedures/40_policy_math.sql).
-- A source the funding plan may take from: a bucket type code or 'coupon:<id>', its kind
-- (CASH, BONUS, WITHDRAWABLE, POINTS or COUPON), what it holds, and whether it may fund this bet.
CREATE TYPE wallet.fund_available AS (source text, kind text, available bigint, eligible boolean);
-- One line of a funding plan: take `amount` from `source`.
CREATE TYPE wallet.fund_source AS (source text, kind text, amount bigint);
-- One funding source of a bet being settled, with where its payout share goes.
CREATE TYPE wallet.settle_source AS (source text, kind text, amount bigint, destination text, stake_returned boolean);
-- Its share of the payout: `credit` to the destination, `withheld` (a free bet's stake) to PROMOTION.
CREATE TYPE wallet.settle_share AS (source text, destination text, share bigint, credit bigint, withheld bigint);
-- The part of a rolling obligation that moves with transferred money.
CREATE TYPE wallet.rolling_share AS (moved_base bigint, moved_required bigint);
