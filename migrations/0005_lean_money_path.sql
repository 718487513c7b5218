-- The lean money path (docs/adr/0005-lean-money-path.md): the same guarantees in fewer writes.
--
--   1. The ledger is one row per transaction holding its entries in order (targets, amounts,
--      balances after); double entry is a row CHECK, no longer a statement trigger.
--      wallet.ledger_entry becomes a view with the same columns, for every reader.
--   2. A bet holds its funding sources (and where each one's payout share goes) in its own row;
--      wallet.bet_source becomes a view.
--   3. Idempotency lives in each command's own record (the bet, the deposit, the transfer, …):
--      the record holds what was asked and what its answer is rebuilt from.  The separate
--      request-hash/response table goes; wallet.idempotency becomes a view of every key the
--      records hold.  Keys that only repeat a state change (a second rollback under another id)
--      are kept in wallet.repeat_key.
--   4. Account-keyed tables keep no foreign key to wallet.account (every command locks its
--      account first and writes only rows keyed by it: tests/sql/test_one_account_rule.py).
--   5. A bucket holds at most 10^17 minor units (SPEC §2).
-- Existing rows are carried over: entries folded into their transactions, sources into their
-- bets, the answers' parts no record held (settle rolling, transfer rolling) from the old table.
-- depends: 0004_caller_ids

-- The analytics views read the tables this migration replaces; migrate creates them again
-- (sql/80_analytics.sql) once the migrations have run.
DO $drop_views$
DECLARE
    v_view text;
BEGIN
    FOR v_view IN SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname = 'analytics' LOOP
        EXECUTE format('DROP VIEW %s CASCADE', v_view);
    END LOOP;
END
$drop_views$;

-- 4. No foreign keys from account-keyed tables to wallet.account.
ALTER TABLE wallet.bucket DROP CONSTRAINT bucket_account_id_fkey;
ALTER TABLE wallet.ledger_txn DROP CONSTRAINT ledger_txn_account_id_fkey;
ALTER TABLE wallet.coupon DROP CONSTRAINT coupon_account_id_fkey;
ALTER TABLE wallet.bet DROP CONSTRAINT bet_account_id_fkey;
ALTER TABLE wallet.rolling_obligation DROP CONSTRAINT rolling_obligation_account_id_fkey;
ALTER TABLE wallet.deposit DROP CONSTRAINT deposit_account_id_fkey;
ALTER TABLE wallet.withdrawal DROP CONSTRAINT withdrawal_account_id_fkey;
ALTER TABLE wallet.promotion_credit DROP CONSTRAINT promotion_credit_account_id_fkey;
ALTER TABLE wallet.transfer DROP CONSTRAINT transfer_account_id_fkey;
ALTER TABLE wallet.resource_owner DROP CONSTRAINT resource_owner_account_id_fkey;

-- 5. The bucket ceiling.
ALTER TABLE wallet.bucket ADD CONSTRAINT bucket_balance_ceiling CHECK (balance <= 100000000000000000);

-- 1. The ledger, one row per transaction.  A target is a bucket type code, a per-account pocket
-- written '@HOLD' (EXTERNAL, HOLD, HOUSE, PROMOTION, ADJUSTMENT) or a coupon written
-- 'coupon:<coupon_id>'; balances_after holds each bucket's and coupon's balance after its entry
-- (NULL for pockets).  The row CHECKs: arrays of one length, at least two entries, no NULL or
-- zero amount, the amounts summing to zero, balances after within 0 and the bucket ceiling.
-- wallet._array_sum is owned by this migration (a constraint depends on it), not by procedures/.
CREATE FUNCTION wallet._array_sum(p bigint[])
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_sum numeric := 0;
    v_item bigint;
BEGIN
    FOREACH v_item IN ARRAY coalesce(p, '{}'::bigint[]) LOOP
        v_sum := v_sum + v_item;
    END LOOP;
    RETURN v_sum;
END
$$;

ALTER TABLE wallet.ledger_txn ADD COLUMN targets text[], ADD COLUMN amounts bigint[], ADD COLUMN balances_after bigint[];
ALTER TABLE wallet.ledger_txn DISABLE TRIGGER ledger_txn_append_only;
UPDATE wallet.ledger_txn t
   SET targets = e.targets, amounts = e.amounts, balances_after = e.balances_after
  FROM (SELECT account_id, txn_id,
               array_agg(coalesce(bucket_type, '@' || pocket, 'coupon:' || coupon_id) ORDER BY entry_no) AS targets,
               array_agg(amount ORDER BY entry_no) AS amounts,
               array_agg(balance_after ORDER BY entry_no) AS balances_after
          FROM wallet.ledger_entry GROUP BY account_id, txn_id) e
 WHERE t.account_id = e.account_id AND t.txn_id = e.txn_id;
ALTER TABLE wallet.ledger_txn ENABLE TRIGGER ledger_txn_append_only;
ALTER TABLE wallet.ledger_txn ALTER COLUMN targets SET NOT NULL, ALTER COLUMN amounts SET NOT NULL,
                              ALTER COLUMN balances_after SET NOT NULL;
ALTER TABLE wallet.ledger_txn ADD CONSTRAINT ledger_txn_entries_shape
    CHECK (cardinality(targets) >= 2 AND cardinality(amounts) = cardinality(targets)
           AND cardinality(balances_after) = cardinality(targets)
           AND array_position(targets, NULL) IS NULL AND array_position(amounts, NULL) IS NULL
           AND array_position(amounts, 0::bigint) IS NULL
           AND 0 <= ALL (balances_after) AND 100000000000000000 >= ALL (balances_after));
ALTER TABLE wallet.ledger_txn ADD CONSTRAINT ledger_txn_entries_sum_to_zero CHECK (wallet._array_sum(amounts) = 0);
DROP TABLE wallet.ledger_entry;
DROP FUNCTION wallet._check_entries_balance();

-- The entries, one row each, as every reader knew them.
CREATE VIEW wallet.ledger_entry AS
SELECT t.account_id, t.txn_id, e.entry_no::smallint AS entry_no,
       CASE WHEN e.target !~ '^(@|coupon:)' THEN e.target END AS bucket_type,
       CASE WHEN e.target LIKE '@%' THEN substr(e.target, 2) END AS pocket,
       CASE WHEN e.target LIKE 'coupon:%' THEN substr(e.target, 8) END AS coupon_id,
       e.amount, e.balance_after
  FROM wallet.ledger_txn t
 CROSS JOIN LATERAL unnest(t.targets, t.amounts, t.balances_after) WITH ORDINALITY AS e(target, amount, balance_after, entry_no);

-- 2. A bet's funding, in funding order, in its own row: each source (a bucket type code or
-- 'coupon:<id>'), its kind, the amount it gave, where its payout share goes and whether a win
-- returns its stake (false: a free bet).  settle_rolling: the settle answer's rolling part
-- (the obligations it progressed, as they were then), NULL when it progressed none.

ALTER TABLE wallet.bet ADD COLUMN sources text[], ADD COLUMN source_kinds text[], ADD COLUMN source_amounts bigint[],
                       ADD COLUMN destinations text[], ADD COLUMN stakes_returned boolean[], ADD COLUMN settle_rolling jsonb;
UPDATE wallet.bet b
   SET sources = s.sources, source_kinds = s.kinds, source_amounts = s.amounts, destinations = s.destinations,
       stakes_returned = s.stakes_returned
  FROM (SELECT account_id, bet_id,
               array_agg(coalesce(bucket_type, 'coupon:' || coupon_id) ORDER BY seq) AS sources,
               array_agg(kind ORDER BY seq) AS kinds, array_agg(amount ORDER BY seq) AS amounts,
               array_agg(destination ORDER BY seq) AS destinations, array_agg(stake_returned ORDER BY seq) AS stakes_returned
          FROM wallet.bet_source GROUP BY account_id, bet_id) s
 WHERE b.account_id = s.account_id AND b.bet_id = s.bet_id;
UPDATE wallet.bet b SET settle_rolling = nullif(i.response->'rolling', '[]'::jsonb)
  FROM wallet.idempotency i
 WHERE i.account_id = b.account_id AND i.command = 'bet_settle' AND i.key = b.settlement_id;
UPDATE wallet.bet SET sources = '{}', source_kinds = '{}', source_amounts = '{}', destinations = '{}', stakes_returned = '{}'
 WHERE tombstone;
ALTER TABLE wallet.bet ALTER COLUMN sources SET NOT NULL, ALTER COLUMN source_kinds SET NOT NULL,
                       ALTER COLUMN source_amounts SET NOT NULL, ALTER COLUMN destinations SET NOT NULL,
                       ALTER COLUMN stakes_returned SET NOT NULL;
ALTER TABLE wallet.bet ADD CONSTRAINT bet_funding_shape
    CHECK (cardinality(source_kinds) = cardinality(sources) AND cardinality(source_amounts) = cardinality(sources)
           AND cardinality(destinations) = cardinality(sources) AND cardinality(stakes_returned) = cardinality(sources)
           AND 0 < ALL (source_amounts) AND source_kinds <@ ARRAY['CASH', 'BONUS', 'WITHDRAWABLE', 'COUPON']);
ALTER TABLE wallet.bet ADD CONSTRAINT bet_funding_covers_stake CHECK (wallet._array_sum(source_amounts) = stake);
DROP TABLE wallet.bet_source;

CREATE VIEW wallet.bet_source AS
SELECT b.account_id, b.bet_id, s.seq::smallint AS seq, s.kind,
       CASE WHEN s.kind <> 'COUPON' THEN s.source END AS bucket_type,
       CASE WHEN s.kind = 'COUPON' THEN substr(s.source, 8) END AS coupon_id,
       s.amount, s.destination, s.stake_returned
  FROM wallet.bet b
 CROSS JOIN LATERAL unnest(b.sources, b.source_kinds, b.source_amounts, b.destinations, b.stakes_returned)
       WITH ORDINALITY AS s(source, kind, amount, destination, stake_returned, seq);

-- 3. Idempotency in the records.  A settlement id and a rollback id each name one bet of a player.
CREATE UNIQUE INDEX bet_settlement_key ON wallet.bet (account_id, settlement_id) WHERE settlement_id IS NOT NULL;
CREATE UNIQUE INDEX bet_rollback_key ON wallet.bet (account_id, rollback_id) WHERE rollback_id IS NOT NULL;

-- An auto-approved deposit answers its approval on a replay of its creation.
ALTER TABLE wallet.deposit ADD COLUMN auto_approve boolean NOT NULL DEFAULT false;
UPDATE wallet.deposit d SET auto_approve = true
  FROM wallet.idempotency i
 WHERE i.account_id = d.account_id AND i.command = 'deposit_create' AND i.key = d.deposit_id
   AND i.response->>'status' = 'APPROVED';

-- A credit's ledger transaction (its answer's balance after), and the key of its reversal.
ALTER TABLE wallet.promotion_credit ADD COLUMN txn_id bigint, ADD COLUMN reversal_id text;
UPDATE wallet.promotion_credit c SET txn_id = t.txn_id
  FROM wallet.ledger_txn t
 WHERE t.account_id = c.account_id AND t.kind = 'PROMOTION_CREDIT' AND t.ref = 'credit:' || c.credit_id;
CREATE UNIQUE INDEX promotion_credit_reversal_key ON wallet.promotion_credit (account_id, reversal_id) WHERE reversal_id IS NOT NULL;
ALTER TABLE wallet.coupon ADD COLUMN reversal_id text;
CREATE UNIQUE INDEX coupon_reversal_key ON wallet.coupon (account_id, reversal_id) WHERE reversal_id IS NOT NULL;

-- A transfer's answer: the rolling it moved and the obligations it opened.
ALTER TABLE wallet.transfer ADD COLUMN rolling_moved bigint NOT NULL DEFAULT 0, ADD COLUMN rolling jsonb,
                            ADD COLUMN inherited_rolling_id bigint, ADD COLUMN arrival_rolling_id bigint;
UPDATE wallet.transfer t
   SET rolling_moved = (i.response->>'rolling_moved')::bigint, rolling = nullif(i.response->'rolling', '[]'::jsonb),
       inherited_rolling_id = (i.response->>'inherited_rolling_id')::bigint,
       arrival_rolling_id = (i.response->>'arrival_rolling_id')::bigint
  FROM wallet.idempotency i
 WHERE i.account_id = t.account_id AND i.command = 'transfer' AND i.key = t.transfer_id;

-- Admin adjustments get a record of their own (they had only their idempotency row).
CREATE TABLE wallet.adjustment (
    account_id     text        NOT NULL,
    adjustment_id  text        NOT NULL,
    bucket_type    text        NOT NULL,
    amount         bigint      NOT NULL CHECK (amount <> 0),
    reason         text        NOT NULL,
    txn_id         bigint      NOT NULL,
    -- The answer's balance after: the bucket once the adjustment and any auto-completion it
    -- caused are done (a release may sweep the bucket it credited).
    balance_after  bigint      NOT NULL,
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, adjustment_id)
);
INSERT INTO wallet.adjustment (account_id, adjustment_id, bucket_type, amount, reason, txn_id, balance_after, created_by, created_at)
SELECT t.account_id, substr(t.ref, 12), t.targets[1], t.amounts[1],
       coalesce((SELECT a.reason FROM wallet.audit_log a
                  WHERE a.action = 'adjustment.apply' AND a.detail->>'txn_id' = t.txn_id::text LIMIT 1), ''),
       t.txn_id, t.balances_after[1], t.actor, t.created_at
  FROM wallet.ledger_txn t
 WHERE t.kind = 'ADJUSTMENT' AND t.ref LIKE 'adjustment:%';

-- A reversal's key and time are its record's.
ALTER TABLE wallet.coupon ADD COLUMN reversed_at timestamptz;
ALTER TABLE wallet.promotion_credit ADD COLUMN reversed_at timestamptz;
UPDATE wallet.coupon c SET reversal_id = r.key, reversed_at = r.created_at
  FROM (SELECT DISTINCT ON (account_id, response->>'coupon_id') account_id, response->>'coupon_id' AS coupon_id, key, created_at
          FROM wallet.idempotency WHERE command = 'coupon_reverse'
         ORDER BY account_id, response->>'coupon_id', created_at, key) r
 WHERE c.account_id = r.account_id AND c.coupon_id = r.coupon_id;
UPDATE wallet.promotion_credit c SET reversal_id = r.key, reversed_at = r.created_at
  FROM (SELECT DISTINCT ON (account_id, response->>'credit_id') account_id, response->>'credit_id' AS credit_id, key, created_at
          FROM wallet.idempotency WHERE command = 'promotion_reverse'
         ORDER BY account_id, response->>'credit_id', created_at, key) r
 WHERE c.account_id = r.account_id AND c.credit_id = r.credit_id;

-- Keys that repeated a state change and created no record of their own (a second rollback of
-- a bet, a second reversal of a coupon or credit, under another key): the same key on another
-- target is then a conflict, as it was.
CREATE TABLE wallet.repeat_key (
    account_id  text        NOT NULL,
    command     text        NOT NULL CHECK (command IN ('bet_rollback', 'coupon_reverse', 'promotion_reverse')),
    key         text        NOT NULL,
    target      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, command, key)
);
INSERT INTO wallet.repeat_key (account_id, command, key, target, created_at)
SELECT i.account_id, i.command, i.key, coalesce(i.response->>'bet_id', i.response->>'coupon_id', i.response->>'credit_id'),
       i.created_at
  FROM wallet.idempotency i
 WHERE (i.command = 'bet_rollback'
        AND NOT EXISTS (SELECT 1 FROM wallet.bet b WHERE b.account_id = i.account_id AND b.rollback_id = i.key))
    OR (i.command = 'coupon_reverse'
        AND NOT EXISTS (SELECT 1 FROM wallet.coupon c WHERE c.account_id = i.account_id AND c.reversal_id = i.key))
    OR (i.command = 'promotion_reverse'
        AND NOT EXISTS (SELECT 1 FROM wallet.promotion_credit c WHERE c.account_id = i.account_id AND c.reversal_id = i.key));

DROP TABLE wallet.idempotency;

-- Every caller key the wallet holds, by the command it keyed (for DBAs, and for proving each
-- command applied once): the records themselves, not copies of them.
CREATE VIEW wallet.idempotency AS
SELECT account_id, 'bet_authorize'::text AS command, bet_id AS key, authorized_at AS created_at FROM wallet.bet WHERE NOT tombstone
UNION ALL SELECT account_id, 'bet_settle', settlement_id, settled_at FROM wallet.bet WHERE settlement_id IS NOT NULL
UNION ALL SELECT account_id, 'bet_rollback', rollback_id, rolled_back_at FROM wallet.bet WHERE rollback_id IS NOT NULL
UNION ALL SELECT account_id, 'deposit_create', deposit_id, created_at FROM wallet.deposit
UNION ALL SELECT account_id, 'withdrawal_create', withdrawal_id, created_at FROM wallet.withdrawal
UNION ALL SELECT account_id, 'coupon_grant', coupon_id, granted_at FROM wallet.coupon
UNION ALL SELECT account_id, 'coupon_reverse', reversal_id, reversed_at FROM wallet.coupon WHERE reversal_id IS NOT NULL
UNION ALL SELECT account_id, 'promotion_credit', credit_id, created_at FROM wallet.promotion_credit
UNION ALL SELECT account_id, 'promotion_reverse', reversal_id, reversed_at FROM wallet.promotion_credit WHERE reversal_id IS NOT NULL
UNION ALL SELECT account_id, 'transfer', transfer_id, created_at FROM wallet.transfer
UNION ALL SELECT account_id, 'admin_adjust', adjustment_id, created_at FROM wallet.adjustment
UNION ALL SELECT account_id, command, key, created_at FROM wallet.repeat_key;
