-- Topology and policy versions: create (draft, validated, audited), activate (one transaction,
-- refused with the blockers when money or live records would be stranded), audit log and
-- outbox.  Refusals are returned as {"refused": {...}} so that the audit row of the refused
-- attempt is committed with it.
BEGIN;
SELECT plan(48);

CREATE FUNCTION pg_temp.doc_with(p_extra jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT wallet._default_topology_document()
           || jsonb_build_object('bucket_types', (wallet._default_topology_document()->'bucket_types') || p_extra)
$$;
CREATE FUNCTION pg_temp.doc_without(p_code text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT wallet._default_topology_document() || jsonb_build_object('bucket_types',
           (SELECT jsonb_agg(b) FROM jsonb_array_elements(wallet._default_topology_document()->'bucket_types') b WHERE b->>'code' <> p_code))
$$;

-- The defaults migrate leaves.
SELECT is(wallet._active_topology(), 1, 'topology 1 is active after migrate');
SELECT is((SELECT array_agg(provider_type || ':' || version ORDER BY provider_type) FROM wallet.betting_policy WHERE status = 'ACTIVE'),
          '{LIVE:1,SLOTS:1,SPORTS:1}'::text[], 'one active betting policy per provider type');
SELECT is((SELECT array_agg(wallet_group ORDER BY wallet_group) FROM wallet.group_policy WHERE status = 'ACTIVE'),
          '{CASINO,SPORTS}'::text[], 'one active money policy per wallet group');
SELECT is((SELECT rolling_bps FROM wallet.betting_policy WHERE provider_type = 'LIVE' AND status = 'ACTIVE'), 1000,
          'LIVE contributes 10% (resolved column)');

-- Create: valid → DRAFT with its rows; invalid → refused, audited, nothing stored.
SELECT is(admin.topology_create(p_document => pg_temp.doc_with('[{"code": "VIP_CASH", "kind": "CASH", "group": "SPORTS", "bettable": true, "accepts_deposit": true, "accepts_winnings": true}]'),
                                 p_reason => 'add VIP', p_actor => 'ops'),
          '{"version": 2, "status": "DRAFT"}', 'a valid document becomes draft version 2');
SELECT is((SELECT count(*)::int FROM wallet.bucket_type WHERE topology_version = 2), 7, 'its bucket types are stored as rows');
SELECT is(wallet._active_topology(), 1, 'a draft changes nothing');
SELECT is(admin.topology_create(p_document => jsonb_set(wallet._default_topology_document(), '{bucket_types,0,kind}', '"GOLD"'), p_reason => 'bad', p_actor => 'ops')#>>'{refused,code}',
          'TOPOLOGY_INVALID', 'an invalid document is refused');
SELECT is(jsonb_array_length(admin.topology_create(p_document => jsonb_set(jsonb_set(wallet._default_topology_document(), '{bucket_types,0,kind}', '"GOLD"'),
                                                              '{transfer_edges,0,to}', '"NOWHERE"'), p_reason => 'bad', p_actor => 'ops')#>'{refused,errors}'),
          3, 'every fault is listed');
SELECT is((SELECT max(version) FROM wallet.topology_version), 2, 'refused documents are not stored');
SELECT is((SELECT count(*)::int FROM wallet.audit_log WHERE action = 'topology.create' AND outcome = 'REFUSED'), 2,
          'refused creates are in the audit log');
SELECT is((SELECT jsonb_array_length(detail->'errors') FROM wallet.audit_log WHERE action = 'topology.create' AND outcome = 'REFUSED' ORDER BY audit_id DESC LIMIT 1),
          3, 'with their faults');
SELECT is((SELECT actor || ' ' || outcome || ' ' || reason FROM wallet.audit_log WHERE action = 'topology.create' AND target = 'topology:2'),
          'ops OK add VIP', 'the accepted create is audited with actor and reason');

-- Activate: the new version becomes the only active one, in one transaction.
SELECT is(admin.topology_activate(p_version => 2, p_reason => 'launch VIP', p_policy_versions => '[]', p_actor => 'ops'), '{"status": "ACTIVE", "version": 2, "policies_activated": []}',
          'activating version 2');
SELECT is((SELECT array_agg(version || ':' || status ORDER BY version) FROM wallet.topology_version), '{1:RETIRED,2:ACTIVE}'::text[],
          'version 1 retired');
SELECT is(wallet._active_topology(), 2, 'commands now read version 2');
SELECT is(admin.topology_activate(p_version => 2, p_reason => 'again', p_policy_versions => '[]', p_actor => 'ops')->>'status', 'ACTIVE', 'activating the active version again is a no-op');
SELECT is((SELECT count(*)::int FROM wallet.audit_log WHERE action = 'topology.activate' AND target = 'topology:2'), 1,
          'the no-op is not audited twice');
SELECT is((SELECT count(*)::int FROM wallet.outbox WHERE event_type = 'topology.activated' AND account_id = '' AND payload->>'version' = '2'), 1,
          'topology.activated is in the outbox (system stream)');
SELECT is((SELECT before->>'version' || '->' || (after->>'version') FROM wallet.audit_log WHERE action = 'topology.activate' AND target = 'topology:2'),
          '1->2', 'the audit row has before and after');

-- Money blocks a topology that drops its bucket type.
SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'tap-b1', p_currency => 'EUR', p_actor => 'tap'), payments.open_account(p_player_id => 'tap-b2', p_currency => 'EUR', p_actor => 'tap'),
                         admin.admin_adjust(p_adjustment_id => 'tap-b1-a', p_player_id => 'tap-b1', p_bucket_type => 'SPORTS_BONUS', p_amount => 150, p_reason => 'seed', p_actor => 'tap'),
                         admin.admin_adjust(p_adjustment_id => 'tap-b2-a', p_player_id => 'tap-b2', p_bucket_type => 'SPORTS_BONUS', p_amount => 50, p_reason => 'seed', p_actor => 'tap')$$, 'two players hold SPORTS_BONUS');
SELECT is(admin.topology_create(p_document => pg_temp.doc_without('SPORTS_BONUS'), p_reason => 'drop sports bonus', p_actor => 'ops')->>'version', '3', 'version 3 drops SPORTS_BONUS');
SELECT is(admin.topology_activate(p_version => 3, p_reason => 'drop bonus', p_policy_versions => '[]', p_actor => 'ops')#>>'{refused,code}', 'ACTIVATION_BLOCKED', 'its activation is blocked');
SELECT is((SELECT b FROM jsonb_array_elements(admin.topology_activate(p_version => 3, p_reason => 'drop bonus', p_policy_versions => '[]', p_actor => 'ops')#>'{refused,blockers}') b
            WHERE b->>'kind' = 'bucket_balance'),
          '{"kind": "bucket_balance", "amount": 200, "accounts": 2, "bucket_type": "SPORTS_BONUS", "sample_players": ["tap-b1", "tap-b2"]}',
          'naming the bucket type, the accounts and the money');
SELECT ok(EXISTS (SELECT 1 FROM jsonb_array_elements(admin.topology_activate(p_version => 3, p_reason => 'drop bonus', p_policy_versions => '[]', p_actor => 'ops')#>'{refused,blockers}') b
                   WHERE b->>'kind' = 'policy_invalid' AND b->>'provider_type' = 'SPORTS'),
          'and the active SPORTS policy that would be invalid');
SELECT is(wallet._active_topology(), 2, 'nothing changed');
SELECT ok((SELECT count(*) FROM wallet.audit_log WHERE action = 'topology.activate' AND target = 'topology:3' AND outcome = 'REFUSED') >= 1,
          'the blocked attempt is in the audit log');
SELECT ok((SELECT detail ? 'blockers' FROM wallet.audit_log WHERE target = 'topology:3' AND outcome = 'REFUSED' ORDER BY audit_id LIMIT 1),
          'with its blockers');

-- A policy activated with the topology fixes the policy blocker; the money still blocks.
SELECT is(admin.policy_create(p_provider_type => 'SPORTS', p_document => jsonb_set(wallet._default_betting_policy(p_provider_type => 'SPORTS', p_topology => 3), '{settlement_destinations,COUPON}', '"SPORTS_NORMAL"'),
                               p_reason => 'no sports bonus', p_topology_version => 3, p_actor => 'ops')->>'version', '2', 'SPORTS policy 2, bound to topology 3');
SELECT is((SELECT array_agg(b->>'kind') FROM jsonb_array_elements(
              admin.topology_activate(p_version => 3, p_reason => 'drop bonus', p_policy_versions => '[{"provider_type": "SPORTS", "version": 2}]', p_actor => 'ops')#>'{refused,blockers}') b),
          '{bucket_balance}'::text[], 'with the policy passed along, only the money blocks');
SELECT lives_ok($$SELECT admin.admin_adjust(p_adjustment_id => 'tap-b1-z', p_player_id => 'tap-b1', p_bucket_type => 'SPORTS_BONUS', p_amount => -150, p_reason => 'sweep', p_actor => 'tap'),
                         admin.admin_adjust(p_adjustment_id => 'tap-b2-z', p_player_id => 'tap-b2', p_bucket_type => 'SPORTS_BONUS', p_amount => -50, p_reason => 'sweep', p_actor => 'tap')$$, 'sweep the bonus money');
SELECT is(admin.topology_activate(p_version => 3, p_reason => 'drop bonus', p_policy_versions => '[{"provider_type": "SPORTS", "version": 2}]', p_actor => 'ops'),
          '{"status": "ACTIVE", "version": 3, "policies_activated": [{"version": 2, "provider_type": "SPORTS"}]}',
          'then topology 3 activates together with SPORTS policy 2');
SELECT is((SELECT array_agg(version || ':' || status ORDER BY version) FROM wallet.betting_policy WHERE provider_type = 'SPORTS'),
          '{1:RETIRED,2:ACTIVE}'::text[], 'SPORTS policy 1 retired in the same transaction');

-- Changing the kind of a bucket type that holds money is blocked too.
SELECT lives_ok($$SELECT admin.admin_adjust(p_adjustment_id => 'tap-b1-c', p_player_id => 'tap-b1', p_bucket_type => 'CASINO_BONUS', p_amount => 70, p_reason => 'seed', p_actor => 'tap')$$, 'money in CASINO_BONUS');
SELECT is(admin.topology_create(p_document => jsonb_set(pg_temp.doc_without('SPORTS_BONUS'), '{bucket_types,2,kind}', '"CASH"'), p_reason => 'bonus becomes cash', p_actor => 'ops')->>'version',
          '4', 'version 4 turns CASINO_BONUS into CASH');
SELECT is((SELECT b->>'kind' || ' ' || (b->>'bucket_type') || ' ' || (b->>'from') || '->' || (b->>'to')
             FROM jsonb_array_elements(admin.topology_activate(p_version => 4, p_reason => 'x', p_policy_versions => '[]', p_actor => 'ops')#>'{refused,blockers}') b WHERE b->>'kind' = 'bucket_type_changed'),
          'bucket_type_changed CASINO_BONUS CASINO/BONUS->CASINO/CASH', 'a kind change of a bucket type holding money is a blocker');

-- A new group needs its money policy.
SELECT is(admin.topology_create(p_document => wallet._default_topology_document() || '{"wallet_groups": [{"code": "SPORTS", "provider_types": ["SPORTS"]}, {"code": "LIVECASINO", "provider_types": ["LIVE", "SLOTS"]}]}'::jsonb
                                 || jsonb_build_object('bucket_types', (SELECT jsonb_agg(CASE WHEN b->>'group' = 'CASINO' THEN jsonb_set(b, '{group}', '"LIVECASINO"') ELSE b END)
                                                                            FROM jsonb_array_elements(wallet._default_topology_document()->'bucket_types') b)),
                                 p_reason => 'rename casino', p_actor => 'ops')->>'version', '5', 'version 5 renames the CASINO group');
SELECT ok(EXISTS (SELECT 1 FROM jsonb_array_elements(admin.topology_activate(p_version => 5, p_reason => 'x', p_policy_versions => '[]', p_actor => 'ops')#>'{refused,blockers}') b
                   WHERE b->>'kind' = 'group_policy_missing' AND b->>'wallet_group' = 'LIVECASINO'),
          'a group without a money policy blocks activation');

-- Policies on their own.
SELECT is(admin.policy_create(p_provider_type => 'LIVE', p_document => wallet._default_betting_policy(p_provider_type => 'LIVE', p_topology => 3) || '{"funding_mode": "PLAYER_SELECTED"}', p_reason => 'player picks', p_topology_version => NULL, p_actor => 'ops'),
          '{"status": "DRAFT", "version": 2, "provider_type": "LIVE", "topology_version": 3}', 'a policy draft, bound to the active topology by default');
SELECT is(admin.policy_activate(p_provider_type => 'LIVE', p_version => 2, p_reason => 'player picks', p_actor => 'ops'), '{"status": "ACTIVE", "version": 2, "provider_type": "LIVE"}',
          'activated');
SELECT is((SELECT funding_mode FROM wallet.betting_policy WHERE provider_type = 'LIVE' AND status = 'ACTIVE'), 'PLAYER_SELECTED',
          'the resolved mode is what bets read');
SELECT is((SELECT count(*)::int FROM wallet.outbox WHERE event_type = 'policy.activated' AND payload->>'provider_type' = 'LIVE' AND payload->>'version' = '2'), 1,
          'policy.activated is in the outbox');
SELECT is(admin.policy_create(p_provider_type => 'LIVE', p_document => '{"funding_mode": "AUTO"}', p_reason => 'incomplete', p_topology_version => NULL, p_actor => 'ops')#>>'{refused,code}', 'POLICY_INVALID',
          'an invalid policy is refused');
SELECT ok((SELECT outcome = 'REFUSED' FROM wallet.audit_log WHERE action = 'policy.create' ORDER BY audit_id DESC LIMIT 1),
          'and audited');
SELECT is(admin.policy_create(p_provider_type => 'SPORTS', p_document => jsonb_set(wallet._default_betting_policy(p_provider_type => 'SPORTS', p_topology => 2), '{deduction_order,1}', '"VIP_CASH"'),
                               p_reason => 'vip first', p_topology_version => 2, p_actor => 'ops')->>'version', '3', 'a SPORTS policy using VIP_CASH, bound to retired topology 2');
SELECT is(admin.policy_activate(p_provider_type => 'SPORTS', p_version => 3, p_reason => 'vip', p_actor => 'ops')#>>'{refused,code}', 'POLICY_INVALID',
          'cannot be activated under topology 3, which has no VIP_CASH');
SELECT throws_ok($$SELECT admin.policy_activate(p_provider_type => 'SLOTS', p_version => 99, p_reason => 'x', p_actor => 'ops')$$, 'RW021', NULL, 'unknown policy version: POLICY_NOT_FOUND');
SELECT throws_ok($$SELECT admin.topology_activate(p_version => 99, p_reason => 'x', p_policy_versions => '[]', p_actor => 'ops')$$, 'RW020', NULL, 'unknown topology version: TOPOLOGY_NOT_FOUND');

SELECT finish();
ROLLBACK;
