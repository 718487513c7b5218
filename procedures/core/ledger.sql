-- The ledger and balances (SPEC §2, ADR 0001): postings, the one writer of money (_post), and
-- the balance reads every command checks funds with.

-- Posting constructors, so command code reads as what moves where.
CREATE OR REPLACE FUNCTION wallet._bucket(p_bucket_type text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (p_bucket_type, NULL, NULL, p_amount)::wallet.posting $$;

CREATE OR REPLACE FUNCTION wallet._pocket(p_pocket text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (NULL, p_pocket, NULL, p_amount)::wallet.posting $$;

CREATE OR REPLACE FUNCTION wallet._coupon(p_coupon_id text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (NULL, NULL, p_coupon_id, p_amount)::wallet.posting $$;

-- The most a bucket may hold (SPEC §2): 10^17 minor units.
CREATE OR REPLACE FUNCTION wallet._bucket_ceiling()
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 100000000000000000::bigint $$;

-- How a ledger entry names what a posting moves: the bucket type, 'coupon:' and the coupon id,
-- or '@' and the pocket.
CREATE OR REPLACE FUNCTION wallet._entry_target(p wallet.posting)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p.bucket_type IS NOT NULL THEN p.bucket_type
                WHEN p.coupon_id IS NOT NULL THEN 'coupon:' || p.coupon_id
                ELSE '@' || p.pocket END
$$;

-- Whether an entry's target (wallet._entry_target) is a bucket type, not a pocket or a coupon.
-- Prefix tests, not a pattern: settlement answers ask it of every entry (a regular expression
-- here cost a batch settlement about 0.5% of its instructions, callgrind 2026-12-03).
CREATE OR REPLACE FUNCTION wallet._target_is_bucket(p_target text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT NOT (starts_with(p_target, '@') OR starts_with(p_target, 'coupon:'))
$$;

-- The one writer of money.  Applies each posting to its bucket (or coupon), in order, and
-- records one ledger transaction: one row holding every entry (target, amount, balance after),
-- whose row CHECK (wallet._ledger_entries_valid, migration 0005) refuses a transaction that does
-- not sum to zero.  A bucket is created by its first credit.  Zero postings are dropped; a
-- transaction with nothing left is not written (returns NULL).  A posting's target appears once
-- (callers net their postings per target).  Returns the ledger row written: its txn_id, and each
-- entry's balance after for callers that answer with one.
-- Callers check funds first, so they can answer INSUFFICIENT_FUNDS with the amount available;
-- the rules of the balance's domain (wallet.bucket_balance: 0 to 10^17) stay as the last line of defence.
-- p_txn_id: the transaction id when the caller took it beforehand (to store it with its record).
-- Call only with the account locked.
-- Raises BALANCE_LIMIT_EXCEEDED (a credit past the bucket ceiling of 10^17, SPEC §2),
-- INSUFFICIENT_FUNDS (a debit of a bucket never credited).
CREATE OR REPLACE FUNCTION wallet._post(p_account_id text, p_kind text, p_ref text, p_actor text,
                                        p_postings wallet.posting[], p_topology_version integer DEFAULT NULL,
                                        p_txn_id bigint DEFAULT NULL)
RETURNS wallet.ledger_txn
LANGUAGE plpgsql AS $$
DECLARE
    v_txn wallet.ledger_txn;
    v_targets text[] := '{}'::text[];
    v_amounts bigint[] := '{}'::bigint[];
    v_after bigint[] := '{}'::bigint[];
    v_balance bigint;
    v_p wallet.posting;
BEGIN
    FOREACH v_p IN ARRAY coalesce(p_postings, '{}'::wallet.posting[]) LOOP
        CONTINUE WHEN v_p.amount = 0;
        v_balance := NULL;
        IF v_p.bucket_type IS NOT NULL THEN
            UPDATE wallet.bucket SET balance = balance + v_p.amount
             WHERE account_id = p_account_id AND bucket_type = v_p.bucket_type
               AND balance + v_p.amount <= wallet._bucket_ceiling()
            RETURNING balance INTO v_balance;
            IF NOT FOUND THEN
                PERFORM wallet._bucket_not_moved(p_account_id, v_p.bucket_type, v_p.amount);
                INSERT INTO wallet.bucket (account_id, bucket_type, balance) VALUES (p_account_id, v_p.bucket_type, v_p.amount)
                RETURNING balance INTO v_balance;
            END IF;
        ELSIF v_p.coupon_id IS NOT NULL THEN
            UPDATE wallet.coupon SET remaining = remaining + v_p.amount
             WHERE account_id = p_account_id AND coupon_id = v_p.coupon_id
            RETURNING remaining INTO v_balance;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'wallet._post: coupon % of account % does not exist', v_p.coupon_id, p_account_id;
            END IF;
        END IF;
        v_targets := v_targets || wallet._entry_target(v_p);
        v_amounts := v_amounts || v_p.amount;
        v_after := v_after || v_balance;
    END LOOP;
    IF cardinality(v_targets) = 0 THEN
        RETURN NULL;
    END IF;
    INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, topology_version, targets, amounts, balances_after)
    VALUES (p_account_id, coalesce(p_txn_id, nextval('wallet.ledger_txn_id_seq')), p_kind, p_ref, p_actor, p_topology_version,
            v_targets, v_amounts, v_after)
    RETURNING * INTO v_txn;
    RETURN v_txn;
END
$$;

-- Why wallet._post's UPDATE of a bucket moved nothing: the bucket does not exist yet (a credit
-- creates it: returns), or a credit would take it past the ceiling (BALANCE_LIMIT_EXCEEDED), or
-- a debit finds no money (INSUFFICIENT_FUNDS).  Off the path of every command that succeeds.
CREATE OR REPLACE FUNCTION wallet._bucket_not_moved(p_account_id text, p_bucket_type text, p_amount bigint)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_balance bigint;
BEGIN
    SELECT balance INTO v_balance FROM wallet.bucket WHERE account_id = p_account_id AND bucket_type = p_bucket_type;
    IF p_amount > 0 AND coalesce(v_balance, 0) + p_amount > wallet._bucket_ceiling() THEN
        PERFORM wallet._fail('BALANCE_LIMIT_EXCEEDED',
            format('bucket %s holds %s: a credit of %s would take it past 10^17', p_bucket_type, coalesce(v_balance, 0), p_amount),
            jsonb_build_object('bucket_type', p_bucket_type, 'balance', coalesce(v_balance, 0), 'requested', p_amount,
                               'room', wallet._bucket_ceiling() - coalesce(v_balance, 0)));
    ELSIF p_amount < 0 THEN
        PERFORM wallet._fail('INSUFFICIENT_FUNDS', format('bucket %s holds %s, cannot debit %s', p_bucket_type,
                             coalesce(v_balance, 0), -p_amount),
                             jsonb_build_object('bucket_type', p_bucket_type, 'available', coalesce(v_balance, 0)));
    ELSIF v_balance IS NOT NULL THEN
        RAISE EXCEPTION 'wallet._post: bucket % of account % was not moved', p_bucket_type, p_account_id;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION wallet._balance(p_account_id text, p_bucket_type text)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce((SELECT balance FROM wallet.bucket WHERE account_id = p_account_id AND bucket_type = p_bucket_type), 0));
END
$$;

-- The group's balance in buckets of one kind under the active topology.
CREATE OR REPLACE FUNCTION wallet._group_balance(p_account_id text, p_group text, p_kind text)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(b.balance), 0)::bigint FROM wallet.bucket b
      JOIN wallet.topology_version t ON t.status = 'ACTIVE'
      JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = b.bucket_type
     WHERE b.account_id = p_account_id AND bt.wallet_group = p_group AND bt.kind = p_kind);
END
$$;
