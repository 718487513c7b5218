-- The schema as it distributes on Citus (issue 14; docs/scaling.md "Running on Citus").
--
-- 1. No unique index without the account id (C3).  Citus enforces a unique index of a
--    distributed table shard by shard, so it refuses one that lacks the distribution column.
--    Delivery ids are unique by construction (one stamper at a time draws them from one
--    sequence) and a game session's token hash is 160 random bits: each keeps a plain index for
--    its lookups.
-- 2. The audit log is keyed by account (C14): an account's entries (adjustments, status
--    changes, rolling decisions) carry its id, configuration entries (topology, policies, API
--    keys, providers) the empty id '' — as the outbox's system stream does — so on Citus an
--    account's entry is written on that account's shard by the command itself, never on every
--    node.  Entries written before this migration keep ''.
-- 3. Order by when a row was written, not by a sequence (C17).  On Citus every node draws ids
--    from its own range (the coordinator from 1, worker n from n × 2^48), so ids of one account
--    are not in the order its commands ran once they run on more than one node (a command the
--    coordinator runs, a shard moved to another worker).  The rows whose order the wallet acts
--    on — events (delivery order per account), rolling obligations (oldest first), ledger
--    transactions (what a rollback finds released after a settlement), casino transactions and
--    payouts added to a bet (in the order they came), audit entries — default their time to
--    clock_timestamp(), the time the row is written: an account's commands are serialized by its
--    lock, so each writes after the previous one committed.  Ties (rows of one statement or
--    transaction, on one node) are broken by the id.  Unstamped events are found in that order.
-- depends: 0009_lean_writes

-- 1.
DROP INDEX wallet.outbox_delivery;
CREATE INDEX outbox_delivery ON wallet.outbox (delivery_id) WHERE delivery_id IS NOT NULL;
ALTER TABLE wallet.game_session DROP CONSTRAINT game_session_token_unique;
CREATE INDEX game_session_by_token ON wallet.game_session (token_sha256);

-- 2.
ALTER TABLE wallet.audit_log ADD COLUMN account_id text NOT NULL DEFAULT '';
ALTER TABLE wallet.audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE wallet.audit_log ADD PRIMARY KEY (account_id, audit_id);
CREATE INDEX audit_log_by_time ON wallet.audit_log (at, audit_id);

-- 3.
ALTER TABLE wallet.outbox ALTER COLUMN created_at SET DEFAULT clock_timestamp();
ALTER TABLE wallet.ledger_txn ALTER COLUMN created_at SET DEFAULT clock_timestamp();
ALTER TABLE wallet.rolling_obligation ALTER COLUMN created_at SET DEFAULT clock_timestamp();
ALTER TABLE wallet.casino_transaction ALTER COLUMN created_at SET DEFAULT clock_timestamp();
ALTER TABLE wallet.bet_extra_payout ALTER COLUMN created_at SET DEFAULT clock_timestamp();
ALTER TABLE wallet.audit_log ALTER COLUMN at SET DEFAULT clock_timestamp();
DROP INDEX wallet.outbox_unstamped;
CREATE INDEX outbox_unstamped ON wallet.outbox (created_at, event_id) WHERE delivery_id IS NULL;
