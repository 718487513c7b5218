-- The named business rules every domain asks the same question with (SPEC §2, §5a).  Each is
-- written once, here; a copy of one of these conditions anywhere else is a bug.  pgTAP:
-- tests/sql/pgtap/03_rules.sql.

-- A pro-rata amount, floor(p_amount × p_part / p_whole), exactly, for p_whole > 0 (SPEC §4 and
-- §5a round every share, rate and requirement of minor units this way).  The dividend carries
-- 20 decimals into the division: PostgreSQL gives a numeric quotient at least as many decimals
-- as its dividend has, and no fraction of a divisor below 2^63 comes within 10^-20 of 0 or 1, so
-- the floor is the exact one.  Not `floor(p_amount::numeric * p_part / p_whole)`: there a
-- quotient got only as many decimals as make 16 significant digits (four for 13 to 16 digits,
-- none past that), rounded, so its floor or ceiling could be one off (a payout of
-- 99,999,999,999,999,998 split over three sources of 1 gave shares summing one over it; moving
-- 999,999,999,999,999 of a group's 10^15 moved one short of an obligation of as much).
-- One expression of a few nodes, like the one it replaces: PL/pgSQL readies a command's
-- expressions once a transaction, and an exact integer form with a numeric fallback cost a
-- settle 3.6% more instructions (bench/instructions, docs/benchmarks.md).
-- Locks: nothing.  Raises: division_by_zero when p_whole is 0.  Writes: nothing (pure).
CREATE OR REPLACE FUNCTION wallet._pro_rata_floor(p_amount bigint, p_part bigint, p_whole bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT floor(p_amount::numeric(39, 20) * p_part / p_whole)::bigint
$$;

-- The same rounded up: ceil(p_amount × p_part / p_whole), exactly, for p_whole > 0.
-- Locks: nothing.  Raises: division_by_zero when p_whole is 0.  Writes: nothing (pure).
CREATE OR REPLACE FUNCTION wallet._pro_rata_ceil(p_amount bigint, p_part bigint, p_whole bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT ceil(p_amount::numeric(39, 20) * p_part / p_whole)::bigint
$$;

-- A caller id or key (player_id, bet_id, deposit_id, …; SPEC §2): 1–128 printable ASCII
-- characters other than `/`, and neither `.` nor `..`.  Every id must come back through a URL
-- path segment: a `/` would split it, and `.`/`..` are dot-segments that clients and proxies
-- remove before the wallet sees the path (docs/adr/0004-core-layer-schemas-and-roles.md).
-- The API's msgspec pattern says the same in one regular expression with a lookahead
-- (ruby_wallet.routes._common.KEY_PATTERN); PostgreSQL's regex engine takes ~23 µs a match for
-- that form and ~0.5 µs for this one, and every command checks two or three keys.
-- tests/sql/test_key_rule.py proves both accept and refuse exactly the same ids.
CREATE OR REPLACE FUNCTION wallet._key_ok(p_key text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_key IS NOT NULL AND p_key ~ '^[!-.0-~]+$' AND length(p_key) <= 128 AND p_key NOT IN ('.', '..')
$$;

-- What a refusal of a caller key says, in every command.
CREATE OR REPLACE FUNCTION wallet._key_rule()
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'must be 1 to 128 printable ASCII characters other than /, and not . or ..'::text
$$;

-- The checks every command makes on its caller keys, amounts and reasons, with one wording.
CREATE OR REPLACE FUNCTION wallet._check_key(p_errors jsonb, p_key text, p_path text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check(p_errors, wallet._key_ok(p_key), p_path, wallet._key_rule())
$$;

-- Amounts a command moves: 1 to 10^15 minor units.
CREATE OR REPLACE FUNCTION wallet._amount_ok(p_amount bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_amount BETWEEN 1 AND 1000000000000000
$$;

CREATE OR REPLACE FUNCTION wallet._check_amount(p_errors jsonb, p_amount bigint, p_path text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT wallet._check(p_errors, wallet._amount_ok(p_amount), p_path, 'must be an integer from 1 to 10^15')
$$;

-- A provider type code as a request names one: a capital letter, then capitals, digits and
-- underscores, at most 32 characters.
CREATE OR REPLACE FUNCTION wallet._provider_type_code_ok(p_code text)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_code ~ '^[A-Z][A-Z0-9_]*$' AND length(p_code) <= 32
$$;

-- A reason an operator must give (admin decisions, rejections, waivers): not blank, at most
-- 1000 characters.  p_required false: a reason may be left out, but not be longer.
CREATE OR REPLACE FUNCTION wallet._check_reason(p_errors jsonb, p_reason text, p_required boolean DEFAULT true)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_reason IS NULL AND NOT p_required THEN p_errors
                WHEN length(trim(p_reason)) = 0 OR p_reason IS NULL THEN wallet._check(p_errors, false, 'reason', 'is required')
                ELSE wallet._check(p_errors, length(p_reason) <= 1000, 'reason', 'must be at most 1000 characters') END
$$;

-- Who a command is recorded as done by: the caller's name (the API passes its key's name), or
-- for a DBA in psql who passes none, `db:<session user>`.
CREATE OR REPLACE FUNCTION wallet._actor(p_actor text)
RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(p_actor, 'db:' || session_user)
$$;

-- A usable coupon: ACTIVE and not expired.  It may fund a bet (its restrictions permitting),
-- the player snapshot offers it, the liability views count it.  Takes the columns it reads, not
-- the coupon's row: on Citus a query over the coupon table runs on a shard, whose rows are of
-- the shard's row type, and no function of wallet.coupon matches them (docs/scaling.md C26).
CREATE OR REPLACE FUNCTION wallet._coupon_usable(p_status text, p_expires_at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_status = 'ACTIVE' AND (p_expires_at IS NULL OR p_expires_at > now())
$$;

-- A coupon that holds money: usable, with something left.  Such a coupon keeps an account
-- from closing and a topology version that would strand its group from activating.
CREATE OR REPLACE FUNCTION wallet._coupon_holds_money(p_status text, p_expires_at timestamptz, p_remaining bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT wallet._coupon_usable(p_status, p_expires_at) AND p_remaining > 0
$$;

-- The wallet groups whose CASH an active DEPOSIT obligation locks (SPEC §5a): their CASH is
-- not withdrawable.  The one place the rule is written; callers ask it once, then use the list
-- inside their own statements: on Citus no statement over a shard may call a function that
-- reads a table (docs/scaling.md C6).
CREATE OR REPLACE FUNCTION wallet._deposit_locked_groups(p_account_id text)
RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN ARRAY(SELECT DISTINCT wallet_group FROM wallet.rolling_obligation
                  WHERE account_id = p_account_id AND kind = 'DEPOSIT' AND status = 'ACTIVE');
END
$$;

-- True while the group has an active DEPOSIT obligation: its CASH is not withdrawable.
CREATE OR REPLACE FUNCTION wallet._group_cash_locked(p_account_id text, p_group text)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN p_group = ANY (wallet._deposit_locked_groups(p_account_id));
END
$$;

-- Withdrawable money (SPEC §5a), bucket by bucket in the order a withdrawal takes it: the
-- WITHDRAWABLE bucket, then the CASH buckets of groups with no active DEPOSIT obligation, in
-- topology order.  (The balance is cast to the declared bigint: its column is of the domain
-- wallet.bucket_balance, and RETURN QUERY takes no implicit cast.)
CREATE OR REPLACE FUNCTION wallet._withdrawable_buckets(p_account_id text)
RETURNS TABLE (bucket_type text, balance bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_locked text[] := wallet._deposit_locked_groups(p_account_id);
BEGIN
    RETURN QUERY
        SELECT b.bucket_type, b.balance::bigint
          FROM wallet.bucket b
          JOIN wallet.topology_version t ON t.status = 'ACTIVE'
          JOIN wallet.bucket_type bt ON bt.topology_version = t.version AND bt.code = b.bucket_type
         WHERE b.account_id = p_account_id AND b.balance > 0
           AND (bt.kind = 'WITHDRAWABLE' OR (bt.kind = 'CASH' AND NOT bt.wallet_group = ANY (v_locked)))
         ORDER BY bt.kind <> 'WITHDRAWABLE', bt.position;
END
$$;

-- The withdrawable amount: the sum of wallet._withdrawable_buckets.
CREATE OR REPLACE FUNCTION wallet._withdrawable(p_account_id text)
RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(sum(balance), 0)::bigint FROM wallet._withdrawable_buckets(p_account_id));
END
$$;
