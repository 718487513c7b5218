-- The topology rollout of docs/runbooks/topology-rollout.md, in psql as wallet_dba.
SET ROLE wallet_dba;
\set SHOW_CONTEXT never
\pset format unaligned
\pset tuples_only on
SELECT payments.open_account('p1', 'KRW', p_actor => 'dba:alice') IS NOT NULL AS opened;
SELECT admin.admin_adjust('setup-1', 'p1', 'SPORTS_NORMAL', 5000, 'runbook setup', p_actor => 'dba:alice') IS NOT NULL AS funded;

-- 1. Draft: version 2 = version 1 plus a VIP_CASH bucket type in SPORTS.
\set vip '{"code": "VIP_CASH", "kind": "CASH", "group": "SPORTS", "bettable": true, "accepts_deposit": true, "accepts_winnings": true}'
-- Validate before storing: every fault at once (here: a typo in the kind).
SELECT path, message FROM admin.topology_validate(admin.topology_get(1)->'document'
    || jsonb_build_object('bucket_types', (admin.topology_get(1)#>'{document,bucket_types}') || jsonb_set(:'vip'::jsonb, '{kind}', '"CASHH"')));
-- The corrected document has no faults, and becomes draft version 2.
SELECT jsonb_pretty(admin.topology_create(
    admin.topology_get(1)->'document' || jsonb_build_object('bucket_types', (admin.topology_get(1)#>'{document,bucket_types}') || :'vip'::jsonb),
    'VIP launch', p_actor => 'dba:alice'));

-- 2. The policy that changes with it, bound to draft topology 2.
SELECT jsonb_pretty(admin.policy_create('SPORTS',
    jsonb_set(admin.policy_list('SPORTS')#>'{policies,0,document}', '{deduction_order}', '["COUPON", "VIP_CASH", "SPORTS_NORMAL", "WITHDRAWABLE", "SPORTS_BONUS"]'),
    'VIP first', p_topology_version => 2, p_actor => 'dba:alice'));

-- 3. Preview the blockers, without and with the policy.
SELECT jsonb_pretty(admin.topology_preview(2));
SELECT jsonb_pretty(admin.topology_preview(2, '[{"provider_type": "SPORTS", "version": 2}]'));

-- 4. Activate both in one transaction.
SELECT jsonb_pretty(admin.topology_activate(2, 'VIP launch (change ticket 1234)', '[{"provider_type": "SPORTS", "version": 2}]', p_actor => 'dba:alice'));

-- 5. Verify.
SELECT version, status, activated_by FROM wallet.topology_version ORDER BY version;
SELECT provider_type, version, status, deduction_order FROM wallet.betting_policy WHERE provider_type = 'SPORTS' ORDER BY version;

-- 6. Undo: blocked while VIP_CASH holds money; the refusal names the blockers.
SELECT admin.admin_adjust('vip-1', 'p1', 'VIP_CASH', 1000, 'VIP welcome', p_actor => 'dba:alice') IS NOT NULL AS vip_money;
SELECT jsonb_pretty(admin.topology_activate(1, 'roll back VIP', '[{"provider_type": "SPORTS", "version": 1}]', p_actor => 'dba:alice'));
SELECT admin.admin_adjust('vip-2', 'p1', 'VIP_CASH', -1000, 'VIP money returned to the campaign', p_actor => 'dba:alice') IS NOT NULL AS swept;
SELECT jsonb_pretty(admin.topology_activate(1, 'roll back VIP', '[{"provider_type": "SPORTS", "version": 1}]', p_actor => 'dba:alice'));

-- 7. The audit trail of all of it.
SELECT action, target, outcome, actor, reason FROM wallet.audit_log WHERE action LIKE 'topology.%' OR action LIKE 'policy.%' ORDER BY audit_id;
