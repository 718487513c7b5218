-- The money records: bets with their funding sources and snapshot, deposits, withdrawals,
-- coupon grants, promotion credits, transfers and rolling obligations.  Every table carries
-- account_id first in its primary key (one command touches one account; Citus colocates by it).
-- depends: 0002_topology_policy

-- A scoped bonus grant (SPEC §1): its own restrictions and remaining amount, never summed into a
-- bucket.  remaining changes only through wallet._post (ledger entries with coupon_id).
CREATE TABLE wallet.coupon (
    account_id            text        NOT NULL REFERENCES wallet.account,
    coupon_id             text        NOT NULL,
    amount                bigint      NOT NULL CHECK (amount > 0),
    remaining             bigint      NOT NULL CONSTRAINT coupon_remaining_in_range CHECK (remaining >= 0 AND remaining <= amount),
    status                text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'REVERSED')),
    provider_types        text[]      NOT NULL CHECK (cardinality(provider_types) > 0),
    wallet_group          text        NOT NULL,
    min_odds              numeric     CHECK (min_odds >= 1),
    max_stake             bigint      CHECK (max_stake > 0),
    expires_at            timestamptz,
    stake_returned        boolean     NOT NULL,
    winnings_bucket_type  text,
    rolling_multiplier    integer     NOT NULL DEFAULT 0 CHECK (rolling_multiplier >= 0),
    rolling_id            bigint,
    topology_version      integer     NOT NULL,
    granted_at            timestamptz NOT NULL DEFAULT now(),
    granted_by            text        NOT NULL,
    reversal_result       jsonb,
    PRIMARY KEY (account_id, coupon_id)
);

CREATE TABLE wallet.bet (
    account_id           text        NOT NULL REFERENCES wallet.account,
    bet_id               text        NOT NULL,
    status               text        NOT NULL CHECK (status IN ('AUTHORIZED', 'SETTLED', 'ROLLED_BACK')),
    -- A rollback that arrived before its bet leaves a tombstone: no money, the id refused later.
    tombstone            boolean     NOT NULL DEFAULT false,
    provider_type        text,
    provider_id          text,
    stake                bigint      NOT NULL CHECK (stake >= 0),
    odds                 numeric     CHECK (odds >= 1),
    selected_source      text,
    -- The snapshot settlement and rollback use, never the current topology or policy.
    topology_version     integer,
    wallet_group         text,
    policy_version       integer,
    rolling_bps          integer,
    rolling_min_odds     numeric,
    rolling_void_counts  boolean,
    authorized_at        timestamptz,
    authorize_txn_id     bigint,
    result               text        CHECK (result IN ('WIN', 'LOSS', 'VOID', 'CASHOUT')),
    payout               bigint      CHECK (payout >= 0),
    settlement_id        text,
    settled_at           timestamptz,
    settle_txn_id        bigint,
    rollback_id          text,
    rolled_back_at       timestamptz,
    rollback_result      jsonb,
    PRIMARY KEY (account_id, bet_id),
    CONSTRAINT bet_tombstone_holds_nothing CHECK (NOT tombstone OR (status = 'ROLLED_BACK' AND stake = 0)),
    CONSTRAINT bet_snapshot_when_real CHECK (tombstone OR (stake > 0 AND topology_version IS NOT NULL
                                             AND wallet_group IS NOT NULL AND policy_version IS NOT NULL)),
    CONSTRAINT bet_settled_has_result CHECK ((status = 'SETTLED') <= (result IS NOT NULL AND settle_txn_id IS NOT NULL))
);
-- Open exposure per account and group (snapshot, auto-completion, topology blockers).
CREATE INDEX bet_open ON wallet.bet (account_id, wallet_group) WHERE status = 'AUTHORIZED';

-- What funded a bet, in funding order, and where each source's payout share goes (snapshot).
CREATE TABLE wallet.bet_source (
    account_id      text     NOT NULL,
    bet_id          text     NOT NULL,
    seq             smallint NOT NULL,
    kind            text     NOT NULL CHECK (kind IN ('CASH', 'BONUS', 'WITHDRAWABLE', 'COUPON')),
    bucket_type     text,
    coupon_id       text,
    amount          bigint   NOT NULL CHECK (amount > 0),
    destination     text     NOT NULL,
    stake_returned  boolean  NOT NULL,
    PRIMARY KEY (account_id, bet_id, seq),
    FOREIGN KEY (account_id, bet_id) REFERENCES wallet.bet,
    CHECK (num_nonnulls(bucket_type, coupon_id) = 1),
    CHECK ((kind = 'COUPON') = (coupon_id IS NOT NULL))
);

CREATE SEQUENCE wallet.rolling_id_seq AS bigint;

-- A wagering requirement (SPEC §5a), with what it was created under.
CREATE TABLE wallet.rolling_obligation (
    account_id          text        NOT NULL REFERENCES wallet.account,
    rolling_id          bigint      NOT NULL DEFAULT nextval('wallet.rolling_id_seq'),
    wallet_group        text        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('DEPOSIT', 'BONUS')),
    base_amount         bigint      NOT NULL CHECK (base_amount >= 0),
    required            bigint      NOT NULL CHECK (required >= 0),
    progress            bigint      NOT NULL DEFAULT 0 CHECK (progress >= 0),
    status              text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'COMPLETED', 'WAIVED', 'CANCELLED')),
    topology_version    integer     NOT NULL,
    source_bucket_type  text        NOT NULL,
    provider_type       text,
    source_kind         text        NOT NULL CHECK (source_kind IN ('deposit', 'coupon', 'credit', 'transfer')),
    source_id           text        NOT NULL,
    policy_snapshot     jsonb       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    closed_at           timestamptz,
    PRIMARY KEY (account_id, rolling_id),
    CONSTRAINT rolling_progress_within_required CHECK (progress <= required)
);
CREATE INDEX rolling_active ON wallet.rolling_obligation (account_id, wallet_group, kind, rolling_id) WHERE status = 'ACTIVE';

-- Progress a settled bet gave each obligation, so a rollback can take it back.
CREATE TABLE wallet.rolling_progress (
    account_id  text   NOT NULL,
    rolling_id  bigint NOT NULL,
    bet_id      text   NOT NULL,
    amount      bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (account_id, rolling_id, bet_id),
    FOREIGN KEY (account_id, rolling_id) REFERENCES wallet.rolling_obligation
);
CREATE INDEX rolling_progress_by_bet ON wallet.rolling_progress (account_id, bet_id);

CREATE TABLE wallet.deposit (
    account_id      text        NOT NULL REFERENCES wallet.account,
    deposit_id      text        NOT NULL,
    amount          bigint      NOT NULL CHECK (amount > 0),
    bucket_type     text        NOT NULL,
    status          text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    decided_at      timestamptz,
    decided_by      text,
    reason          text,
    rolling_id      bigint,
    txn_id          bigint,
    decision        jsonb,
    PRIMARY KEY (account_id, deposit_id)
);

CREATE TABLE wallet.withdrawal (
    account_id      text        NOT NULL REFERENCES wallet.account,
    withdrawal_id   text        NOT NULL,
    amount          bigint      NOT NULL CHECK (amount > 0),
    status          text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PAID', 'REJECTED')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    decided_at      timestamptz,
    decided_by      text,
    reason          text,
    decision        jsonb,
    PRIMARY KEY (account_id, withdrawal_id)
);
CREATE INDEX withdrawal_pending ON wallet.withdrawal (account_id) WHERE status = 'PENDING';

CREATE TABLE wallet.withdrawal_source (
    account_id     text     NOT NULL,
    withdrawal_id  text     NOT NULL,
    seq            smallint NOT NULL,
    bucket_type    text     NOT NULL,
    amount         bigint   NOT NULL CHECK (amount > 0),
    PRIMARY KEY (account_id, withdrawal_id, seq),
    FOREIGN KEY (account_id, withdrawal_id) REFERENCES wallet.withdrawal
);

CREATE TABLE wallet.promotion_credit (
    account_id          text        NOT NULL REFERENCES wallet.account,
    credit_id           text        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('REBATE', 'CASHBACK', 'LOSSBACK', 'EVENT')),
    amount              bigint      NOT NULL CHECK (amount > 0),
    bucket_type         text        NOT NULL,
    rolling_multiplier  integer     NOT NULL DEFAULT 0 CHECK (rolling_multiplier >= 0),
    rolling_id          bigint,
    status              text        NOT NULL DEFAULT 'CREDITED' CHECK (status IN ('CREDITED', 'REVERSED')),
    reversed            bigint      CHECK (reversed >= 0),
    unrecovered         bigint      CHECK (unrecovered >= 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    created_by          text        NOT NULL,
    reversal_result     jsonb,
    PRIMARY KEY (account_id, credit_id),
    CHECK (status = 'CREDITED' OR reversed + unrecovered = amount)
);

CREATE TABLE wallet.transfer (
    account_id     text        NOT NULL REFERENCES wallet.account,
    transfer_id    text        NOT NULL,
    from_type      text        NOT NULL,
    to_type        text        NOT NULL,
    debited        bigint      NOT NULL CHECK (debited > 0),
    credited       bigint      NOT NULL CHECK (credited > 0),
    txn_id         bigint      NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text        NOT NULL,
    PRIMARY KEY (account_id, transfer_id)
);
