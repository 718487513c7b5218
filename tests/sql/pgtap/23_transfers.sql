-- Transfers along topology edges: limits, rates, rolling inheritance (SPEC §3, §4, §5a).
BEGIN;
SELECT plan(34);

CREATE FUNCTION pg_temp.obligations(p_player text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(format('%s:%s %s/%s/%s %s', r.wallet_group, r.kind, r.base_amount, r.required, r.progress, r.status), ', ' ORDER BY r.rolling_id)
      FROM wallet.rolling_obligation r WHERE r.account_id = p_player
$$;

SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'tp1', p_currency => 'EUR', p_actor => 'tap');
                   SELECT payments.deposit_create(p_deposit_id => 'tp1-d', p_player_id => 'tp1', p_amount => 10000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT game.bet_authorize(p_bet_id => 'tb1', p_player_id => 'tp1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 2000, p_odds => NULL, p_selected_source => NULL, p_actor => 'game');
                   SELECT game.bet_settle(p_bet_id => 'tb1', p_player_id => 'tp1', p_settlement_id => 's-tb1', p_result => 'LOSS', p_payout => 0, p_actor => 'game')$$,
                'tp1: deposit 10000, lose a 2000 bet: SPORTS cash 8000, rolling 2000 of 10000');
SELECT is(pg_temp.obligations('tp1'), 'SPORTS:DEPOSIT 10000/10000/2000 ACTIVE', 'one obligation');

-- normal → normal: half the group's cash moves half the obligation (outstanding part).
SELECT is(player.transfer_create(p_transfer_id => 't1', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 4000, p_actor => 'player') - 'rolling' - 'arrival_rolling_id' - 'inherited_rolling_id',
          '{"to": "CASINO_NORMAL", "from": "SPORTS_NORMAL", "debited": 4000, "credited": 4000, "transfer_id": "t1", "rolling_moved": 4000}',
          'transfer 4000 of 8000 to CASINO');
SELECT is(pg_temp.obligations('tp1'), 'SPORTS:DEPOSIT 5000/6000/2000 ACTIVE, CASINO:DEPOSIT 5000/4000/0 ACTIVE',
          'base and outstanding requirement moved in proportion, progress stayed');
SELECT is(tap_helpers.bal('tp1', 'SPORTS_NORMAL') || '/' || tap_helpers.bal('tp1', 'CASINO_NORMAL'), '4000/4000', 'money moved');
-- The inherited obligation names the transfer as its source; the list of what each obligation
-- gave is the transfer's record (ADR 0008), not a copy in the obligation's snapshot.
SELECT is((SELECT t.rolling FROM wallet.rolling_obligation o
             JOIN wallet.transfer t ON t.account_id = o.account_id AND t.transfer_id = o.source_id
            WHERE o.account_id = 'tp1' AND o.wallet_group = 'CASINO' AND o.source_kind = 'transfer' AND o.source_id = 't1'
              AND o.rolling_id = (t.inherited_rolling_id)),
          (SELECT jsonb_build_array(jsonb_build_object('from_rolling_id', rolling_id, 'base_amount', 5000, 'required', 4000))
             FROM wallet.rolling_obligation WHERE account_id = 'tp1' AND wallet_group = 'SPORTS'),
          'the inherited obligation''s lineage: its transfer''s record lists the share each obligation gave');
SELECT is((SELECT policy_snapshot ? 'inherited_from' FROM wallet.rolling_obligation o
            WHERE o.account_id = 'tp1' AND o.source_kind = 'transfer' AND o.source_id = 't1' AND o.wallet_group = 'CASINO'
              AND o.rolling_id = (SELECT inherited_rolling_id FROM wallet.transfer WHERE account_id = 'tp1' AND transfer_id = 't1')),
          false, 'its snapshot keeps the policy it moved under, not a second copy of that list');
SELECT is(player.transfer_create(p_transfer_id => 't1', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 4000, p_actor => 'player')->>'credited', '4000', 'a replay answers the same');
SELECT is(tap_helpers.bal('tp1', 'CASINO_NORMAL'), 4000::bigint, 'and moves nothing');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't1', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 5, p_actor => 'player')$$)->>'sqlstate', 'RW007',
          'same id, other amount: IDEMPOTENCY_CONFLICT');

-- Refusals.
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't2', p_player_id => 'tp1', p_from => 'SPORTS_BONUS', p_to => 'CASINO_NORMAL', p_amount => 5, p_actor => 'player')$$)->>'reason', 'no_edge',
          'no edge SPORTS_BONUS -> CASINO_NORMAL');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't2', p_player_id => 'tp1', p_from => 'SPORTS_BONUS', p_to => 'CASINO_NORMAL', p_amount => 5, p_actor => 'player')$$)->>'sqlstate', 'RW016',
          'is TRANSFER_NOT_ALLOWED');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't2', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 4001, p_actor => 'player')$$),
          '{"sqlstate": "RW006", "available": 4000, "requested": 4001, "bucket_type": "SPORTS_NORMAL"}', 'more than the bucket holds');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't2', p_player_id => 'tp1', p_from => 'GOLD', p_to => 'CASINO_NORMAL', p_amount => 5, p_actor => 'player')$$)->'errors'->0->>'path', 'from',
          'an unknown bucket type names the field');
SELECT lives_ok($$SELECT promotion.promotion_credit(p_credit_id => 'tp1-c', p_player_id => 'tp1', p_kind => 'CASHBACK', p_amount => 1500, p_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo')$$, '1500 points');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't3', p_player_id => 'tp1', p_from => 'POINTS', p_to => 'SPORTS_NORMAL', p_amount => 999, p_actor => 'player')$$)->>'reason', 'edge_limits',
          'points → normal below the edge minimum (1000)');
SELECT is(player.transfer_create(p_transfer_id => 't3', p_player_id => 'tp1', p_from => 'POINTS', p_to => 'SPORTS_NORMAL', p_amount => 1000, p_actor => 'player')->>'rolling_moved', '0',
          'points → normal at the minimum; points carry no rolling');
SELECT is(pg_temp.obligations('tp1'), 'SPORTS:DEPOSIT 5000/6000/2000 ACTIVE, CASINO:DEPOSIT 5000/4000/0 ACTIVE',
          'no arrival rolling by default (rate 0)');

-- Money policy limits and arrival rolling; rates of a new topology edge.
SELECT lives_ok($$SELECT admin.group_policy_create(p_wallet_group => 'CASINO', p_document => '{"transfer": {"max": 3000, "arrival_rolling_bps": 5000}}', p_reason => 'limits', p_topology_version => NULL, p_actor => 'ops');
                   SELECT admin.group_policy_activate(p_wallet_group => 'CASINO', p_version => 2, p_reason => 'limits', p_actor => 'ops')$$, 'CASINO: transfers up to 3000, arriving money rolls 50%');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't4', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 3001, p_actor => 'player')$$)->>'reason',
          'policy_limits', 'above the target group''s money policy maximum');
SELECT is(player.transfer_create(p_transfer_id => 't4', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 2500, p_actor => 'player')->>'arrival_rolling_id' IS NOT NULL, true,
          'arriving money opens an obligation');
SELECT is((SELECT required::bigint FROM wallet.rolling_obligation WHERE source_kind = 'transfer' AND source_id = 't4' ORDER BY rolling_id DESC LIMIT 1),
          1250::bigint, 'of 50% of 2500');
SELECT lives_ok($$SELECT admin.topology_create(p_document => wallet._default_topology_document() || jsonb_build_object('transfer_edges',
                          (wallet._default_topology_document()->'transfer_edges') || '[{"from": "POINTS", "to": "CASINO_BONUS", "rate": [10, 1]}]'::jsonb),
                          p_reason => 'points to casino bonus 10:1', p_actor => 'ops');
                   SELECT admin.topology_activate(p_version => 2, p_reason => 'points to casino bonus', p_policy_versions => '[]', p_actor => 'ops')$$, 'topology 2 adds POINTS -> CASINO_BONUS at 10:1');
SELECT lives_ok($$SELECT promotion.promotion_credit(p_credit_id => 'tp1-c2', p_player_id => 'tp1', p_kind => 'REBATE', p_amount => 1000, p_bucket_type => NULL, p_rolling_multiplier => 0, p_actor => 'promo')$$, '1000 more points');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't5', p_player_id => 'tp1', p_from => 'POINTS', p_to => 'CASINO_BONUS', p_amount => 15, p_actor => 'player')$$)->>'reason', 'rate',
          '15 points at 10:1 is not a whole amount');
SELECT is(player.transfer_create(p_transfer_id => 't5', p_player_id => 'tp1', p_from => 'POINTS', p_to => 'CASINO_BONUS', p_amount => 20, p_actor => 'player')->>'credited', '2', '20 points give 2');
SELECT is(tap_helpers.bal('tp1', 'POINTS') || '/' || tap_helpers.bal('tp1', 'CASINO_BONUS'), '1480/2', 'balances after the rated transfer');

-- NONE inheritance keeps obligations where they are.
SELECT lives_ok($$SELECT admin.group_policy_create(p_wallet_group => 'SPORTS', p_document => '{"transfer": {"rolling_inheritance": "NONE"}}', p_reason => 'none', p_topology_version => NULL, p_actor => 'ops');
                   SELECT admin.group_policy_activate(p_wallet_group => 'SPORTS', p_version => 2, p_reason => 'none', p_actor => 'ops');
                   SELECT player.transfer_create(p_transfer_id => 't6', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 500, p_actor => 'player')$$,
                'SPORTS inheritance NONE, transfer 500');
SELECT is((SELECT required::bigint FROM wallet.rolling_obligation r
            WHERE r.account_id = 'tp1' AND r.wallet_group = 'SPORTS' AND r.kind = 'DEPOSIT' ORDER BY rolling_id LIMIT 1), 4000::bigint,
          'the SPORTS obligation keeps its requirement (it had 4000 after t1 and t4)');

-- Money going back and forth opens at most one obligation per transfer, never one per source
-- obligation (which would multiply them).
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'tp2', p_currency => 'EUR', p_actor => 'tap');
                   SELECT payments.deposit_create(p_deposit_id => 'tp2-d1', p_player_id => 'tp2', p_amount => 1000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT payments.deposit_create(p_deposit_id => 'tp2-d2', p_player_id => 'tp2', p_amount => 1000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT player.transfer_create(p_transfer_id => 'tp2-t' || i, p_player_id => 'tp2', p_from => CASE WHEN i % 2 = 0 THEN 'SPORTS_NORMAL' ELSE 'CASINO_NORMAL' END,
                                                 p_to => CASE WHEN i % 2 = 0 THEN 'CASINO_NORMAL' ELSE 'SPORTS_NORMAL' END, p_amount => 500, p_actor => 'player')
                     FROM generate_series(0, 9) i$$, 'tp2: two deposits, then ten transfers of 500 back and forth');
SELECT is((SELECT count(*)::int FROM wallet.rolling_obligation WHERE account_id = 'tp2' AND source_kind = 'transfer'), 10,
          'ten transfers, ten inherited obligations');
SELECT is((SELECT sum(required - progress)::bigint FROM wallet.rolling_obligation WHERE account_id = 'tp2' AND status = 'ACTIVE')
          >= 2000, true, 'and the outstanding requirement is never lost (rounding only adds)');

-- Frozen accounts transfer nothing.
SELECT lives_ok($$SELECT admin.account_set_status(p_player_id => 'tp1', p_status => 'frozen', p_reason => 'kyc', p_actor => 'ops')$$, 'freeze');
SELECT is(tap_helpers.error_of($$SELECT player.transfer_create(p_transfer_id => 't7', p_player_id => 'tp1', p_from => 'SPORTS_NORMAL', p_to => 'CASINO_NORMAL', p_amount => 1, p_actor => 'player')$$)->>'sqlstate', 'RW003',
          'ACCOUNT_FROZEN');

SELECT finish();
ROLLBACK;
