-- The named business rules of procedures/core/rules.sql: each answers one question the same
-- way for every domain that asks it.
BEGIN;
SELECT plan(46);

-- Caller ids and keys (SPEC §2): printable ASCII but `/`, 1 to 128 long, not `.` or `..`.
SELECT ok(wallet._key_ok(p_key => k), format('%s is a caller key', k))
  FROM unnest(ARRAY['p1', 'a.b', '...', 'x?y#z%20', '!', repeat('k', 128), '~', 'bet:1', 'a\b', 'quote"d']) k;
SELECT ok(NOT coalesce(wallet._key_ok(p_key => k), false), format('%L is not a caller key', k))
  FROM unnest(ARRAY['a/b', '/', '.', '..', '', ' ', 'a b', repeat('k', 129), 'käse', E'tab\there', E'nl\n', NULL]) k;
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['p1', 'a/b', '.', '..', 'käse', 'a b', repeat('k', 128), repeat('k', 129)]) k
            WHERE wallet._key_ok(p_key => k) IS DISTINCT FROM (k ~ (SELECT substring(pg_get_constraintdef(oid) FROM $re$'(.*)'$re$)
                                                                        FROM pg_constraint WHERE conname = 'account_id_shape'))),
          0, 'the account id constraint and wallet._key_ok agree');

-- Reasons an operator gives: required, not blank, at most 1000 characters.
SELECT is(wallet._check_reason(p_errors => '[]', p_reason => 'kyc'), '[]', 'a reason passes');
SELECT is(wallet._check_reason(p_errors => '[]', p_reason => '  '), '[{"path": "reason", "message": "is required"}]',
          'a blank reason is refused');
SELECT is(wallet._check_reason(p_errors => '[]', p_reason => NULL), '[{"path": "reason", "message": "is required"}]',
          'a missing reason is refused');
SELECT is(wallet._check_reason(p_errors => '[]', p_reason => NULL, p_required => false), '[]', 'unless it is optional');
SELECT is(wallet._check_reason(p_errors => '[]', p_reason => repeat('r', 1001), p_required => false),
          '[{"path": "reason", "message": "must be at most 1000 characters"}]', 'an optional reason is still bounded');

-- The actor: the caller's name, or db:<session user> for a DBA who passes none.
SELECT is(wallet._actor(p_actor => 'ops'), 'ops', 'the caller names itself');
SELECT is(wallet._actor(p_actor => NULL), 'db:' || session_user, 'a DBA without a name is db:<session user>');

-- Coupons: usable = ACTIVE and unexpired; holds money = usable with something left.
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'rp1', p_currency => 'KRW', p_actor => 'tap')$$, 'a player');
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'rc-live', p_player_id => 'rp1', p_amount => 100,
                                                p_provider_types => ARRAY['SPORTS'], p_actor => 'tap')$$, 'a coupon');
-- jsonb_populate_record gives the same grant in another state, without touching the table.
SELECT ok(wallet._coupon_usable(c.status, c.expires_at) AND wallet._coupon_holds_money(c.status, c.expires_at, c.remaining), 'a fresh grant is usable and holds money')
  FROM wallet.coupon c WHERE coupon_id = 'rc-live';
SELECT ok(wallet._coupon_usable(x.status, x.expires_at) AND NOT wallet._coupon_holds_money(x.status, x.expires_at, x.remaining), 'used up: still usable, holds nothing')
  FROM wallet.coupon c, jsonb_populate_record(c, '{"remaining": 0}') x WHERE c.coupon_id = 'rc-live';
SELECT ok(NOT wallet._coupon_usable(x.status, x.expires_at) AND NOT wallet._coupon_holds_money(x.status, x.expires_at, x.remaining), 'expired: neither usable nor holding money')
  FROM wallet.coupon c, jsonb_populate_record(c, jsonb_build_object('expires_at', now() - interval '1 second')) x
 WHERE c.coupon_id = 'rc-live';
SELECT ok(wallet._coupon_usable(x.status, x.expires_at), 'expiring later: usable')
  FROM wallet.coupon c, jsonb_populate_record(c, jsonb_build_object('expires_at', now() + interval '1 hour')) x
 WHERE c.coupon_id = 'rc-live';
SELECT ok(NOT wallet._coupon_usable(x.status, x.expires_at) AND NOT wallet._coupon_holds_money(x.status, x.expires_at, x.remaining), 'reversed: neither')
  FROM wallet.coupon c, jsonb_populate_record(c, '{"status": "REVERSED"}') x WHERE c.coupon_id = 'rc-live';

-- Withdrawable money: WITHDRAWABLE first, then CASH of groups no DEPOSIT obligation locks.
SELECT lives_ok($$SELECT payments.deposit_create(p_deposit_id => 'rd1', p_player_id => 'rp1', p_amount => 500,
                                                 p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'tap'),
                         admin.admin_adjust(p_adjustment_id => 'ra1', p_player_id => 'rp1', p_bucket_type => 'CASINO_NORMAL',
                                            p_amount => 300, p_reason => 'r', p_actor => 'tap'),
                         admin.admin_adjust(p_adjustment_id => 'ra2', p_player_id => 'rp1', p_bucket_type => 'WITHDRAWABLE',
                                            p_amount => 200, p_reason => 'r', p_actor => 'tap')$$,
                'a deposit (locked by its rolling), casino cash (no obligation) and withdrawable money');
SELECT ok(wallet._group_cash_locked(p_account_id => 'rp1', p_group => 'SPORTS'), 'the deposit obligation locks SPORTS cash');
SELECT ok(NOT wallet._group_cash_locked(p_account_id => 'rp1', p_group => 'CASINO'), 'nothing locks CASINO cash');
SELECT results_eq($$SELECT bucket_type, balance FROM wallet._withdrawable_buckets(p_account_id => 'rp1')$$,
                  $$VALUES ('WITHDRAWABLE'::text, 200::bigint), ('CASINO_NORMAL', 300)$$,
                  'withdrawable buckets, in the order a withdrawal takes them');
SELECT is(wallet._withdrawable(p_account_id => 'rp1'), 500::bigint, 'the withdrawable amount is their sum');

-- A pro-rata amount (wallet._pro_rata_floor, _pro_rata_ceil) is the exact floor and ceiling of
-- amount × part / whole, the product within a bigint or past it; the reference rounds the product
-- to 20 decimals before dividing, finer than any fraction of a whole below 2^63.
SELECT is((SELECT count(*)::int
             FROM generate_series(-40, 40, 3) a, generate_series(-9, 30, 4) p, generate_series(1, 37, 6) w
            WHERE wallet._pro_rata_floor(a, p, w) IS DISTINCT FROM floor(round(a::numeric * p, 20) / w)::bigint
               OR wallet._pro_rata_ceil(a, p, w) IS DISTINCT FROM ceil(round(a::numeric * p, 20) / w)::bigint),
          0, 'pro rata: floor and ceiling on a grid of small values, negatives included');
CREATE TEMP TABLE big_case (a bigint, p bigint, w bigint);
INSERT INTO big_case VALUES (3037000499, 3037000499, 7), (3037000500, 3037000500, 1000000000000000000),
    (9223372036854775807, 1, 2), (9223372036854775806, 1, 9223372036854775807), (99999999999999999, 5000, 10000),
    (100000000000000000, 100000000000000000, 100000000000000001), (99999999999999998, 1, 3),
    (4611686018427387904, 2, 3), (4611686018427387903, 2, 3), (-4611686018427387904, 2, 3), (-4611686018427387905, 2, 3),
    (99999999999990001, 12000, 10000);
SELECT is((SELECT count(*)::int FROM big_case
            WHERE wallet._pro_rata_floor(a, p, w) IS DISTINCT FROM floor(round(a::numeric * p, 20) / w)::bigint),
          0, 'pro rata floor where the product reaches or passes what a bigint holds');
SELECT is((SELECT count(*)::int FROM big_case
            WHERE wallet._pro_rata_ceil(a, p, w) IS DISTINCT FROM ceil(round(a::numeric * p, 20) / w)::bigint),
          0, 'pro rata ceiling there too');
SELECT is(wallet._pro_rata_ceil(99999999999990001, 12000, 10000), 119999999999988002::bigint,
          'a requirement of 18 digits rounds up (119,999,999,999,988,001.2)');

SELECT finish();
ROLLBACK;
