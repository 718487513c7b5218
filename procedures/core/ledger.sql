-- The ledger and balances (SPEC §2, ADR 0001): postings, the one writer of money (_post), and
-- the balance reads every command checks funds with.

-- Posting constructors, so command code reads as what moves where.
CREATE OR REPLACE FUNCTION wallet._bucket(p_bucket_type text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (p_bucket_type, NULL, NULL, p_amount)::wallet.posting $$;

CREATE OR REPLACE FUNCTION wallet._pocket(p_pocket text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (NULL, p_pocket, NULL, p_amount)::wallet.posting $$;

CREATE OR REPLACE FUNCTION wallet._coupon(p_coupon_id text, p_amount bigint)
RETURNS wallet.posting LANGUAGE sql IMMUTABLE AS $$ SELECT (NULL, NULL, p_coupon_id, p_amount)::wallet.posting $$;

-- The one writer of money.  Applies each posting to its bucket (or coupon), then records one
-- ledger transaction whose entries carry the balance after each line.  Zero postings are
-- dropped; a transaction with nothing left is not written (returns NULL).
-- Callers check funds first, so they can answer INSUFFICIENT_FUNDS with the amount available;
-- the bucket CHECK constraint and the sum-to-zero trigger stay as the last line of defence.
-- p_txn_id: the transaction id when the caller took it beforehand (to store it with its record).
-- Call only with the account locked.
CREATE OR REPLACE FUNCTION wallet._post(p_account_id text, p_kind text, p_ref text, p_actor text,
                                        p_postings wallet.posting[], p_topology_version integer DEFAULT NULL,
                                        p_txn_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_postings wallet.posting[];
    v_txn_id bigint;
    v_after bigint[] := '{}'::bigint[];
    v_balance bigint;
    v_p wallet.posting;
BEGIN
    SELECT coalesce(array_agg((u.bucket_type, u.pocket, u.coupon_id, u.amount)::wallet.posting ORDER BY u.n), '{}')
      INTO v_postings
      FROM unnest(coalesce(p_postings, '{}')) WITH ORDINALITY AS u(bucket_type, pocket, coupon_id, amount, n)
     WHERE u.amount <> 0;
    IF coalesce(cardinality(v_postings), 0) = 0 THEN
        RETURN NULL;
    END IF;

    FOREACH v_p IN ARRAY v_postings LOOP
        v_balance := NULL;
        IF v_p.bucket_type IS NOT NULL AND v_p.amount > 0 THEN
            -- Buckets are created lazily, on their first credit.
            INSERT INTO wallet.bucket AS b (account_id, bucket_type, balance)
            VALUES (p_account_id, v_p.bucket_type, v_p.amount)
            ON CONFLICT (account_id, bucket_type) DO UPDATE SET balance = b.balance + excluded.balance
            RETURNING b.balance INTO v_balance;
        ELSIF v_p.bucket_type IS NOT NULL THEN
            UPDATE wallet.bucket SET balance = balance + v_p.amount
             WHERE account_id = p_account_id AND bucket_type = v_p.bucket_type
            RETURNING balance INTO v_balance;
            IF v_balance IS NULL THEN
                PERFORM wallet._fail('INSUFFICIENT_FUNDS',
                    format('bucket %s holds nothing to debit', v_p.bucket_type),
                    jsonb_build_object('bucket_type', v_p.bucket_type, 'available', 0));
            END IF;
        ELSIF v_p.coupon_id IS NOT NULL THEN
            UPDATE wallet.coupon SET remaining = remaining + v_p.amount
             WHERE account_id = p_account_id AND coupon_id = v_p.coupon_id
            RETURNING remaining INTO v_balance;
            IF v_balance IS NULL THEN
                RAISE EXCEPTION 'wallet._post: coupon % of account % does not exist', v_p.coupon_id, p_account_id;
            END IF;
        END IF;
        v_after := v_after || v_balance;
    END LOOP;

    v_txn_id := coalesce(p_txn_id, nextval('wallet.ledger_txn_id_seq'));
    INSERT INTO wallet.ledger_txn (account_id, txn_id, kind, ref, actor, topology_version)
    VALUES (p_account_id, v_txn_id, p_kind, p_ref, p_actor, p_topology_version);

    INSERT INTO wallet.ledger_entry (account_id, txn_id, entry_no, bucket_type, pocket, coupon_id, amount, balance_after)
    SELECT p_account_id, v_txn_id, u.n, u.bucket_type, u.pocket, u.coupon_id, u.amount, v_after[u.n]
      FROM unnest(v_postings) WITH ORDINALITY AS u(bucket_type, pocket, coupon_id, amount, n);

    RETURN v_txn_id;
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
      JOIN wallet.bucket_type bt ON bt.topology_version = wallet._active_topology() AND bt.code = b.bucket_type
     WHERE b.account_id = p_account_id AND bt.wallet_group = p_group AND bt.kind = p_kind);
END
$$;
