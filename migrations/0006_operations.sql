-- Operations (SPEC §6, §11, issue 15): the relay's per-account delivery state, parked events,
-- coupon expiry, and the indexes housekeeping scans by.  The design is docs/relay.md; the
-- functions are procedures/events/relays.sql and procedures/housekeeping/.
-- depends: 0005_lean_money_path

-- The relay's state per account (one consumer): `head` is the delivery id of the account's
-- oldest event not yet acknowledged or parked (NULL: nothing waits), leased to one relay at a
-- time.  Written only by the relay's own functions, never in a money transaction.
CREATE TABLE wallet.relay_stream (
    account_id      text        PRIMARY KEY,
    head            bigint,
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_owner     text,
    lease_until     timestamptz,
    last_error      text,
    CONSTRAINT relay_stream_lease_whole CHECK ((lease_owner IS NULL) = (lease_until IS NULL))
);
CREATE INDEX relay_stream_due ON wallet.relay_stream (head) WHERE head IS NOT NULL;

-- Events the relay gave up on after its last try, with the reason.
CREATE TABLE wallet.relay_parked (
    account_id  text        NOT NULL,
    delivery_id bigint      NOT NULL,
    event_id    bigint      NOT NULL,
    attempts    integer     NOT NULL,
    reason      text        NOT NULL,
    parked_by   text        NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, delivery_id)
);

-- How far stamped events have been copied into relay_stream (a single row).
CREATE TABLE wallet.relay_cursor (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    stamped_upto bigint  NOT NULL
);
INSERT INTO wallet.relay_cursor (stamped_upto) VALUES (0);

-- An account's events in delivery order (the relay moves a head to the next one), and the
-- delivered events by age (pruning).
CREATE INDEX outbox_account_delivery ON wallet.outbox (account_id, delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX outbox_published ON wallet.outbox (published_at) WHERE published_at IS NOT NULL;

-- Coupon expiry (SPEC §11): an EXPIRED coupon has remaining 0; `expired` is what the expiry
-- took back to PROMOTION (so a later reversal reports what was really consumed).
ALTER TABLE wallet.coupon DROP CONSTRAINT coupon_status_check;
ALTER TABLE wallet.coupon ADD CONSTRAINT coupon_status_check CHECK (status IN ('ACTIVE', 'REVERSED', 'EXPIRED'));
ALTER TABLE wallet.coupon ADD COLUMN expired bigint NOT NULL DEFAULT 0 CONSTRAINT coupon_expired_in_range CHECK (expired >= 0);
ALTER TABLE wallet.coupon ADD CONSTRAINT coupon_expired_holds_nothing CHECK (status <> 'EXPIRED' OR remaining = 0);
CREATE INDEX coupon_expiry_due ON wallet.coupon (expires_at) WHERE status = 'ACTIVE' AND expires_at IS NOT NULL;
