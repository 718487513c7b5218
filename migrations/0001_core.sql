-- Ruby Wallet core: accounts, buckets, the append-only double-entry ledger,
-- idempotency records, the outbox, the audit log, API keys, the error-code table and the
-- topology tables the buckets are typed by.
--
-- Runs as wallet_owner (ruby_wallet.migrate connects with `-c role=wallet_owner`), so every
-- object here is owned by the owner role.  Functions live in procedures/, views and grants in
-- sql/: they are re-applied on every migrate, this file only once.
--
-- Sharding rule (docs/scaling.md): every money table carries account_id first in its primary
-- key; configuration tables (topology, error codes, API keys, the resource directory) are small
-- and become Citus reference tables.

-- One row per wallet.  The account's id is the caller's player id: every command arrives with
-- it, so no lookup stands between a request and its account, and it is the distribution key
-- when the wallet is sharded.  `SELECT … FOR UPDATE` on this row serializes every command on
-- that player.
CREATE TABLE wallet.account (
    account_id  text        PRIMARY KEY
                            CONSTRAINT account_id_shape CHECK (account_id ~ '^[[:graph:]]{1,128}$'),
    currency    text        NOT NULL CONSTRAINT account_currency_shape CHECK (currency ~ '^[A-Z]{3}$'),
    status      text        NOT NULL DEFAULT 'active'
                            CONSTRAINT account_status_known CHECK (status IN ('active', 'frozen', 'closed')),
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Caller-chosen ids addressed without a player id in the URL (deposit approve, coupon reverse,
-- …) resolve to their account here, so the command still locks exactly one account.
CREATE TABLE wallet.resource_owner (
    resource_kind text   NOT NULL,
    resource_id   text   NOT NULL,
    account_id    text   NOT NULL REFERENCES wallet.account,
    PRIMARY KEY (resource_kind, resource_id)
);

-- A bucket is one account's balance of one bucket type (topology data, never a column).
CREATE TABLE wallet.bucket (
    account_id   text   NOT NULL REFERENCES wallet.account,
    bucket_type  text   NOT NULL,
    balance      bigint NOT NULL DEFAULT 0 CONSTRAINT bucket_balance_non_negative CHECK (balance >= 0),
    PRIMARY KEY (account_id, bucket_type)
);

CREATE SEQUENCE wallet.ledger_txn_id_seq AS bigint;

CREATE TABLE wallet.ledger_txn (
    account_id        text        NOT NULL REFERENCES wallet.account,
    txn_id            bigint      NOT NULL DEFAULT nextval('wallet.ledger_txn_id_seq'),
    kind              text        NOT NULL CONSTRAINT ledger_txn_kind_shape CHECK (kind ~ '^[A-Z_]+$'),
    ref               text        NOT NULL,
    actor             text        NOT NULL,
    topology_version  integer,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, txn_id)
);

-- Exactly one of bucket_type / pocket / coupon_id names what an entry moves.  Pockets are the
-- account's own contra accounts (SPEC §2), so no command ever touches a house-wide row.
CREATE TABLE wallet.ledger_entry (
    account_id     text     NOT NULL,
    txn_id         bigint   NOT NULL,
    entry_no       smallint NOT NULL,
    bucket_type    text,
    pocket         text     CONSTRAINT ledger_entry_pocket_known
                            CHECK (pocket IN ('EXTERNAL', 'HOLD', 'HOUSE', 'PROMOTION', 'ADJUSTMENT')),
    coupon_id      text,
    amount         bigint   NOT NULL CONSTRAINT ledger_entry_amount_non_zero CHECK (amount <> 0),
    balance_after  bigint   CONSTRAINT ledger_entry_balance_after_non_negative CHECK (balance_after >= 0),
    PRIMARY KEY (account_id, txn_id, entry_no),
    FOREIGN KEY (account_id, txn_id) REFERENCES wallet.ledger_txn,
    CONSTRAINT ledger_entry_one_target CHECK (num_nonnulls(bucket_type, pocket, coupon_id) = 1),
    CONSTRAINT ledger_entry_balance_after_for_balances CHECK ((pocket IS NULL) = (balance_after IS NOT NULL))
);

-- History reads: one account's bucket/coupon entries, newest first.
CREATE INDEX ledger_entry_history ON wallet.ledger_entry (account_id, txn_id DESC, entry_no DESC)
    WHERE pocket IS NULL;

-- The caller's key for a command, the hash of what was asked, and the answer given.
CREATE TABLE wallet.idempotency (
    account_id    text        NOT NULL REFERENCES wallet.account,
    command       text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    response      jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, command, key)
);

CREATE SEQUENCE wallet.outbox_event_id_seq AS bigint;
CREATE SEQUENCE wallet.outbox_delivery_id_seq AS bigint;

-- Written in the same transaction as the money change.  delivery_id is stamped after commit,
-- in commit order, by wallet.events_read (see procedures/), so a cursor never skips an event.
CREATE TABLE wallet.outbox (
    account_id    text        NOT NULL REFERENCES wallet.account,
    event_id      bigint      NOT NULL DEFAULT nextval('wallet.outbox_event_id_seq'),
    event_type    text        NOT NULL,
    payload       jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    delivery_id   bigint,
    claimed_by    text,
    claimed_at    timestamptz,
    published_at  timestamptz,
    PRIMARY KEY (account_id, event_id)
);
CREATE UNIQUE INDEX outbox_delivery ON wallet.outbox (delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX outbox_unstamped ON wallet.outbox (event_id) WHERE delivery_id IS NULL;
CREATE INDEX outbox_unpublished ON wallet.outbox (delivery_id) WHERE published_at IS NULL;

CREATE TABLE wallet.audit_log (
    audit_id  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text        NOT NULL,
    action    text        NOT NULL,
    target    text        NOT NULL,
    outcome   text        NOT NULL CONSTRAINT audit_log_outcome_known CHECK (outcome IN ('OK', 'REFUSED')),
    before    jsonb,
    after     jsonb,
    reason    text,
    detail    jsonb
);

CREATE TABLE wallet.api_key (
    key_id         text        PRIMARY KEY,
    name           text        NOT NULL UNIQUE CONSTRAINT api_key_name_shape CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    secret_sha256  bytea       NOT NULL,
    scopes         text[]      NOT NULL CONSTRAINT api_key_scopes_known
                               CHECK (scopes <@ ARRAY['game', 'payments', 'promotion', 'player', 'admin', 'events']
                                      AND cardinality(scopes) > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz
);

-- Loaded from sql/error_codes.tsv on every migrate; the API and docs/errors.md use the same file.
CREATE TABLE wallet.error_code (
    code         text    PRIMARY KEY,
    sqlstate     text    UNIQUE CONSTRAINT error_code_sqlstate_shape CHECK (sqlstate ~ '^RW[0-9]{3}$'),
    http_status  integer NOT NULL,
    title        text    NOT NULL,
    description  text    NOT NULL
);

-- Topology: the stored document plus its materialized rows, which commands read.
CREATE TABLE wallet.topology_version (
    version       integer     PRIMARY KEY,
    status        text        NOT NULL DEFAULT 'DRAFT'
                              CONSTRAINT topology_status_known CHECK (status IN ('DRAFT', 'ACTIVE', 'RETIRED')),
    document      jsonb       NOT NULL,
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    activated_by  text,
    activated_at  timestamptz
);
CREATE UNIQUE INDEX topology_version_one_active ON wallet.topology_version ((true)) WHERE status = 'ACTIVE';

CREATE TABLE wallet.wallet_group (
    topology_version  integer NOT NULL REFERENCES wallet.topology_version,
    code              text    NOT NULL,
    position          integer NOT NULL,
    PRIMARY KEY (topology_version, code)
);

CREATE TABLE wallet.bucket_type (
    topology_version  integer NOT NULL REFERENCES wallet.topology_version,
    code              text    NOT NULL,
    kind              text    NOT NULL CONSTRAINT bucket_type_kind_known
                              CHECK (kind IN ('CASH', 'BONUS', 'POINTS', 'WITHDRAWABLE')),
    wallet_group      text,
    position          integer NOT NULL,
    bettable          boolean NOT NULL,
    withdrawable      boolean NOT NULL,
    accepts_deposit   boolean NOT NULL,
    accepts_winnings  boolean NOT NULL,
    PRIMARY KEY (topology_version, code),
    FOREIGN KEY (topology_version, wallet_group) REFERENCES wallet.wallet_group
);

CREATE TABLE wallet.provider_mapping (
    topology_version  integer NOT NULL REFERENCES wallet.topology_version,
    provider_type     text    NOT NULL,
    wallet_group      text    NOT NULL,
    PRIMARY KEY (topology_version, provider_type),
    FOREIGN KEY (topology_version, wallet_group) REFERENCES wallet.wallet_group
);

CREATE TABLE wallet.transfer_edge (
    topology_version  integer NOT NULL REFERENCES wallet.topology_version,
    from_type         text    NOT NULL,
    to_type           text    NOT NULL,
    rate_from         bigint  NOT NULL DEFAULT 1 CHECK (rate_from > 0),
    rate_to           bigint  NOT NULL DEFAULT 1 CHECK (rate_to > 0),
    min_amount        bigint  CHECK (min_amount > 0),
    max_amount        bigint  CHECK (max_amount > 0),
    PRIMARY KEY (topology_version, from_type, to_type),
    FOREIGN KEY (topology_version, from_type) REFERENCES wallet.bucket_type,
    FOREIGN KEY (topology_version, to_type) REFERENCES wallet.bucket_type,
    CHECK (from_type <> to_type),
    CHECK (max_amount IS NULL OR min_amount IS NULL OR max_amount >= min_amount)
);

-- One line of a ledger transaction as the writers build it: exactly one of bucket_type, pocket
-- and coupon_id is set.  wallet._post turns an array of these into balance updates and entries.
CREATE TYPE wallet.posting AS (
    bucket_type  text,
    pocket       text,
    coupon_id    text,
    amount       bigint
);

-- Append-only: ledger and audit rows can be added, never changed.  Privileges already deny
-- UPDATE/DELETE to every application role; the trigger stops the owner as well.
CREATE FUNCTION wallet._forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'RW900';
END
$$;

CREATE TRIGGER ledger_txn_append_only BEFORE UPDATE OR DELETE ON wallet.ledger_txn
    FOR EACH ROW EXECUTE FUNCTION wallet._forbid_change();
CREATE TRIGGER ledger_txn_no_truncate BEFORE TRUNCATE ON wallet.ledger_txn
    FOR EACH STATEMENT EXECUTE FUNCTION wallet._forbid_change();
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON wallet.ledger_entry
    FOR EACH ROW EXECUTE FUNCTION wallet._forbid_change();
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON wallet.ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION wallet._forbid_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON wallet.audit_log
    FOR EACH ROW EXECUTE FUNCTION wallet._forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON wallet.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION wallet._forbid_change();

-- Double entry: the entries of every transaction in one INSERT sum to zero.  wallet._post
-- writes all entries of a transaction in one statement, so this checks each transaction whole.
CREATE FUNCTION wallet._check_entries_balance() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_txn record;
BEGIN
    SELECT account_id, txn_id, sum(amount) AS total INTO v_txn
      FROM new_entries GROUP BY account_id, txn_id HAVING sum(amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % of account % does not sum to zero (%)',
            v_txn.txn_id, v_txn.account_id, v_txn.total
            USING ERRCODE = 'RW901';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entry_sums_to_zero AFTER INSERT ON wallet.ledger_entry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION wallet._check_entries_balance();

-- The digest of procedures/ and sql/ last applied by `ruby-wallet migrate` (one row).
CREATE TABLE wallet_meta.code_state (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    digest      text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
