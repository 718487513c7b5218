-- Transfers along topology edges: limits, rates, rolling inheritance (SPEC §3, §4, §5a).
BEGIN;
SELECT plan(32);

CREATE FUNCTION pg_temp.obligations(p_player text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s:%s %s/%s/%s %s', r.wallet_group, r.kind, r.base_amount, r.required, r.progress, r.status), ', ' ORDER BY r.rolling_id)
      FROM wallet.rolling_obligation r WHERE r.account_id = p_player
$$;

SELECT lives_ok($$SELECT wallet.open_account('tp1', 'EUR', 'tap');
                   SELECT wallet.deposit_create('tp1-d', 'tp1', 10000, 'SPORTS_NORMAL', true, 'pay');
                   SELECT wallet.bet_authorize('tb1', 'tp1', 'SPORTS', 'book', 2000, NULL, NULL, 'game');
                   SELECT wallet.bet_settle('tb1', 'tp1', 's-tb1', 'LOSS', 0, 'game')$$,
                'tp1: deposit 10000, lose a 2000 bet: SPORTS cash 8000, rolling 2000 of 10000');
SELECT is(pg_temp.obligations('tp1'), 'SPORTS:DEPOSIT 10000/10000/2000 ACTIVE', 'one obligation');

-- normal → normal: half the group's cash moves half the obligation (outstanding part).
SELECT is(wallet.transfer_create('t1', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 4000, 'player') - 'rolling' - 'arrival_rolling_id' - 'inherited_rolling_id',
          '{"to": "CASINO_NORMAL", "from": "SPORTS_NORMAL", "debited": 4000, "credited": 4000, "transfer_id": "t1", "rolling_moved": 4000}',
          'transfer 4000 of 8000 to CASINO');
SELECT is(pg_temp.obligations('tp1'), 'SPORTS:DEPOSIT 5000/6000/2000 ACTIVE, CASINO:DEPOSIT 5000/4000/0 ACTIVE',
          'base and outstanding requirement moved in proportion, progress stayed');
SELECT is(tap_helpers.bal('tp1', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('tp1', 'CASINO_NORMAL'), '4000/4000', 'money moved');
SELECT is(wallet.transfer_create('t1', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 4000, 'player')->>'credited', '4000', 'a replay answers the same');
SELECT is(tap_helpers.bal('tp1', 'CASINO_NORMAL'), 4000::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t1', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 5, 'player')$$)->>'sqlstate', 'RW007',
          'same id, other amount: IDEMPOTENCY_CONFLICT');

-- Refusals.
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t2', 'tp1', 'SPORTS_BONUS', 'CASINO_NORMAL', 5, 'player')$$)->>'reason', 'no_edge',
          'no edge SPORTS_BONUS -> CASINO_NORMAL');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t2', 'tp1', 'SPORTS_BONUS', 'CASINO_NORMAL', 5, 'player')$$)->>'sqlstate', 'RW016',
          'is TRANSFER_NOT_ALLOWED');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t2', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 4001, 'player')$$),
          '{"sqlstate": "RW006", "available": 4000, "requested": 4001, "bucket_type": "SPORTS_NORMAL"}', 'more than the bucket holds');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t2', 'tp1', 'GOLD', 'CASINO_NORMAL', 5, 'player')$$)->'errors'->0->>'path', 'from',
          'an unknown bucket type names the field');
SELECT lives_ok($$SELECT wallet.promotion_credit('tp1-c', 'tp1', 'CASHBACK', 1500, NULL, 0, 'promo')$$, '1500 points');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t3', 'tp1', 'POINTS', 'SPORTS_NORMAL', 999, 'player')$$)->>'reason', 'edge_limits',
          'points → normal below the edge minimum (1000)');
SELECT is(wallet.transfer_create('t3', 'tp1', 'POINTS', 'SPORTS_NORMAL', 1000, 'player')->>'rolling_moved', '0',
          'points → normal at the minimum; points carry no rolling');
SELECT is(pg_temp.obligations('tp1'), 'SPORTS:DEPOSIT 5000/6000/2000 ACTIVE, CASINO:DEPOSIT 5000/4000/0 ACTIVE',
          'no arrival rolling by default (rate 0)');

-- Money policy limits and arrival rolling; rates of a new topology edge.
SELECT lives_ok($$SELECT wallet.group_policy_create('CASINO', '{"transfer": {"max": 3000, "arrival_rolling_bps": 5000}}', 'limits', NULL, 'ops');
                   SELECT wallet.group_policy_activate('CASINO', 2, 'limits', 'ops')$$, 'CASINO: transfers up to 3000, arriving money rolls 50%');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t4', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 3001, 'player')$$)->>'reason',
          'policy_limits', 'above the target group''s money policy maximum');
SELECT is(wallet.transfer_create('t4', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 2500, 'player')->>'arrival_rolling_id' IS NOT NULL, true,
          'arriving money opens an obligation');
SELECT is((SELECT required FROM wallet.rolling_obligation WHERE source_kind = 'transfer' AND source_id = 't4' ORDER BY rolling_id DESC LIMIT 1),
          1250::bigint, 'of 50% of 2500');
SELECT lives_ok($$SELECT wallet.topology_create(wallet._default_topology_document() || jsonb_build_object('transfer_edges',
                          (wallet._default_topology_document()->'transfer_edges') || '[{"from": "POINTS", "to": "CASINO_BONUS", "rate": [10, 1]}]'::jsonb),
                          'points to casino bonus 10:1', 'ops');
                   SELECT wallet.topology_activate(2, 'points to casino bonus', '[]', 'ops')$$, 'topology 2 adds POINTS -> CASINO_BONUS at 10:1');
SELECT lives_ok($$SELECT wallet.promotion_credit('tp1-c2', 'tp1', 'REBATE', 1000, NULL, 0, 'promo')$$, '1000 more points');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t5', 'tp1', 'POINTS', 'CASINO_BONUS', 15, 'player')$$)->>'reason', 'rate',
          '15 points at 10:1 is not a whole amount');
SELECT is(wallet.transfer_create('t5', 'tp1', 'POINTS', 'CASINO_BONUS', 20, 'player')->>'credited', '2', '20 points give 2');
SELECT is(tap_helpers.bal('tp1', 'POINTS') || '/' || tap_helpers.bal('tp1', 'CASINO_BONUS'), '1480/2', 'balances after the rated transfer');

-- NONE inheritance keeps obligations where they are.
SELECT lives_ok($$SELECT wallet.group_policy_create('SPORTS', '{"transfer": {"rolling_inheritance": "NONE"}}', 'none', NULL, 'ops');
                   SELECT wallet.group_policy_activate('SPORTS', 2, 'none', 'ops');
                   SELECT wallet.transfer_create('t6', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 500, 'player')$$,
                'SPORTS inheritance NONE, transfer 500');
SELECT is((SELECT required FROM wallet.rolling_obligation r
            WHERE r.account_id = 'tp1' AND r.wallet_group = 'SPORTS' AND r.kind = 'DEPOSIT' ORDER BY rolling_id LIMIT 1), 4000::bigint,
          'the SPORTS obligation keeps its requirement (it had 4000 after t1 and t4)');

-- Money going back and forth opens at most one obligation per transfer, never one per source
-- obligation (which would multiply them).
SELECT lives_ok($$SELECT wallet.open_account('tp2', 'EUR', 'tap');
                   SELECT wallet.deposit_create('tp2-d1', 'tp2', 1000, 'SPORTS_NORMAL', true, 'pay');
                   SELECT wallet.deposit_create('tp2-d2', 'tp2', 1000, 'SPORTS_NORMAL', true, 'pay');
                   SELECT wallet.transfer_create('tp2-t' || i, 'tp2', CASE WHEN i % 2 = 0 THEN 'SPORTS_NORMAL' ELSE 'CASINO_NORMAL' END,
                                                 CASE WHEN i % 2 = 0 THEN 'CASINO_NORMAL' ELSE 'SPORTS_NORMAL' END, 500, 'player')
                     FROM generate_series(0, 9) i$$, 'tp2: two deposits, then ten transfers of 500 back and forth');
SELECT is((SELECT count(*)::int FROM wallet.rolling_obligation WHERE account_id = 'tp2' AND source_kind = 'transfer'), 10,
          'ten transfers, ten inherited obligations');
SELECT is((SELECT sum(required - progress)::bigint FROM wallet.rolling_obligation WHERE account_id = 'tp2' AND status = 'ACTIVE')
          >= 2000, true, 'and the outstanding requirement is never lost (rounding only adds)');

-- Frozen accounts transfer nothing.
SELECT lives_ok($$SELECT wallet.account_set_status('tp1', 'frozen', 'kyc', 'ops')$$, 'freeze');
SELECT is(tap_helpers.error_of($$SELECT wallet.transfer_create('t7', 'tp1', 'SPORTS_NORMAL', 'CASINO_NORMAL', 1, 'player')$$)->>'sqlstate', 'RW003',
          'ACCOUNT_FROZEN');

SELECT finish();
ROLLBACK;
