-- The schema of a migrated database (python -m tests.support.schema_snapshot writes it).

--
-- Name: admin; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA admin;


ALTER SCHEMA admin OWNER TO wallet_owner;

--
-- Name: analytics; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA analytics;


ALTER SCHEMA analytics OWNER TO wallet_owner;

--
-- Name: api; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA api;


ALTER SCHEMA api OWNER TO wallet_owner;

--
-- Name: casino; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA casino;


ALTER SCHEMA casino OWNER TO wallet_owner;

--
-- Name: events; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA events;


ALTER SCHEMA events OWNER TO wallet_owner;

--
-- Name: game; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA game;


ALTER SCHEMA game OWNER TO wallet_owner;

--
-- Name: ops; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA ops;


ALTER SCHEMA ops OWNER TO wallet_owner;

--
-- Name: payments; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA payments;


ALTER SCHEMA payments OWNER TO wallet_owner;

--
-- Name: player; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA player;


ALTER SCHEMA player OWNER TO wallet_owner;

--
-- Name: promotion; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA promotion;


ALTER SCHEMA promotion OWNER TO wallet_owner;

--
-- Name: wallet; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA wallet;


ALTER SCHEMA wallet OWNER TO wallet_owner;

--
-- Name: wallet_meta; Type: SCHEMA; Schema: -; Owner: wallet_owner
--
CREATE SCHEMA wallet_meta;


ALTER SCHEMA wallet_meta OWNER TO wallet_owner;

--
-- Name: bucket_balance; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.bucket_balance AS bigint
	CONSTRAINT bucket_balance_ceiling CHECK ((VALUE <= '100000000000000000'::bigint))
	CONSTRAINT bucket_balance_non_negative CHECK ((VALUE >= 0));


ALTER DOMAIN wallet.bucket_balance OWNER TO wallet_owner;

--
-- Name: deposit_status; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.deposit_status AS text
	CONSTRAINT deposit_status_known CHECK ((VALUE = ANY (ARRAY['PENDING'::text, 'APPROVED'::text, 'REJECTED'::text])));


ALTER DOMAIN wallet.deposit_status OWNER TO wallet_owner;

--
-- Name: fund_available; Type: TYPE; Schema: wallet; Owner: wallet_owner
--
CREATE TYPE wallet.fund_available AS (
	source text,
	kind text,
	available bigint,
	eligible boolean
);


ALTER TYPE wallet.fund_available OWNER TO wallet_owner;

--
-- Name: fund_source; Type: TYPE; Schema: wallet; Owner: wallet_owner
--
CREATE TYPE wallet.fund_source AS (
	source text,
	kind text,
	amount bigint
);


ALTER TYPE wallet.fund_source OWNER TO wallet_owner;

--
-- Name: non_negative_amount; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.non_negative_amount AS bigint
	CONSTRAINT non_negative_amount_not_below_zero CHECK ((VALUE >= 0));


ALTER DOMAIN wallet.non_negative_amount OWNER TO wallet_owner;

--
-- Name: positive_amount; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.positive_amount AS bigint
	CONSTRAINT positive_amount_above_zero CHECK ((VALUE > 0));


ALTER DOMAIN wallet.positive_amount OWNER TO wallet_owner;

--
-- Name: posting; Type: TYPE; Schema: wallet; Owner: wallet_owner
--
CREATE TYPE wallet.posting AS (
	bucket_type text,
	pocket text,
	coupon_id text,
	amount bigint
);


ALTER TYPE wallet.posting OWNER TO wallet_owner;

--
-- Name: rolling_obligation_kind; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.rolling_obligation_kind AS text
	CONSTRAINT rolling_obligation_kind_known CHECK ((VALUE = ANY (ARRAY['DEPOSIT'::text, 'BONUS'::text])));


ALTER DOMAIN wallet.rolling_obligation_kind OWNER TO wallet_owner;

--
-- Name: rolling_obligation_source; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.rolling_obligation_source AS text
	CONSTRAINT rolling_obligation_source_known CHECK ((VALUE = ANY (ARRAY['deposit'::text, 'coupon'::text, 'credit'::text, 'transfer'::text])));


ALTER DOMAIN wallet.rolling_obligation_source OWNER TO wallet_owner;

--
-- Name: rolling_obligation_status; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.rolling_obligation_status AS text
	CONSTRAINT rolling_obligation_status_known CHECK ((VALUE = ANY (ARRAY['ACTIVE'::text, 'COMPLETED'::text, 'WAIVED'::text, 'CANCELLED'::text])));


ALTER DOMAIN wallet.rolling_obligation_status OWNER TO wallet_owner;

--
-- Name: rolling_share; Type: TYPE; Schema: wallet; Owner: wallet_owner
--
CREATE TYPE wallet.rolling_share AS (
	moved_base bigint,
	moved_required bigint
);


ALTER TYPE wallet.rolling_share OWNER TO wallet_owner;

--
-- Name: settle_share; Type: TYPE; Schema: wallet; Owner: wallet_owner
--
CREATE TYPE wallet.settle_share AS (
	source text,
	destination text,
	share bigint,
	credit bigint,
	withheld bigint
);


ALTER TYPE wallet.settle_share OWNER TO wallet_owner;

--
-- Name: settle_source; Type: TYPE; Schema: wallet; Owner: wallet_owner
--
CREATE TYPE wallet.settle_source AS (
	source text,
	kind text,
	amount bigint,
	destination text,
	stake_returned boolean
);


ALTER TYPE wallet.settle_source OWNER TO wallet_owner;

--
-- Name: withdrawal_status; Type: DOMAIN; Schema: wallet; Owner: wallet_owner
--
CREATE DOMAIN wallet.withdrawal_status AS text
	CONSTRAINT withdrawal_status_known CHECK ((VALUE = ANY (ARRAY['PENDING'::text, 'PAID'::text, 'REJECTED'::text])));


ALTER DOMAIN wallet.withdrawal_status OWNER TO wallet_owner;

--
-- Name: bucket_type; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.bucket_type (
    topology_version integer NOT NULL,
    code text NOT NULL,
    kind text NOT NULL,
    wallet_group text,
    "position" integer NOT NULL,
    bettable boolean NOT NULL,
    withdrawable boolean NOT NULL,
    accepts_deposit boolean NOT NULL,
    accepts_winnings boolean NOT NULL,
    CONSTRAINT bucket_type_kind_known CHECK ((kind = ANY (ARRAY['CASH'::text, 'BONUS'::text, 'POINTS'::text, 'WITHDRAWABLE'::text])))
);


ALTER TABLE wallet.bucket_type OWNER TO wallet_owner;

--
-- Name: group_policy; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.group_policy (
    wallet_group text NOT NULL,
    version integer NOT NULL,
    status text DEFAULT 'DRAFT'::text NOT NULL,
    document jsonb NOT NULL,
    topology_version integer NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    activated_by text,
    activated_at timestamp with time zone,
    deposit_rolling_bps integer NOT NULL,
    auto_complete_below bigint NOT NULL,
    transfer_min bigint,
    transfer_max bigint,
    rolling_inheritance text NOT NULL,
    arrival_rolling_bps integer NOT NULL,
    conversion_bucket_type text NOT NULL,
    promo_payout_bucket_type text,
    promo_payout_rolling_multiplier integer DEFAULT 0 NOT NULL,
    CONSTRAINT group_policy_arrival_rolling_bps_check CHECK ((arrival_rolling_bps >= 0)),
    CONSTRAINT group_policy_auto_complete_below_check CHECK ((auto_complete_below >= 0)),
    CONSTRAINT group_policy_deposit_rolling_bps_check CHECK ((deposit_rolling_bps >= 0)),
    CONSTRAINT group_policy_promo_multiplier_range CHECK (((promo_payout_rolling_multiplier >= 0) AND (promo_payout_rolling_multiplier <= 1000))),
    CONSTRAINT group_policy_rolling_inheritance_check CHECK ((rolling_inheritance = ANY (ARRAY['PROPORTIONAL'::text, 'NONE'::text]))),
    CONSTRAINT group_policy_status_known CHECK ((status = ANY (ARRAY['DRAFT'::text, 'ACTIVE'::text, 'RETIRED'::text]))),
    CONSTRAINT group_policy_transfer_max_check CHECK ((transfer_max > 0)),
    CONSTRAINT group_policy_transfer_min_check CHECK ((transfer_min > 0))
);
ALTER TABLE ONLY wallet.group_policy ALTER COLUMN document SET COMPRESSION lz4;


ALTER TABLE wallet.group_policy OWNER TO wallet_owner;

--
-- Name: adjustment; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.adjustment (
    account_id text NOT NULL,
    adjustment_id text NOT NULL,
    bucket_type text NOT NULL,
    amount bigint NOT NULL,
    reason text NOT NULL,
    txn_id bigint NOT NULL,
    balance_after bigint NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT adjustment_amount_check CHECK ((amount <> 0))
);


ALTER TABLE wallet.adjustment OWNER TO wallet_owner;

--
-- Name: _array_sum(bigint[]); Type: FUNCTION; Schema: wallet; Owner: wallet_owner
--
CREATE FUNCTION wallet._array_sum(p bigint[]) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    AS $$
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


ALTER FUNCTION wallet._array_sum(p bigint[]) OWNER TO wallet_owner;

--
-- Name: _bet_row_valid(text, boolean, bigint, numeric, text, bigint, integer, text, integer, bigint, text[], text[], bigint[], text[], boolean[]); Type: FUNCTION; Schema: wallet; Owner: wallet_owner
--
CREATE FUNCTION wallet._bet_row_valid(p_status text, p_tombstone boolean, p_stake bigint, p_odds numeric, p_result text, p_payout bigint, p_topology_version integer, p_wallet_group text, p_policy_version integer, p_settle_txn_id bigint, p_sources text[], p_source_kinds text[], p_source_amounts bigint[], p_destinations text[], p_stakes_returned boolean[]) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    RETURN (p_status IN ('AUTHORIZED', 'SETTLED', 'ROLLED_BACK')) IS NOT FALSE
       AND (p_stake >= 0) IS NOT FALSE
       AND (p_odds >= 1) IS NOT FALSE
       AND (p_result IN ('WIN', 'LOSS', 'VOID', 'CASHOUT')) IS NOT FALSE
       AND (p_payout >= 0) IS NOT FALSE
       AND (NOT p_tombstone OR (p_status = 'ROLLED_BACK' AND p_stake = 0)) IS NOT FALSE
       AND (p_tombstone OR (p_stake > 0 AND p_topology_version IS NOT NULL AND p_wallet_group IS NOT NULL
                            AND p_policy_version IS NOT NULL)) IS NOT FALSE
       AND ((p_status = 'SETTLED') <= (p_result IS NOT NULL AND p_settle_txn_id IS NOT NULL)) IS NOT FALSE
       AND (cardinality(p_source_kinds) = cardinality(p_sources) AND cardinality(p_source_amounts) = cardinality(p_sources)
            AND cardinality(p_destinations) = cardinality(p_sources) AND cardinality(p_stakes_returned) = cardinality(p_sources)
            AND 0 < ALL (p_source_amounts)
            AND p_source_kinds <@ ARRAY['CASH', 'BONUS', 'WITHDRAWABLE', 'COUPON']) IS NOT FALSE
       AND (wallet._array_sum(p_source_amounts) = p_stake) IS NOT FALSE;
END
$$;


ALTER FUNCTION wallet._bet_row_valid(p_status text, p_tombstone boolean, p_stake bigint, p_odds numeric, p_result text, p_payout bigint, p_topology_version integer, p_wallet_group text, p_policy_version integer, p_settle_txn_id bigint, p_sources text[], p_source_kinds text[], p_source_amounts bigint[], p_destinations text[], p_stakes_returned boolean[]) OWNER TO wallet_owner;

--
-- Name: bet; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.bet (
    account_id text NOT NULL,
    bet_id text NOT NULL,
    status text NOT NULL,
    tombstone boolean DEFAULT false NOT NULL,
    provider_type text,
    provider_id text,
    stake bigint NOT NULL,
    odds numeric,
    selected_source text,
    topology_version integer,
    wallet_group text,
    policy_version integer,
    rolling_bps integer,
    rolling_min_odds numeric,
    rolling_void_counts boolean,
    authorized_at timestamp with time zone,
    authorize_txn_id bigint,
    result text,
    payout bigint,
    settlement_id text,
    settled_at timestamp with time zone,
    settle_txn_id bigint,
    rollback_id text,
    rolled_back_at timestamp with time zone,
    rollback_result jsonb,
    sources text[] NOT NULL,
    source_kinds text[] NOT NULL,
    source_amounts bigint[] NOT NULL,
    destinations text[] NOT NULL,
    stakes_returned boolean[] NOT NULL,
    settle_rolling jsonb,
    CONSTRAINT bet_row_valid CHECK (wallet._bet_row_valid(status, tombstone, stake, odds, result, payout, topology_version, wallet_group, policy_version, settle_txn_id, sources, source_kinds, source_amounts, destinations, stakes_returned))
);
ALTER TABLE ONLY wallet.bet ALTER COLUMN rollback_result SET COMPRESSION lz4;
ALTER TABLE ONLY wallet.bet ALTER COLUMN settle_rolling SET COMPRESSION lz4;


ALTER TABLE wallet.bet OWNER TO wallet_owner;

--
-- Name: account; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.account (
    account_id text NOT NULL,
    currency text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT account_currency_shape CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT account_status_known CHECK ((status = ANY (ARRAY['active'::text, 'frozen'::text, 'closed'::text])))
);


ALTER TABLE wallet.account OWNER TO wallet_owner;

--
-- Name: casino_transaction_id_seq; Type: SEQUENCE; Schema: wallet; Owner: wallet_owner
--
CREATE SEQUENCE wallet.casino_transaction_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE wallet.casino_transaction_id_seq OWNER TO wallet_owner;

--
-- Name: casino_transaction; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.casino_transaction (
    account_id text NOT NULL,
    transaction_id bigint DEFAULT nextval('wallet.casino_transaction_id_seq'::regclass) NOT NULL,
    provider text NOT NULL,
    transaction_type text NOT NULL,
    provider_transaction_id text NOT NULL,
    provider_bet_ref text,
    provider_game_id text,
    provider_round_id text,
    currency text NOT NULL,
    cash bigint NOT NULL,
    bonus bigint NOT NULL,
    promo bigint NOT NULL,
    is_game_over boolean NOT NULL,
    transaction_at timestamp with time zone NOT NULL,
    outcome text NOT NULL,
    bet_id text,
    state text,
    cancelled_by bigint,
    credit_id text,
    effects jsonb,
    details jsonb,
    correlation_id text,
    actor text NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT casino_transaction_bonus_check CHECK ((bonus >= 0)),
    CONSTRAINT casino_transaction_cash_check CHECK ((cash >= 0)),
    CONSTRAINT casino_transaction_outcome_known CHECK ((outcome = ANY (ARRAY['APPLIED'::text, 'CANCEL_NOT_FOUND'::text]))),
    CONSTRAINT casino_transaction_promo_check CHECK ((promo >= 0)),
    CONSTRAINT casino_transaction_state_known CHECK ((state = ANY (ARRAY['OPEN'::text, 'SETTLED'::text, 'CANCELLED'::text]))),
    CONSTRAINT casino_transaction_type_known CHECK ((transaction_type = ANY (ARRAY['DEPOSIT'::text, 'WITHDRAW'::text, 'CANCEL'::text, 'PROMODEPOSIT'::text, 'PROMOWITHDRAW'::text, 'PROMOCANCEL'::text]))),
    CONSTRAINT casino_transaction_withdraws_have_state CHECK (((transaction_type = ANY (ARRAY['WITHDRAW'::text, 'PROMOWITHDRAW'::text])) = (state IS NOT NULL)))
);
ALTER TABLE ONLY wallet.casino_transaction ALTER COLUMN effects SET COMPRESSION lz4;
ALTER TABLE ONLY wallet.casino_transaction ALTER COLUMN details SET COMPRESSION lz4;


ALTER TABLE wallet.casino_transaction OWNER TO wallet_owner;

--
-- Name: game_session_id_seq; Type: SEQUENCE; Schema: wallet; Owner: wallet_owner
--
CREATE SEQUENCE wallet.game_session_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE wallet.game_session_id_seq OWNER TO wallet_owner;

--
-- Name: game_session; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.game_session (
    account_id text NOT NULL,
    session_id bigint DEFAULT nextval('wallet.game_session_id_seq'::regclass) NOT NULL,
    token_sha256 bytea NOT NULL,
    provider text NOT NULL,
    game_id text,
    country text NOT NULL,
    language text NOT NULL,
    ttl_seconds integer NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    refreshes integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text NOT NULL,
    refreshed_at timestamp with time zone,
    refreshed_by text,
    CONSTRAINT game_session_country_shape CHECK ((country ~ '^[A-Z]{2}$'::text)),
    CONSTRAINT game_session_game_shape CHECK ((game_id ~ '^.{1,40}$'::text)),
    CONSTRAINT game_session_language_shape CHECK ((language ~ '^[a-z]{2}$'::text)),
    CONSTRAINT game_session_token_is_sha256 CHECK ((length(token_sha256) = 32)),
    CONSTRAINT game_session_ttl_range CHECK (((ttl_seconds >= 60) AND (ttl_seconds <= 86400)))
);


ALTER TABLE wallet.game_session OWNER TO wallet_owner;

--
-- Name: _coupon_row_valid(bigint, bigint, text, text[], numeric, bigint, integer, bigint); Type: FUNCTION; Schema: wallet; Owner: wallet_owner
--
CREATE FUNCTION wallet._coupon_row_valid(p_amount bigint, p_remaining bigint, p_status text, p_provider_types text[], p_min_odds numeric, p_max_stake bigint, p_rolling_multiplier integer, p_expired bigint) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    RETURN (p_amount > 0) IS NOT FALSE
       AND (p_remaining >= 0 AND p_remaining <= p_amount) IS NOT FALSE
       AND (p_status IN ('ACTIVE', 'REVERSED', 'EXPIRED')) IS NOT FALSE
       AND (cardinality(p_provider_types) > 0) IS NOT FALSE
       AND (p_min_odds >= 1) IS NOT FALSE
       AND (p_max_stake > 0) IS NOT FALSE
       AND (p_rolling_multiplier >= 0) IS NOT FALSE
       AND (p_expired >= 0) IS NOT FALSE
       AND (p_status <> 'EXPIRED' OR p_remaining = 0) IS NOT FALSE;
END
$$;


ALTER FUNCTION wallet._coupon_row_valid(p_amount bigint, p_remaining bigint, p_status text, p_provider_types text[], p_min_odds numeric, p_max_stake bigint, p_rolling_multiplier integer, p_expired bigint) OWNER TO wallet_owner;

--
-- Name: coupon; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.coupon (
    account_id text NOT NULL,
    coupon_id text NOT NULL,
    amount bigint NOT NULL,
    remaining bigint NOT NULL,
    status text DEFAULT 'ACTIVE'::text NOT NULL,
    provider_types text[] NOT NULL,
    wallet_group text NOT NULL,
    min_odds numeric,
    max_stake bigint,
    expires_at timestamp with time zone,
    stake_returned boolean NOT NULL,
    winnings_bucket_type text,
    rolling_multiplier integer DEFAULT 0 NOT NULL,
    rolling_id bigint,
    topology_version integer NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    granted_by text NOT NULL,
    reversal_result jsonb,
    reversal_id text,
    reversed_at timestamp with time zone,
    expired bigint DEFAULT 0 NOT NULL,
    CONSTRAINT coupon_row_valid CHECK (wallet._coupon_row_valid(amount, remaining, status, provider_types, min_odds, max_stake, rolling_multiplier, expired))
);
ALTER TABLE ONLY wallet.coupon ALTER COLUMN reversal_result SET COMPRESSION lz4;


ALTER TABLE wallet.coupon OWNER TO wallet_owner;

--
-- Name: outbox_event_id_seq; Type: SEQUENCE; Schema: wallet; Owner: wallet_owner
--
CREATE SEQUENCE wallet.outbox_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE wallet.outbox_event_id_seq OWNER TO wallet_owner;

--
-- Name: outbox; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.outbox (
    account_id text NOT NULL,
    event_id bigint DEFAULT nextval('wallet.outbox_event_id_seq'::regclass) NOT NULL,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    delivery_id bigint,
    claimed_by text,
    claimed_at timestamp with time zone,
    published_at timestamp with time zone
);
ALTER TABLE ONLY wallet.outbox ALTER COLUMN payload SET COMPRESSION lz4;


ALTER TABLE wallet.outbox OWNER TO wallet_owner;

--
-- Name: _forbid_change(); Type: FUNCTION; Schema: wallet; Owner: wallet_owner
--
CREATE FUNCTION wallet._forbid_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'RW900';
END
$$;


ALTER FUNCTION wallet._forbid_change() OWNER TO wallet_owner;

--
-- Name: _ledger_entries_well_formed(text[], bigint[], bigint[]); Type: FUNCTION; Schema: wallet; Owner: wallet_owner
--
CREATE FUNCTION wallet._ledger_entries_well_formed(p_targets text[], p_amounts bigint[], p_balances_after bigint[]) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    RETURN (cardinality(p_targets) >= 2 AND cardinality(p_amounts) = cardinality(p_targets)
            AND cardinality(p_balances_after) = cardinality(p_targets)
            AND array_position(p_targets, NULL) IS NULL AND array_position(p_amounts, NULL) IS NULL
            AND array_position(p_amounts, 0::bigint) IS NULL
            AND 0 <= ALL (p_balances_after) AND 100000000000000000 >= ALL (p_balances_after)) IS NOT FALSE;
END
$$;


ALTER FUNCTION wallet._ledger_entries_well_formed(p_targets text[], p_amounts bigint[], p_balances_after bigint[]) OWNER TO wallet_owner;

--
-- Name: ledger_txn_id_seq; Type: SEQUENCE; Schema: wallet; Owner: wallet_owner
--
CREATE SEQUENCE wallet.ledger_txn_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE wallet.ledger_txn_id_seq OWNER TO wallet_owner;

--
-- Name: ledger_txn; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.ledger_txn (
    account_id text NOT NULL,
    txn_id bigint DEFAULT nextval('wallet.ledger_txn_id_seq'::regclass) NOT NULL,
    kind text NOT NULL,
    ref text NOT NULL,
    actor text NOT NULL,
    topology_version integer,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    targets text[] NOT NULL,
    amounts bigint[] NOT NULL,
    balances_after bigint[] NOT NULL,
    CONSTRAINT ledger_txn_entries_shape CHECK (wallet._ledger_entries_well_formed(targets, amounts, balances_after)),
    CONSTRAINT ledger_txn_entries_sum_to_zero CHECK ((wallet._array_sum(amounts) = (0)::numeric)),
    CONSTRAINT ledger_txn_kind_shape CHECK ((kind ~ '^[A-Z_]+$'::text))
);


ALTER TABLE wallet.ledger_txn OWNER TO wallet_owner;

--
-- Name: _promotion_credit_row_valid(text, text, bigint, integer, bigint, bigint); Type: FUNCTION; Schema: wallet; Owner: wallet_owner
--
CREATE FUNCTION wallet._promotion_credit_row_valid(p_kind text, p_status text, p_amount bigint, p_rolling_multiplier integer, p_reversed bigint, p_unrecovered bigint) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    AS $$
BEGIN
    RETURN (p_kind IN ('REBATE', 'CASHBACK', 'LOSSBACK', 'EVENT')) IS NOT FALSE
       AND (p_status IN ('CREDITED', 'REVERSED')) IS NOT FALSE
       AND (p_amount > 0) IS NOT FALSE
       AND (p_rolling_multiplier >= 0) IS NOT FALSE
       AND (p_reversed >= 0) IS NOT FALSE
       AND (p_unrecovered >= 0) IS NOT FALSE
       AND (p_status = 'CREDITED' OR p_reversed + p_unrecovered = p_amount) IS NOT FALSE;
END
$$;


ALTER FUNCTION wallet._promotion_credit_row_valid(p_kind text, p_status text, p_amount bigint, p_rolling_multiplier integer, p_reversed bigint, p_unrecovered bigint) OWNER TO wallet_owner;

--
-- Name: promotion_credit; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.promotion_credit (
    account_id text NOT NULL,
    credit_id text NOT NULL,
    kind text NOT NULL,
    amount bigint NOT NULL,
    bucket_type text NOT NULL,
    rolling_multiplier integer DEFAULT 0 NOT NULL,
    rolling_id bigint,
    status text DEFAULT 'CREDITED'::text NOT NULL,
    reversed bigint,
    unrecovered bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text NOT NULL,
    reversal_result jsonb,
    txn_id bigint,
    reversal_id text,
    reversed_at timestamp with time zone,
    CONSTRAINT promotion_credit_row_valid CHECK (wallet._promotion_credit_row_valid(kind, status, amount, rolling_multiplier, reversed, unrecovered))
);
ALTER TABLE ONLY wallet.promotion_credit ALTER COLUMN reversal_result SET COMPRESSION lz4;


ALTER TABLE wallet.promotion_credit OWNER TO wallet_owner;

--
-- Name: transfer; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.transfer (
    account_id text NOT NULL,
    transfer_id text NOT NULL,
    from_type text NOT NULL,
    to_type text NOT NULL,
    debited wallet.positive_amount NOT NULL,
    credited wallet.positive_amount NOT NULL,
    txn_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text NOT NULL,
    rolling_moved bigint DEFAULT 0 NOT NULL,
    rolling jsonb,
    inherited_rolling_id bigint,
    arrival_rolling_id bigint
);
ALTER TABLE ONLY wallet.transfer ALTER COLUMN rolling SET COMPRESSION lz4;


ALTER TABLE wallet.transfer OWNER TO wallet_owner;

--
-- Name: withdrawal; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.withdrawal (
    account_id text NOT NULL,
    withdrawal_id text NOT NULL,
    amount wallet.positive_amount NOT NULL,
    status wallet.withdrawal_status DEFAULT 'PENDING'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text NOT NULL,
    decided_at timestamp with time zone,
    decided_by text,
    reason text,
    decision jsonb
);
ALTER TABLE ONLY wallet.withdrawal ALTER COLUMN decision SET COMPRESSION lz4;


ALTER TABLE wallet.withdrawal OWNER TO wallet_owner;

--
-- Name: bucket; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.bucket (
    account_id text NOT NULL,
    bucket_type text NOT NULL,
    balance wallet.bucket_balance DEFAULT 0 NOT NULL
);


ALTER TABLE wallet.bucket OWNER TO wallet_owner;

--
-- Name: ledger_entry; Type: VIEW; Schema: wallet; Owner: wallet_owner
--
CREATE VIEW wallet.ledger_entry AS
 SELECT t.account_id,
    t.txn_id,
    (e.entry_no)::smallint AS entry_no,
        CASE
            WHEN (e.target !~ '^(@|coupon:)'::text) THEN e.target
            ELSE NULL::text
        END AS bucket_type,
        CASE
            WHEN (e.target ~~ '@%'::text) THEN substr(e.target, 2)
            ELSE NULL::text
        END AS pocket,
        CASE
            WHEN (e.target ~~ 'coupon:%'::text) THEN substr(e.target, 8)
            ELSE NULL::text
        END AS coupon_id,
    e.amount,
    e.balance_after
   FROM (wallet.ledger_txn t
     CROSS JOIN LATERAL UNNEST(t.targets, t.amounts, t.balances_after) WITH ORDINALITY e(target, amount, balance_after, entry_no));


ALTER TABLE wallet.ledger_entry OWNER TO wallet_owner;

--
-- Name: _reconciliation_checks; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics._reconciliation_checks AS
 SELECT 'bucket_matches_ledger'::text AS check_name,
    x.account_id AS player_id,
    ('bucket:'::text || x.bucket_type) AS subject,
    (sum(x.ledger))::bigint AS expected,
    (sum(x.stored))::bigint AS actual
   FROM ( SELECT ledger_entry.account_id,
            ledger_entry.bucket_type,
            ledger_entry.amount AS ledger,
            0 AS stored
           FROM wallet.ledger_entry
          WHERE (ledger_entry.bucket_type IS NOT NULL)
        UNION ALL
         SELECT bucket.account_id,
            bucket.bucket_type,
            0,
            bucket.balance
           FROM wallet.bucket) x
  GROUP BY x.account_id, x.bucket_type
 HAVING (sum(x.ledger) <> sum(x.stored))
UNION ALL
 SELECT 'coupon_matches_ledger'::text AS check_name,
    x.account_id AS player_id,
    ('coupon:'::text || x.coupon_id) AS subject,
    (sum(x.ledger))::bigint AS expected,
    (sum(x.stored))::bigint AS actual
   FROM ( SELECT ledger_entry.account_id,
            ledger_entry.coupon_id,
            ledger_entry.amount AS ledger,
            0 AS stored
           FROM wallet.ledger_entry
          WHERE (ledger_entry.coupon_id IS NOT NULL)
        UNION ALL
         SELECT coupon.account_id,
            coupon.coupon_id,
            0,
            coupon.remaining
           FROM wallet.coupon) x
  GROUP BY x.account_id, x.coupon_id
 HAVING (sum(x.ledger) <> sum(x.stored))
UNION ALL
 SELECT 'hold_matches_open_records'::text AS check_name,
    x.account_id AS player_id,
    'pocket:HOLD'::text AS subject,
    (sum(x.open_records))::bigint AS expected,
    (sum(x.hold))::bigint AS actual
   FROM ( SELECT ledger_entry.account_id,
            0 AS open_records,
            ledger_entry.amount AS hold
           FROM wallet.ledger_entry
          WHERE (ledger_entry.pocket = 'HOLD'::text)
        UNION ALL
         SELECT bet.account_id,
            bet.stake,
            0
           FROM wallet.bet
          WHERE (bet.status = 'AUTHORIZED'::text)
        UNION ALL
         SELECT withdrawal.account_id,
            withdrawal.amount,
            0
           FROM wallet.withdrawal
          WHERE ((withdrawal.status)::text = 'PENDING'::text)) x
  GROUP BY x.account_id
 HAVING (sum(x.open_records) <> sum(x.hold))
UNION ALL
 SELECT 'transaction_sums_to_zero'::text AS check_name,
    t.account_id AS player_id,
    ('txn:'::text || t.txn_id) AS subject,
    0 AS expected,
    (COALESCE(sum(e.amount), (0)::numeric))::bigint AS actual
   FROM (wallet.ledger_txn t
     LEFT JOIN wallet.ledger_entry e USING (account_id, txn_id))
  GROUP BY t.account_id, t.txn_id
 HAVING ((COALESCE(sum(e.amount), (0)::numeric) <> (0)::numeric) OR (count(e.entry_no) = 0));


ALTER TABLE analytics._reconciliation_checks OWNER TO wallet_owner;

--
-- Name: topology_version; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.topology_version (
    version integer NOT NULL,
    status text DEFAULT 'DRAFT'::text NOT NULL,
    document jsonb NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    activated_by text,
    activated_at timestamp with time zone,
    CONSTRAINT topology_status_known CHECK ((status = ANY (ARRAY['DRAFT'::text, 'ACTIVE'::text, 'RETIRED'::text])))
);
ALTER TABLE ONLY wallet.topology_version ALTER COLUMN document SET COMPRESSION lz4;


ALTER TABLE wallet.topology_version OWNER TO wallet_owner;

--
-- Name: balances; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics.balances AS
 SELECT a.account_id AS player_id,
    a.currency,
    b.bucket_type,
    bt.kind,
    bt.wallet_group,
    (b.balance)::bigint AS balance
   FROM ((wallet.bucket b
     JOIN wallet.account a USING (account_id))
     LEFT JOIN wallet.bucket_type bt ON (((bt.topology_version = ( SELECT topology_version.version
           FROM wallet.topology_version
          WHERE (topology_version.status = 'ACTIVE'::text))) AND (bt.code = b.bucket_type))));


ALTER TABLE analytics.balances OWNER TO wallet_owner;

--
-- Name: bet_source; Type: VIEW; Schema: wallet; Owner: wallet_owner
--
CREATE VIEW wallet.bet_source AS
 SELECT b.account_id,
    b.bet_id,
    (s.seq)::smallint AS seq,
    s.kind,
        CASE
            WHEN (s.kind <> 'COUPON'::text) THEN s.source
            ELSE NULL::text
        END AS bucket_type,
        CASE
            WHEN (s.kind = 'COUPON'::text) THEN substr(s.source, 8)
            ELSE NULL::text
        END AS coupon_id,
    s.amount,
    s.destination,
    s.stake_returned
   FROM (wallet.bet b
     CROSS JOIN LATERAL UNNEST(b.sources, b.source_kinds, b.source_amounts, b.destinations, b.stakes_returned) WITH ORDINALITY s(source, kind, amount, destination, stake_returned, seq));


ALTER TABLE wallet.bet_source OWNER TO wallet_owner;

--
-- Name: coupon_liability; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics.coupon_liability AS
 SELECT c.account_id AS player_id,
    c.coupon_id,
    c.amount,
    c.remaining,
    c.wallet_group,
    c.provider_types,
    c.stake_returned,
    c.expires_at,
    (NOT wallet._coupon_usable(c.status, c.expires_at)) AS expired,
    COALESCE(( SELECT sum(s.amount) AS sum
           FROM (wallet.bet_source s
             JOIN wallet.bet b USING (account_id, bet_id))
          WHERE ((s.account_id = c.account_id) AND (s.coupon_id = c.coupon_id) AND (b.status = 'AUTHORIZED'::text))), (0)::numeric) AS in_open_bets
   FROM wallet.coupon c
  WHERE (c.status = 'ACTIVE'::text);


ALTER TABLE analytics.coupon_liability OWNER TO wallet_owner;

--
-- Name: bet_extra_payout; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.bet_extra_payout (
    account_id text NOT NULL,
    bet_id text NOT NULL,
    txn_id bigint NOT NULL,
    amount bigint NOT NULL,
    withheld bigint DEFAULT 0 NOT NULL,
    ref text NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT bet_extra_payout_amount_check CHECK ((amount > 0)),
    CONSTRAINT bet_extra_payout_withheld_check CHECK ((withheld >= 0))
);


ALTER TABLE wallet.bet_extra_payout OWNER TO wallet_owner;

--
-- Name: house_result_by_provider; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics.house_result_by_provider AS
 SELECT b.provider_type,
    ((b.settled_at AT TIME ZONE 'UTC'::text))::date AS day,
    count(*) AS bets,
    sum(b.stake) AS stake,
    sum(b.payout) AS payout,
    sum(h.amount) AS house_result,
    count(*) FILTER (WHERE (b.result = 'VOID'::text)) AS voided
   FROM (wallet.bet b
     LEFT JOIN LATERAL ( SELECT COALESCE(sum(e.amount), (0)::numeric) AS amount
           FROM wallet.ledger_entry e
          WHERE ((e.account_id = b.account_id) AND (e.pocket = 'HOUSE'::text) AND ((e.txn_id = b.settle_txn_id) OR (e.txn_id IN ( SELECT x.txn_id
                   FROM wallet.bet_extra_payout x
                  WHERE ((x.account_id = b.account_id) AND (x.bet_id = b.bet_id))))))) h ON (true))
  WHERE (b.status = 'SETTLED'::text)
  GROUP BY b.provider_type, (((b.settled_at AT TIME ZONE 'UTC'::text))::date);


ALTER TABLE analytics.house_result_by_provider OWNER TO wallet_owner;

--
-- Name: ledger_daily; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics.ledger_daily AS
 SELECT ((t.created_at AT TIME ZONE 'UTC'::text))::date AS day,
    t.kind,
    count(DISTINCT ROW(t.account_id, t.txn_id)) AS transactions,
    COALESCE(sum(e.amount) FILTER (WHERE ((e.pocket IS NULL) AND (e.amount > 0))), (0)::numeric) AS player_credits,
    COALESCE((- sum(e.amount) FILTER (WHERE ((e.pocket IS NULL) AND (e.amount < 0)))), (0)::numeric) AS player_debits,
    COALESCE(sum(e.amount) FILTER (WHERE (e.pocket = 'HOUSE'::text)), (0)::numeric) AS house,
    COALESCE(sum(e.amount) FILTER (WHERE (e.pocket = 'PROMOTION'::text)), (0)::numeric) AS promotion,
    COALESCE(sum(e.amount) FILTER (WHERE (e.pocket = 'EXTERNAL'::text)), (0)::numeric) AS external
   FROM (wallet.ledger_txn t
     JOIN wallet.ledger_entry e USING (account_id, txn_id))
  GROUP BY (((t.created_at AT TIME ZONE 'UTC'::text))::date), t.kind;


ALTER TABLE analytics.ledger_daily OWNER TO wallet_owner;

--
-- Name: open_bet_exposure; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics.open_bet_exposure AS
 SELECT b.provider_type,
    b.wallet_group,
    count(*) AS open_bets,
    count(DISTINCT b.account_id) AS players,
    sum(b.stake) AS stake,
    max(b.stake) AS largest_stake,
    min(b.authorized_at) AS oldest
   FROM wallet.bet b
  WHERE (b.status = 'AUTHORIZED'::text)
  GROUP BY b.provider_type, b.wallet_group;


ALTER TABLE analytics.open_bet_exposure OWNER TO wallet_owner;

--
-- Name: reconciliation; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics.reconciliation AS
 SELECT _reconciliation_checks.check_name,
    _reconciliation_checks.player_id,
    _reconciliation_checks.subject,
    _reconciliation_checks.expected,
    _reconciliation_checks.actual
   FROM analytics._reconciliation_checks;


ALTER TABLE analytics.reconciliation OWNER TO wallet_owner;

--
-- Name: rolling_id_seq; Type: SEQUENCE; Schema: wallet; Owner: wallet_owner
--
CREATE SEQUENCE wallet.rolling_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE wallet.rolling_id_seq OWNER TO wallet_owner;

--
-- Name: rolling_obligation; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.rolling_obligation (
    account_id text NOT NULL,
    rolling_id bigint DEFAULT nextval('wallet.rolling_id_seq'::regclass) NOT NULL,
    wallet_group text NOT NULL,
    kind wallet.rolling_obligation_kind NOT NULL,
    base_amount wallet.non_negative_amount NOT NULL,
    required wallet.non_negative_amount NOT NULL,
    progress wallet.non_negative_amount DEFAULT 0 NOT NULL,
    status wallet.rolling_obligation_status DEFAULT 'ACTIVE'::text NOT NULL,
    topology_version integer NOT NULL,
    source_bucket_type text NOT NULL,
    provider_type text,
    source_kind wallet.rolling_obligation_source NOT NULL,
    source_id text NOT NULL,
    policy_snapshot jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    closed_at timestamp with time zone,
    CONSTRAINT rolling_progress_within_required CHECK (((progress)::bigint <= (required)::bigint))
);
ALTER TABLE ONLY wallet.rolling_obligation ALTER COLUMN policy_snapshot SET COMPRESSION lz4;


ALTER TABLE wallet.rolling_obligation OWNER TO wallet_owner;

--
-- Name: rolling_status; Type: VIEW; Schema: analytics; Owner: wallet_owner
--
CREATE VIEW analytics.rolling_status AS
 SELECT r.account_id AS player_id,
    r.rolling_id,
    r.wallet_group,
    (r.kind)::text AS kind,
    (r.status)::text AS status,
    (r.base_amount)::bigint AS base_amount,
    (r.required)::bigint AS required,
    (r.progress)::bigint AS progress,
        CASE
            WHEN ((r.required)::bigint > 0) THEN round(((100.0 * (r.progress)::numeric) / (r.required)::numeric), 1)
            ELSE NULL::numeric
        END AS percent_done,
    (r.source_kind)::text AS source_kind,
    r.source_id,
    r.topology_version,
    r.created_at,
    r.closed_at
   FROM wallet.rolling_obligation r;


ALTER TABLE analytics.rolling_status OWNER TO wallet_owner;

--
-- Name: api_key; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.api_key (
    key_id text NOT NULL,
    name text NOT NULL,
    secret_sha256 bytea NOT NULL,
    scopes text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT api_key_name_shape CHECK ((name ~ '^[A-Za-z0-9_.-]{1,64}$'::text)),
    CONSTRAINT api_key_scopes_known CHECK (((scopes <@ ARRAY['game'::text, 'payments'::text, 'promotion'::text, 'player'::text, 'admin'::text, 'events'::text, 'casino'::text]) AND (cardinality(scopes) > 0)))
);


ALTER TABLE wallet.api_key OWNER TO wallet_owner;

--
-- Name: audit_log; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.audit_log (
    audit_id bigint NOT NULL,
    at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    outcome text NOT NULL,
    before jsonb,
    after jsonb,
    reason text,
    detail jsonb,
    account_id text DEFAULT ''::text NOT NULL,
    CONSTRAINT audit_log_outcome_known CHECK ((outcome = ANY (ARRAY['OK'::text, 'REFUSED'::text])))
);
ALTER TABLE ONLY wallet.audit_log ALTER COLUMN before SET COMPRESSION lz4;
ALTER TABLE ONLY wallet.audit_log ALTER COLUMN after SET COMPRESSION lz4;
ALTER TABLE ONLY wallet.audit_log ALTER COLUMN detail SET COMPRESSION lz4;


ALTER TABLE wallet.audit_log OWNER TO wallet_owner;

--
-- Name: audit_log_audit_id_seq; Type: SEQUENCE; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE wallet.audit_log ALTER COLUMN audit_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME wallet.audit_log_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: betting_policy; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.betting_policy (
    provider_type text NOT NULL,
    version integer NOT NULL,
    status text DEFAULT 'DRAFT'::text NOT NULL,
    document jsonb NOT NULL,
    topology_version integer NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    activated_by text,
    activated_at timestamp with time zone,
    funding_mode text NOT NULL,
    deduction_order text[] NOT NULL,
    max_coupons integer NOT NULL,
    dest_cash text,
    dest_withdrawable text,
    dest_bonus text,
    dest_coupon text,
    rolling_bps integer NOT NULL,
    rolling_min_odds numeric,
    rolling_void_counts boolean NOT NULL,
    CONSTRAINT betting_policy_funding_mode_check CHECK ((funding_mode = ANY (ARRAY['AUTO'::text, 'PLAYER_SELECTED'::text]))),
    CONSTRAINT betting_policy_max_coupons_check CHECK ((max_coupons >= 0)),
    CONSTRAINT betting_policy_rolling_bps_check CHECK (((rolling_bps >= 0) AND (rolling_bps <= 10000))),
    CONSTRAINT betting_policy_rolling_min_odds_check CHECK ((rolling_min_odds >= (1)::numeric)),
    CONSTRAINT betting_policy_status_known CHECK ((status = ANY (ARRAY['DRAFT'::text, 'ACTIVE'::text, 'RETIRED'::text])))
);
ALTER TABLE ONLY wallet.betting_policy ALTER COLUMN document SET COMPRESSION lz4;


ALTER TABLE wallet.betting_policy OWNER TO wallet_owner;

--
-- Name: casino_provider; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.casino_provider (
    provider text NOT NULL,
    provider_type text NOT NULL,
    enabled boolean NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text NOT NULL,
    CONSTRAINT casino_provider_name_shape CHECK ((provider ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'::text))
);


ALTER TABLE wallet.casino_provider OWNER TO wallet_owner;

--
-- Name: casino_round; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.casino_round (
    account_id text NOT NULL,
    provider text NOT NULL,
    round_id text NOT NULL,
    game_id text NOT NULL,
    provider_type text NOT NULL,
    status text DEFAULT 'OPEN'::text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    CONSTRAINT casino_round_closed_has_end CHECK (((status = 'CLOSED'::text) = (ended_at IS NOT NULL))),
    CONSTRAINT casino_round_status_known CHECK ((status = ANY (ARRAY['OPEN'::text, 'CLOSED'::text])))
);


ALTER TABLE wallet.casino_round OWNER TO wallet_owner;

--
-- Name: deposit; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.deposit (
    account_id text NOT NULL,
    deposit_id text NOT NULL,
    amount wallet.positive_amount NOT NULL,
    bucket_type text NOT NULL,
    status wallet.deposit_status DEFAULT 'PENDING'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text NOT NULL,
    decided_at timestamp with time zone,
    decided_by text,
    reason text,
    rolling_id bigint,
    txn_id bigint,
    decision jsonb,
    auto_approve boolean DEFAULT false NOT NULL
);
ALTER TABLE ONLY wallet.deposit ALTER COLUMN decision SET COMPRESSION lz4;


ALTER TABLE wallet.deposit OWNER TO wallet_owner;

--
-- Name: error_code; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.error_code (
    code text NOT NULL,
    sqlstate text,
    http_status integer NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    CONSTRAINT error_code_sqlstate_shape CHECK ((sqlstate ~ '^RW[0-9]{3}$'::text))
);


ALTER TABLE wallet.error_code OWNER TO wallet_owner;

--
-- Name: repeat_key; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.repeat_key (
    account_id text NOT NULL,
    command text NOT NULL,
    key text NOT NULL,
    target text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT repeat_key_command_check CHECK ((command = ANY (ARRAY['bet_rollback'::text, 'coupon_reverse'::text, 'promotion_reverse'::text])))
);


ALTER TABLE wallet.repeat_key OWNER TO wallet_owner;

--
-- Name: idempotency; Type: VIEW; Schema: wallet; Owner: wallet_owner
--
CREATE VIEW wallet.idempotency AS
 SELECT bet.account_id,
    'bet_authorize'::text AS command,
    bet.bet_id AS key,
    bet.authorized_at AS created_at
   FROM wallet.bet
  WHERE (NOT bet.tombstone)
UNION ALL
 SELECT bet.account_id,
    'bet_settle'::text AS command,
    bet.settlement_id AS key,
    bet.settled_at AS created_at
   FROM wallet.bet
  WHERE (bet.settlement_id IS NOT NULL)
UNION ALL
 SELECT bet.account_id,
    'bet_rollback'::text AS command,
    bet.rollback_id AS key,
    bet.rolled_back_at AS created_at
   FROM wallet.bet
  WHERE (bet.rollback_id IS NOT NULL)
UNION ALL
 SELECT deposit.account_id,
    'deposit_create'::text AS command,
    deposit.deposit_id AS key,
    deposit.created_at
   FROM wallet.deposit
UNION ALL
 SELECT withdrawal.account_id,
    'withdrawal_create'::text AS command,
    withdrawal.withdrawal_id AS key,
    withdrawal.created_at
   FROM wallet.withdrawal
UNION ALL
 SELECT coupon.account_id,
    'coupon_grant'::text AS command,
    coupon.coupon_id AS key,
    coupon.granted_at AS created_at
   FROM wallet.coupon
UNION ALL
 SELECT coupon.account_id,
    'coupon_reverse'::text AS command,
    coupon.reversal_id AS key,
    coupon.reversed_at AS created_at
   FROM wallet.coupon
  WHERE (coupon.reversal_id IS NOT NULL)
UNION ALL
 SELECT promotion_credit.account_id,
    'promotion_credit'::text AS command,
    promotion_credit.credit_id AS key,
    promotion_credit.created_at
   FROM wallet.promotion_credit
UNION ALL
 SELECT promotion_credit.account_id,
    'promotion_reverse'::text AS command,
    promotion_credit.reversal_id AS key,
    promotion_credit.reversed_at AS created_at
   FROM wallet.promotion_credit
  WHERE (promotion_credit.reversal_id IS NOT NULL)
UNION ALL
 SELECT transfer.account_id,
    'transfer'::text AS command,
    transfer.transfer_id AS key,
    transfer.created_at
   FROM wallet.transfer
UNION ALL
 SELECT adjustment.account_id,
    'admin_adjust'::text AS command,
    adjustment.adjustment_id AS key,
    adjustment.created_at
   FROM wallet.adjustment
UNION ALL
 SELECT repeat_key.account_id,
    repeat_key.command,
    repeat_key.key,
    repeat_key.created_at
   FROM wallet.repeat_key;


ALTER TABLE wallet.idempotency OWNER TO wallet_owner;

--
-- Name: outbox_delivery_id_seq; Type: SEQUENCE; Schema: wallet; Owner: wallet_owner
--
CREATE SEQUENCE wallet.outbox_delivery_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE wallet.outbox_delivery_id_seq OWNER TO wallet_owner;

--
-- Name: provider_mapping; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.provider_mapping (
    topology_version integer NOT NULL,
    provider_type text NOT NULL,
    wallet_group text NOT NULL
);


ALTER TABLE wallet.provider_mapping OWNER TO wallet_owner;

--
-- Name: provider_type; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.provider_type (
    code text NOT NULL,
    description text NOT NULL,
    CONSTRAINT provider_type_code_shape CHECK ((code ~ '^[A-Z][A-Z0-9_]{0,31}$'::text))
);


ALTER TABLE wallet.provider_type OWNER TO wallet_owner;

--
-- Name: relay_cursor; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.relay_cursor (
    singleton boolean DEFAULT true NOT NULL,
    stamped_upto bigint NOT NULL,
    CONSTRAINT relay_cursor_singleton_check CHECK (singleton)
);


ALTER TABLE wallet.relay_cursor OWNER TO wallet_owner;

--
-- Name: relay_parked; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.relay_parked (
    account_id text NOT NULL,
    delivery_id bigint NOT NULL,
    event_id bigint NOT NULL,
    attempts integer NOT NULL,
    reason text NOT NULL,
    parked_by text NOT NULL,
    parked_at timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE wallet.relay_parked OWNER TO wallet_owner;

--
-- Name: relay_stream; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.relay_stream (
    account_id text NOT NULL,
    head bigint,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    lease_owner text,
    lease_until timestamp with time zone,
    last_error text,
    CONSTRAINT relay_stream_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT relay_stream_lease_whole CHECK (((lease_owner IS NULL) = (lease_until IS NULL)))
);


ALTER TABLE wallet.relay_stream OWNER TO wallet_owner;

--
-- Name: resource_owner; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.resource_owner (
    resource_kind text NOT NULL,
    resource_id text NOT NULL,
    account_id text NOT NULL
);


ALTER TABLE wallet.resource_owner OWNER TO wallet_owner;

--
-- Name: rolling_progress; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.rolling_progress (
    account_id text NOT NULL,
    rolling_id bigint NOT NULL,
    bet_id text NOT NULL,
    amount wallet.positive_amount NOT NULL
);


ALTER TABLE wallet.rolling_progress OWNER TO wallet_owner;

--
-- Name: transfer_edge; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.transfer_edge (
    topology_version integer NOT NULL,
    from_type text NOT NULL,
    to_type text NOT NULL,
    rate_from bigint DEFAULT 1 NOT NULL,
    rate_to bigint DEFAULT 1 NOT NULL,
    min_amount bigint,
    max_amount bigint,
    CONSTRAINT transfer_edge_check CHECK ((from_type <> to_type)),
    CONSTRAINT transfer_edge_check1 CHECK (((max_amount IS NULL) OR (min_amount IS NULL) OR (max_amount >= min_amount))),
    CONSTRAINT transfer_edge_max_amount_check CHECK ((max_amount > 0)),
    CONSTRAINT transfer_edge_min_amount_check CHECK ((min_amount > 0)),
    CONSTRAINT transfer_edge_rate_from_check CHECK ((rate_from > 0)),
    CONSTRAINT transfer_edge_rate_to_check CHECK ((rate_to > 0))
);


ALTER TABLE wallet.transfer_edge OWNER TO wallet_owner;

--
-- Name: wallet_group; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.wallet_group (
    topology_version integer NOT NULL,
    code text NOT NULL,
    "position" integer NOT NULL
);


ALTER TABLE wallet.wallet_group OWNER TO wallet_owner;

--
-- Name: withdrawal_source; Type: TABLE; Schema: wallet; Owner: wallet_owner
--
CREATE TABLE wallet.withdrawal_source (
    account_id text NOT NULL,
    withdrawal_id text NOT NULL,
    seq smallint NOT NULL,
    bucket_type text NOT NULL,
    amount wallet.positive_amount NOT NULL
);


ALTER TABLE wallet.withdrawal_source OWNER TO wallet_owner;

--
-- Name: _yoyo_log; Type: TABLE; Schema: wallet_meta; Owner: wallet_owner
--
CREATE TABLE wallet_meta._yoyo_log (
    id character varying(36) NOT NULL,
    migration_hash character varying(64),
    migration_id character varying(255),
    operation character varying(10),
    username character varying(255),
    hostname character varying(255),
    comment character varying(255),
    created_at_utc timestamp without time zone
);


ALTER TABLE wallet_meta._yoyo_log OWNER TO wallet_owner;

--
-- Name: _yoyo_migration; Type: TABLE; Schema: wallet_meta; Owner: wallet_owner
--
CREATE TABLE wallet_meta._yoyo_migration (
    migration_hash character varying(64) NOT NULL,
    migration_id character varying(255),
    applied_at_utc timestamp without time zone
);


ALTER TABLE wallet_meta._yoyo_migration OWNER TO wallet_owner;

--
-- Name: _yoyo_version; Type: TABLE; Schema: wallet_meta; Owner: wallet_owner
--
CREATE TABLE wallet_meta._yoyo_version (
    version integer NOT NULL,
    installed_at_utc timestamp without time zone
);


ALTER TABLE wallet_meta._yoyo_version OWNER TO wallet_owner;

--
-- Name: code_state; Type: TABLE; Schema: wallet_meta; Owner: wallet_owner
--
CREATE TABLE wallet_meta.code_state (
    singleton boolean DEFAULT true NOT NULL,
    digest text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT code_state_singleton_check CHECK (singleton)
);


ALTER TABLE wallet_meta.code_state OWNER TO wallet_owner;

--
-- Name: yoyo_lock; Type: TABLE; Schema: wallet_meta; Owner: wallet_owner
--
CREATE TABLE wallet_meta.yoyo_lock (
    locked integer DEFAULT 1 NOT NULL,
    ctime timestamp without time zone,
    pid integer NOT NULL
);


ALTER TABLE wallet_meta.yoyo_lock OWNER TO wallet_owner;

--
-- Name: account account_id_shape; Type: CHECK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE wallet.account
    ADD CONSTRAINT account_id_shape CHECK ((account_id ~ '^(?!\.\.?$)[!-.0-~]{1,128}$'::text)) NOT VALID;

--
-- Name: account account_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.account
    ADD CONSTRAINT account_pkey PRIMARY KEY (account_id);

--
-- Name: adjustment adjustment_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.adjustment
    ADD CONSTRAINT adjustment_pkey PRIMARY KEY (account_id, adjustment_id);

--
-- Name: api_key api_key_name_key; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.api_key
    ADD CONSTRAINT api_key_name_key UNIQUE (name);

--
-- Name: api_key api_key_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.api_key
    ADD CONSTRAINT api_key_pkey PRIMARY KEY (key_id);

--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (account_id, audit_id);

--
-- Name: bet_extra_payout bet_extra_payout_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.bet_extra_payout
    ADD CONSTRAINT bet_extra_payout_pkey PRIMARY KEY (account_id, bet_id, txn_id);

--
-- Name: bet bet_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.bet
    ADD CONSTRAINT bet_pkey PRIMARY KEY (account_id, bet_id);

--
-- Name: betting_policy betting_policy_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.betting_policy
    ADD CONSTRAINT betting_policy_pkey PRIMARY KEY (provider_type, version);

--
-- Name: bucket bucket_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.bucket
    ADD CONSTRAINT bucket_pkey PRIMARY KEY (account_id, bucket_type);

--
-- Name: bucket_type bucket_type_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.bucket_type
    ADD CONSTRAINT bucket_type_pkey PRIMARY KEY (topology_version, code);

--
-- Name: casino_provider casino_provider_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.casino_provider
    ADD CONSTRAINT casino_provider_pkey PRIMARY KEY (provider);

--
-- Name: casino_round casino_round_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.casino_round
    ADD CONSTRAINT casino_round_pkey PRIMARY KEY (account_id, provider, round_id);

--
-- Name: casino_transaction casino_transaction_one_per_key; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.casino_transaction
    ADD CONSTRAINT casino_transaction_one_per_key UNIQUE (account_id, provider, transaction_type, provider_transaction_id);

--
-- Name: casino_transaction casino_transaction_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.casino_transaction
    ADD CONSTRAINT casino_transaction_pkey PRIMARY KEY (account_id, transaction_id);

--
-- Name: coupon coupon_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.coupon
    ADD CONSTRAINT coupon_pkey PRIMARY KEY (account_id, coupon_id);

--
-- Name: deposit deposit_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.deposit
    ADD CONSTRAINT deposit_pkey PRIMARY KEY (account_id, deposit_id);

--
-- Name: error_code error_code_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.error_code
    ADD CONSTRAINT error_code_pkey PRIMARY KEY (code);

--
-- Name: error_code error_code_sqlstate_key; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.error_code
    ADD CONSTRAINT error_code_sqlstate_key UNIQUE (sqlstate);

--
-- Name: game_session game_session_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.game_session
    ADD CONSTRAINT game_session_pkey PRIMARY KEY (account_id, session_id);

--
-- Name: group_policy group_policy_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.group_policy
    ADD CONSTRAINT group_policy_pkey PRIMARY KEY (wallet_group, version);

--
-- Name: ledger_txn ledger_txn_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.ledger_txn
    ADD CONSTRAINT ledger_txn_pkey PRIMARY KEY (account_id, txn_id);

--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (account_id, event_id);

--
-- Name: promotion_credit promotion_credit_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.promotion_credit
    ADD CONSTRAINT promotion_credit_pkey PRIMARY KEY (account_id, credit_id);

--
-- Name: provider_mapping provider_mapping_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.provider_mapping
    ADD CONSTRAINT provider_mapping_pkey PRIMARY KEY (topology_version, provider_type);

--
-- Name: provider_type provider_type_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.provider_type
    ADD CONSTRAINT provider_type_pkey PRIMARY KEY (code);

--
-- Name: relay_cursor relay_cursor_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.relay_cursor
    ADD CONSTRAINT relay_cursor_pkey PRIMARY KEY (singleton);

--
-- Name: relay_parked relay_parked_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.relay_parked
    ADD CONSTRAINT relay_parked_pkey PRIMARY KEY (account_id, delivery_id);

--
-- Name: relay_stream relay_stream_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.relay_stream
    ADD CONSTRAINT relay_stream_pkey PRIMARY KEY (account_id);

--
-- Name: repeat_key repeat_key_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.repeat_key
    ADD CONSTRAINT repeat_key_pkey PRIMARY KEY (account_id, command, key);

--
-- Name: resource_owner resource_owner_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.resource_owner
    ADD CONSTRAINT resource_owner_pkey PRIMARY KEY (resource_kind, resource_id);

--
-- Name: rolling_obligation rolling_obligation_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.rolling_obligation
    ADD CONSTRAINT rolling_obligation_pkey PRIMARY KEY (account_id, rolling_id);

--
-- Name: rolling_progress rolling_progress_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.rolling_progress
    ADD CONSTRAINT rolling_progress_pkey PRIMARY KEY (account_id, rolling_id, bet_id);

--
-- Name: topology_version topology_version_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.topology_version
    ADD CONSTRAINT topology_version_pkey PRIMARY KEY (version);

--
-- Name: transfer_edge transfer_edge_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.transfer_edge
    ADD CONSTRAINT transfer_edge_pkey PRIMARY KEY (topology_version, from_type, to_type);

--
-- Name: transfer transfer_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.transfer
    ADD CONSTRAINT transfer_pkey PRIMARY KEY (account_id, transfer_id);

--
-- Name: wallet_group wallet_group_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.wallet_group
    ADD CONSTRAINT wallet_group_pkey PRIMARY KEY (topology_version, code);

--
-- Name: withdrawal withdrawal_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.withdrawal
    ADD CONSTRAINT withdrawal_pkey PRIMARY KEY (account_id, withdrawal_id);

--
-- Name: withdrawal_source withdrawal_source_pkey; Type: CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.withdrawal_source
    ADD CONSTRAINT withdrawal_source_pkey PRIMARY KEY (account_id, withdrawal_id, seq);

--
-- Name: _yoyo_log _yoyo_log_pkey; Type: CONSTRAINT; Schema: wallet_meta; Owner: wallet_owner
--
ALTER TABLE ONLY wallet_meta._yoyo_log
    ADD CONSTRAINT _yoyo_log_pkey PRIMARY KEY (id);

--
-- Name: _yoyo_migration _yoyo_migration_pkey; Type: CONSTRAINT; Schema: wallet_meta; Owner: wallet_owner
--
ALTER TABLE ONLY wallet_meta._yoyo_migration
    ADD CONSTRAINT _yoyo_migration_pkey PRIMARY KEY (migration_hash);

--
-- Name: _yoyo_version _yoyo_version_pkey; Type: CONSTRAINT; Schema: wallet_meta; Owner: wallet_owner
--
ALTER TABLE ONLY wallet_meta._yoyo_version
    ADD CONSTRAINT _yoyo_version_pkey PRIMARY KEY (version);

--
-- Name: code_state code_state_pkey; Type: CONSTRAINT; Schema: wallet_meta; Owner: wallet_owner
--
ALTER TABLE ONLY wallet_meta.code_state
    ADD CONSTRAINT code_state_pkey PRIMARY KEY (singleton);

--
-- Name: yoyo_lock yoyo_lock_pkey; Type: CONSTRAINT; Schema: wallet_meta; Owner: wallet_owner
--
ALTER TABLE ONLY wallet_meta.yoyo_lock
    ADD CONSTRAINT yoyo_lock_pkey PRIMARY KEY (locked);

--
-- Name: audit_log_by_time; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX audit_log_by_time ON wallet.audit_log USING btree (at, audit_id);

--
-- Name: bet_open; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX bet_open ON wallet.bet USING btree (account_id, wallet_group) WHERE (status = 'AUTHORIZED'::text);

--
-- Name: bet_rollback_key; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE UNIQUE INDEX bet_rollback_key ON wallet.bet USING btree (account_id, rollback_id) WHERE (rollback_id IS NOT NULL);

--
-- Name: bet_settlement_key; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE UNIQUE INDEX bet_settlement_key ON wallet.bet USING btree (account_id, settlement_id) WHERE (settlement_id IS NOT NULL);

--
-- Name: betting_policy_one_active; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE UNIQUE INDEX betting_policy_one_active ON wallet.betting_policy USING btree (provider_type) WHERE (status = 'ACTIVE'::text);

--
-- Name: casino_transaction_by_bet_ref; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX casino_transaction_by_bet_ref ON wallet.casino_transaction USING btree (account_id, provider, provider_bet_ref) WHERE (provider_bet_ref IS NOT NULL);

--
-- Name: casino_transaction_by_provider_id; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX casino_transaction_by_provider_id ON wallet.casino_transaction USING btree (account_id, provider, provider_transaction_id);

--
-- Name: casino_transaction_by_round; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX casino_transaction_by_round ON wallet.casino_transaction USING btree (account_id, provider, provider_round_id) WHERE (provider_round_id IS NOT NULL);

--
-- Name: casino_transaction_tombstones; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX casino_transaction_tombstones ON wallet.casino_transaction USING btree (account_id, provider, COALESCE(provider_bet_ref, provider_transaction_id)) WHERE (outcome = 'CANCEL_NOT_FOUND'::text);

--
-- Name: coupon_expiry_due; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX coupon_expiry_due ON wallet.coupon USING btree (expires_at) WHERE ((status = 'ACTIVE'::text) AND (expires_at IS NOT NULL));

--
-- Name: coupon_reversal_key; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE UNIQUE INDEX coupon_reversal_key ON wallet.coupon USING btree (account_id, reversal_id) WHERE (reversal_id IS NOT NULL);

--
-- Name: game_session_by_token; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX game_session_by_token ON wallet.game_session USING btree (token_sha256);

--
-- Name: group_policy_one_active; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE UNIQUE INDEX group_policy_one_active ON wallet.group_policy USING btree (wallet_group) WHERE (status = 'ACTIVE'::text);

--
-- Name: outbox_account_delivery; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX outbox_account_delivery ON wallet.outbox USING btree (account_id, delivery_id) WHERE (delivery_id IS NOT NULL);

--
-- Name: outbox_delivery; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX outbox_delivery ON wallet.outbox USING btree (delivery_id) WHERE (delivery_id IS NOT NULL);

--
-- Name: outbox_published; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX outbox_published ON wallet.outbox USING btree (published_at) WHERE (published_at IS NOT NULL);

--
-- Name: outbox_unpublished; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX outbox_unpublished ON wallet.outbox USING btree (delivery_id) WHERE ((delivery_id IS NOT NULL) AND (published_at IS NULL));

--
-- Name: outbox_unstamped; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX outbox_unstamped ON wallet.outbox USING btree (created_at, event_id) WHERE (delivery_id IS NULL);

--
-- Name: promotion_credit_reversal_key; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE UNIQUE INDEX promotion_credit_reversal_key ON wallet.promotion_credit USING btree (account_id, reversal_id) WHERE (reversal_id IS NOT NULL);

--
-- Name: relay_stream_due; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX relay_stream_due ON wallet.relay_stream USING btree (head) WHERE (head IS NOT NULL);

--
-- Name: rolling_active; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX rolling_active ON wallet.rolling_obligation USING btree (account_id, wallet_group, kind DESC, created_at, rolling_id) WHERE ((status)::text = 'ACTIVE'::text);

--
-- Name: rolling_progress_by_bet; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX rolling_progress_by_bet ON wallet.rolling_progress USING btree (account_id, bet_id);

--
-- Name: topology_version_one_active; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE UNIQUE INDEX topology_version_one_active ON wallet.topology_version USING btree ((true)) WHERE (status = 'ACTIVE'::text);

--
-- Name: withdrawal_pending; Type: INDEX; Schema: wallet; Owner: wallet_owner
--
CREATE INDEX withdrawal_pending ON wallet.withdrawal USING btree (account_id) WHERE ((status)::text = 'PENDING'::text);

--
-- Name: audit_log audit_log_append_only; Type: TRIGGER; Schema: wallet; Owner: wallet_owner
--
CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE ON wallet.audit_log FOR EACH ROW EXECUTE FUNCTION wallet._forbid_change();

--
-- Name: audit_log audit_log_no_truncate; Type: TRIGGER; Schema: wallet; Owner: wallet_owner
--
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON wallet.audit_log FOR EACH STATEMENT EXECUTE FUNCTION wallet._forbid_change();

--
-- Name: ledger_txn ledger_txn_append_only; Type: TRIGGER; Schema: wallet; Owner: wallet_owner
--
CREATE TRIGGER ledger_txn_append_only BEFORE DELETE OR UPDATE ON wallet.ledger_txn FOR EACH ROW EXECUTE FUNCTION wallet._forbid_change();

--
-- Name: ledger_txn ledger_txn_no_truncate; Type: TRIGGER; Schema: wallet; Owner: wallet_owner
--
CREATE TRIGGER ledger_txn_no_truncate BEFORE TRUNCATE ON wallet.ledger_txn FOR EACH STATEMENT EXECUTE FUNCTION wallet._forbid_change();

--
-- Name: betting_policy betting_policy_provider_type_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.betting_policy
    ADD CONSTRAINT betting_policy_provider_type_fkey FOREIGN KEY (provider_type) REFERENCES wallet.provider_type(code);

--
-- Name: betting_policy betting_policy_topology_version_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.betting_policy
    ADD CONSTRAINT betting_policy_topology_version_fkey FOREIGN KEY (topology_version) REFERENCES wallet.topology_version(version);

--
-- Name: bucket_type bucket_type_topology_version_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.bucket_type
    ADD CONSTRAINT bucket_type_topology_version_fkey FOREIGN KEY (topology_version) REFERENCES wallet.topology_version(version);

--
-- Name: bucket_type bucket_type_topology_version_wallet_group_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.bucket_type
    ADD CONSTRAINT bucket_type_topology_version_wallet_group_fkey FOREIGN KEY (topology_version, wallet_group) REFERENCES wallet.wallet_group(topology_version, code);

--
-- Name: casino_provider casino_provider_provider_type_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.casino_provider
    ADD CONSTRAINT casino_provider_provider_type_fkey FOREIGN KEY (provider_type) REFERENCES wallet.provider_type(code);

--
-- Name: group_policy group_policy_topology_version_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.group_policy
    ADD CONSTRAINT group_policy_topology_version_fkey FOREIGN KEY (topology_version) REFERENCES wallet.topology_version(version);

--
-- Name: provider_mapping provider_mapping_topology_version_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.provider_mapping
    ADD CONSTRAINT provider_mapping_topology_version_fkey FOREIGN KEY (topology_version) REFERENCES wallet.topology_version(version);

--
-- Name: provider_mapping provider_mapping_topology_version_wallet_group_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.provider_mapping
    ADD CONSTRAINT provider_mapping_topology_version_wallet_group_fkey FOREIGN KEY (topology_version, wallet_group) REFERENCES wallet.wallet_group(topology_version, code);

--
-- Name: rolling_progress rolling_progress_account_id_rolling_id_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.rolling_progress
    ADD CONSTRAINT rolling_progress_account_id_rolling_id_fkey FOREIGN KEY (account_id, rolling_id) REFERENCES wallet.rolling_obligation(account_id, rolling_id);

--
-- Name: transfer_edge transfer_edge_topology_version_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.transfer_edge
    ADD CONSTRAINT transfer_edge_topology_version_fkey FOREIGN KEY (topology_version) REFERENCES wallet.topology_version(version);

--
-- Name: transfer_edge transfer_edge_topology_version_from_type_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.transfer_edge
    ADD CONSTRAINT transfer_edge_topology_version_from_type_fkey FOREIGN KEY (topology_version, from_type) REFERENCES wallet.bucket_type(topology_version, code);

--
-- Name: transfer_edge transfer_edge_topology_version_to_type_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.transfer_edge
    ADD CONSTRAINT transfer_edge_topology_version_to_type_fkey FOREIGN KEY (topology_version, to_type) REFERENCES wallet.bucket_type(topology_version, code);

--
-- Name: wallet_group wallet_group_topology_version_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.wallet_group
    ADD CONSTRAINT wallet_group_topology_version_fkey FOREIGN KEY (topology_version) REFERENCES wallet.topology_version(version);

--
-- Name: withdrawal_source withdrawal_source_account_id_withdrawal_id_fkey; Type: FK CONSTRAINT; Schema: wallet; Owner: wallet_owner
--
ALTER TABLE ONLY wallet.withdrawal_source
    ADD CONSTRAINT withdrawal_source_account_id_withdrawal_id_fkey FOREIGN KEY (account_id, withdrawal_id) REFERENCES wallet.withdrawal(account_id, withdrawal_id);

--
-- Name: SCHEMA admin; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA admin TO wallet_admin;

--
-- Name: SCHEMA analytics; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA analytics TO wallet_analyst;
GRANT USAGE ON SCHEMA analytics TO wallet_dba;

--
-- Name: SCHEMA api; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA api TO wallet_api;

--
-- Name: SCHEMA casino; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA casino TO wallet_casino;

--
-- Name: SCHEMA events; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA events TO wallet_events;

--
-- Name: SCHEMA game; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA game TO wallet_game;

--
-- Name: SCHEMA ops; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA ops TO wallet_dba;

--
-- Name: SCHEMA payments; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA payments TO wallet_payments;

--
-- Name: SCHEMA player; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA player TO wallet_player;

--
-- Name: SCHEMA promotion; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA promotion TO wallet_promotion;

--
-- Name: SCHEMA wallet; Type: ACL; Schema: -; Owner: wallet_owner
--
GRANT USAGE ON SCHEMA wallet TO wallet_dba;

--
-- Name: TABLE bucket_type; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.bucket_type TO wallet_dba;

--
-- Name: TABLE group_policy; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.group_policy TO wallet_dba;

--
-- Name: TABLE adjustment; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.adjustment TO wallet_dba;

--
-- Name: FUNCTION _array_sum(p bigint[]); Type: ACL; Schema: wallet; Owner: wallet_owner
--
REVOKE ALL ON FUNCTION wallet._array_sum(p bigint[]) FROM PUBLIC;

--
-- Name: FUNCTION _bet_row_valid(p_status text, p_tombstone boolean, p_stake bigint, p_odds numeric, p_result text, p_payout bigint, p_topology_version integer, p_wallet_group text, p_policy_version integer, p_settle_txn_id bigint, p_sources text[], p_source_kinds text[], p_source_amounts bigint[], p_destinations text[], p_stakes_returned boolean[]); Type: ACL; Schema: wallet; Owner: wallet_owner
--
REVOKE ALL ON FUNCTION wallet._bet_row_valid(p_status text, p_tombstone boolean, p_stake bigint, p_odds numeric, p_result text, p_payout bigint, p_topology_version integer, p_wallet_group text, p_policy_version integer, p_settle_txn_id bigint, p_sources text[], p_source_kinds text[], p_source_amounts bigint[], p_destinations text[], p_stakes_returned boolean[]) FROM PUBLIC;

--
-- Name: TABLE bet; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.bet TO wallet_dba;

--
-- Name: TABLE account; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.account TO wallet_dba;

--
-- Name: TABLE casino_transaction; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.casino_transaction TO wallet_dba;

--
-- Name: TABLE game_session; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.game_session TO wallet_dba;

--
-- Name: FUNCTION _coupon_row_valid(p_amount bigint, p_remaining bigint, p_status text, p_provider_types text[], p_min_odds numeric, p_max_stake bigint, p_rolling_multiplier integer, p_expired bigint); Type: ACL; Schema: wallet; Owner: wallet_owner
--
REVOKE ALL ON FUNCTION wallet._coupon_row_valid(p_amount bigint, p_remaining bigint, p_status text, p_provider_types text[], p_min_odds numeric, p_max_stake bigint, p_rolling_multiplier integer, p_expired bigint) FROM PUBLIC;

--
-- Name: TABLE coupon; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.coupon TO wallet_dba;

--
-- Name: TABLE outbox; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.outbox TO wallet_dba;

--
-- Name: FUNCTION _forbid_change(); Type: ACL; Schema: wallet; Owner: wallet_owner
--
REVOKE ALL ON FUNCTION wallet._forbid_change() FROM PUBLIC;

--
-- Name: FUNCTION _ledger_entries_well_formed(p_targets text[], p_amounts bigint[], p_balances_after bigint[]); Type: ACL; Schema: wallet; Owner: wallet_owner
--
REVOKE ALL ON FUNCTION wallet._ledger_entries_well_formed(p_targets text[], p_amounts bigint[], p_balances_after bigint[]) FROM PUBLIC;

--
-- Name: TABLE ledger_txn; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.ledger_txn TO wallet_dba;

--
-- Name: FUNCTION _promotion_credit_row_valid(p_kind text, p_status text, p_amount bigint, p_rolling_multiplier integer, p_reversed bigint, p_unrecovered bigint); Type: ACL; Schema: wallet; Owner: wallet_owner
--
REVOKE ALL ON FUNCTION wallet._promotion_credit_row_valid(p_kind text, p_status text, p_amount bigint, p_rolling_multiplier integer, p_reversed bigint, p_unrecovered bigint) FROM PUBLIC;

--
-- Name: TABLE promotion_credit; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.promotion_credit TO wallet_dba;

--
-- Name: TABLE transfer; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.transfer TO wallet_dba;

--
-- Name: TABLE withdrawal; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.withdrawal TO wallet_dba;

--
-- Name: TABLE bucket; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.bucket TO wallet_dba;

--
-- Name: TABLE ledger_entry; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.ledger_entry TO wallet_dba;

--
-- Name: TABLE _reconciliation_checks; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics._reconciliation_checks TO wallet_dba;

--
-- Name: TABLE topology_version; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.topology_version TO wallet_dba;

--
-- Name: TABLE balances; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics.balances TO wallet_analyst;
GRANT SELECT ON TABLE analytics.balances TO wallet_dba;

--
-- Name: TABLE bet_source; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.bet_source TO wallet_dba;

--
-- Name: TABLE coupon_liability; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics.coupon_liability TO wallet_analyst;
GRANT SELECT ON TABLE analytics.coupon_liability TO wallet_dba;

--
-- Name: TABLE bet_extra_payout; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.bet_extra_payout TO wallet_dba;

--
-- Name: TABLE house_result_by_provider; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics.house_result_by_provider TO wallet_analyst;
GRANT SELECT ON TABLE analytics.house_result_by_provider TO wallet_dba;

--
-- Name: TABLE ledger_daily; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics.ledger_daily TO wallet_analyst;
GRANT SELECT ON TABLE analytics.ledger_daily TO wallet_dba;

--
-- Name: TABLE open_bet_exposure; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics.open_bet_exposure TO wallet_analyst;
GRANT SELECT ON TABLE analytics.open_bet_exposure TO wallet_dba;

--
-- Name: TABLE reconciliation; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics.reconciliation TO wallet_analyst;
GRANT SELECT ON TABLE analytics.reconciliation TO wallet_dba;

--
-- Name: TABLE rolling_obligation; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.rolling_obligation TO wallet_dba;

--
-- Name: TABLE rolling_status; Type: ACL; Schema: analytics; Owner: wallet_owner
--
GRANT SELECT ON TABLE analytics.rolling_status TO wallet_analyst;
GRANT SELECT ON TABLE analytics.rolling_status TO wallet_dba;

--
-- Name: TABLE api_key; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.api_key TO wallet_dba;

--
-- Name: TABLE audit_log; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.audit_log TO wallet_dba;

--
-- Name: TABLE betting_policy; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.betting_policy TO wallet_dba;

--
-- Name: TABLE casino_provider; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.casino_provider TO wallet_dba;

--
-- Name: TABLE casino_round; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.casino_round TO wallet_dba;

--
-- Name: TABLE deposit; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.deposit TO wallet_dba;

--
-- Name: TABLE error_code; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.error_code TO wallet_dba;

--
-- Name: TABLE repeat_key; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.repeat_key TO wallet_dba;

--
-- Name: TABLE idempotency; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.idempotency TO wallet_dba;

--
-- Name: TABLE provider_mapping; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.provider_mapping TO wallet_dba;

--
-- Name: TABLE provider_type; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.provider_type TO wallet_dba;

--
-- Name: TABLE relay_cursor; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.relay_cursor TO wallet_dba;

--
-- Name: TABLE relay_parked; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.relay_parked TO wallet_dba;

--
-- Name: TABLE relay_stream; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.relay_stream TO wallet_dba;

--
-- Name: TABLE resource_owner; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.resource_owner TO wallet_dba;

--
-- Name: TABLE rolling_progress; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.rolling_progress TO wallet_dba;

--
-- Name: TABLE transfer_edge; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.transfer_edge TO wallet_dba;

--
-- Name: TABLE wallet_group; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.wallet_group TO wallet_dba;

--
-- Name: TABLE withdrawal_source; Type: ACL; Schema: wallet; Owner: wallet_owner
--
GRANT SELECT ON TABLE wallet.withdrawal_source TO wallet_dba;

--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: -; Owner: wallet_owner
--
ALTER DEFAULT PRIVILEGES FOR ROLE wallet_owner REVOKE ALL ON FUNCTIONS  FROM PUBLIC;


--
-- PostgreSQL database dump complete
--
