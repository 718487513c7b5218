-- ops.rolling_contribution (progress a settled bet earns) and ops.rolling_inheritance
-- (the part of an obligation that moves with transferred money), SPEC §4 and §5a.
BEGIN;
SELECT plan(31);

CREATE TEMP TABLE contribution_case (name text, result text, stake bigint, odds numeric, rate int,
                                     min_odds numeric, void_counts boolean, expected bigint);
INSERT INTO contribution_case VALUES
  ('WIN counts at 100%',                     'WIN',     1000, 1.85, 10000, NULL, false, 1000),
  ('LOSS counts',                            'LOSS',    1000, 1.85, 10000, NULL, false, 1000),
  ('CASHOUT counts',                         'CASHOUT', 1000, 1.85, 10000, NULL, false, 1000),
  ('LIVE contributes 10%',                   'LOSS',    1000, NULL,  1000, NULL, false, 100),
  ('contribution is floored',                'LOSS',       5, NULL,  1000, NULL, false, 0),
  ('floored, not rounded',                   'WIN',       19, NULL,   500, NULL, false, 0),
  ('one unit at 100%',                       'WIN',        1, NULL, 10000, NULL, false, 1),
  ('VOID counts nothing by default',         'VOID',    1000, 2.00, 10000, NULL, false, 0),
  ('VOID counts when the policy says so',    'VOID',    1000, 2.00, 10000, NULL, true, 1000),
  ('odds below min_odds count nothing',      'WIN',     1000, 1.49, 10000, 1.5, false, 0),
  ('odds at min_odds count',                 'WIN',     1000, 1.50, 10000, 1.5, false, 1000),
  ('no odds under a min_odds rule count nothing', 'LOSS', 1000, NULL, 10000, 1.5, false, 0),
  ('no min_odds: odds do not matter',        'LOSS',    1000, NULL, 10000, NULL, false, 1000),
  ('zero rate',                              'WIN',     1000, 3.0,      0, NULL, false, 0),
  ('large stake',                            'WIN', 900000000000000, NULL, 9999, NULL, false, 899910000000000);

SELECT is(ops.rolling_contribution(p_result => result, p_stake => stake, p_odds => odds, p_rate_bps => rate, p_min_odds => min_odds, p_void_counts => void_counts), expected, name)
  FROM contribution_case ORDER BY name;

CREATE TEMP TABLE inheritance_case (name text, amount bigint, group_balance bigint, base bigint, required bigint,
                                    progress bigint, moved_base bigint, moved_required bigint);
INSERT INTO inheritance_case VALUES
  ('half the money moves half the obligation',   500, 1000, 1000, 1000,   0, 500, 500),
  ('rounded up',                                   1,    3,   10,   10,   0,   4,   4),
  ('all the money moves all of it',             1000, 1000, 1000, 2000,   0, 1000, 2000),
  ('only the outstanding requirement moves',     500, 1000, 1000, 1000, 600, 500, 200),
  ('a met requirement moves nothing of it',      500, 1000, 1000, 1000, 1000, 500, 0),
  ('capped at what there is',                    999, 1000,    1,    1,   0,   1,   1),
  ('one unit of a large balance',                  1, 1000000, 1000000, 3000000, 0, 1, 3),
  ('nothing moves out of an empty group',          0,    0,  500,  500,   0,   0,   0);

SELECT is(ops.rolling_inheritance(p_amount => amount, p_group_balance => group_balance, p_base => base, p_required => required, p_progress => progress),
          (moved_base, moved_required)::wallet.rolling_share, name)
  FROM inheritance_case ORDER BY name;

-- The unchecked arithmetic a transfer's statement uses (wallet._rolling_moved_share) is the same
-- rule: equal on every case above, and on a grid of amounts, balances and states equal to the
-- rule as SPEC §5a states it, written out here in exact arithmetic (a division with 20 decimals)
-- rather than asked of ops.rolling_inheritance, which calls the function under test.
SELECT is((SELECT count(*)::int FROM inheritance_case
            WHERE wallet._rolling_moved_share(amount, group_balance, base, required, progress)
                  IS DISTINCT FROM (moved_base, moved_required)::wallet.rolling_share),
          0, 'the transfer''s share arithmetic answers every case alike');
SELECT is((SELECT count(*)::int
             FROM generate_series(0, 60, 3) amount, generate_series(60, 120, 7) group_balance,
                  generate_series(0, 50, 5) base, generate_series(0, 90, 9) required, generate_series(0, 90, 10) progress
            WHERE progress <= required
              AND wallet._rolling_moved_share(amount, group_balance, base, required, progress)
                  IS DISTINCT FROM (least(base, ceil(round(base::numeric * amount, 20) / group_balance)::bigint),
                                    least(required - progress,
                                          ceil(round((required - progress)::numeric * amount, 20) / group_balance)::bigint)
                                   )::wallet.rolling_share),
          0, 'and the rule itself (base and outstanding requirement in proportion, rounded up, capped) on a grid');

-- Large amounts: the rounding is exact.  Numeric division gave a quotient only as many decimals as
-- make 16 significant digits (four for 13 to 16 digits, none past that), rounded, before
-- wallet._pro_rata_*: past the API's 10^15 limit that reached the progress and a share's floor,
-- within it the ceiling of an inherited share (the last case).
SELECT is(ops.rolling_contribution(p_result => 'WIN', p_stake => 99999999999999999, p_odds => NULL, p_rate_bps => 5000,
                                   p_min_odds => NULL, p_void_counts => false),
          49999999999999999::bigint, 'progress is floored exactly for a stake of 17 digits (49,999,999,999,999,999.5)');
SELECT is(ops.rolling_inheritance(p_amount => 1, p_group_balance => 3, p_base => 99999999999999997, p_required => 99999999999999997, p_progress => 0),
          (33333333333333333, 33333333333333333)::wallet.rolling_share,
          'an inherited share is rounded up exactly (33,333,333,333,333,332.33)');
SELECT is(ops.rolling_inheritance(p_amount => 999999999999999, p_group_balance => 1000000000000000, p_base => 999999999999999,
                                  p_required => 999999999999999, p_progress => 0),
          (999999999999999, 999999999999999)::wallet.rolling_share,
          'and within the API''s 10^15 limit on an amount (999,999,999,999,998.000000000000001: numeric had given it four decimals)');

SELECT throws_ok($$SELECT ops.rolling_inheritance(p_amount => 1001, p_group_balance => 1000, p_base => 10, p_required => 10, p_progress => 0)$$, 'RW001', NULL,
                 'moving more than the group holds is refused');
SELECT throws_ok($$SELECT ops.rolling_contribution(p_result => 'PUSH', p_stake => 10, p_odds => NULL, p_rate_bps => 10000, p_min_odds => NULL, p_void_counts => false)$$, 'RW001', NULL,
                 'an unknown result is refused');
SELECT is((SELECT count(*)::int FROM generate_series(1, 1000) amount
            WHERE (ops.rolling_inheritance(p_amount => amount, p_group_balance => 1000, p_base => 777, p_required => 2331, p_progress => 100)).moved_required
                  NOT BETWEEN ceil((2331 - 100) * amount / 1000.0) AND 2331 - 100),
          0, 'moved requirement is the outstanding share rounded up, never more than outstanding');

SELECT finish();
ROLLBACK;
