-- Structure and privileges: who may do what, and what nobody may do.  Who may call a function
-- follows the schema it lives in (sql/bootstrap.sql, sql/90_grants.sql): this file lists, per
-- database role, exactly the functions it may execute.
BEGIN;
SELECT plan(55);

SELECT has_schema(s) FROM unnest(ARRAY['wallet', 'game', 'payments', 'promotion', 'player', 'events', 'casino',
                                       'admin', 'api', 'ops', 'analytics']) s;
SELECT has_table('wallet', t, format('table wallet.%s exists', t))
  FROM unnest(ARRAY['account', 'bucket', 'ledger_txn', 'outbox', 'audit_log', 'api_key', 'error_code', 'adjustment',
                    'repeat_key']) t;
-- The ledger's entries, a bet's funding sources and every caller key, one row each, as views
-- over the rows that hold them (migration 0005).
SELECT has_view('wallet', v, format('view wallet.%s exists', v)) FROM unnest(ARRAY['ledger_entry', 'bet_source', 'idempotency']) v;

-- Buckets are rows keyed by a bucket type code: no column per bucket type, ever.
SELECT columns_are('wallet', 'bucket', ARRAY['account_id', 'bucket_type', 'balance'],
                   'bucket has no column per bucket type');
SELECT col_is_pk('wallet', 'bucket', ARRAY['account_id', 'bucket_type'], 'bucket keyed by account and type');

-- What a role may execute: EXECUTE on the function and USAGE on its schema.
CREATE TEMP VIEW executable AS
SELECT r.rolname AS role, format('%s.%s', p.pronamespace::regnamespace, p.proname) AS function
  FROM pg_proc p
 CROSS JOIN pg_roles r
 WHERE p.pronamespace::regnamespace::text IN ('wallet', 'game', 'payments', 'promotion', 'player', 'events', 'casino',
                                               'admin', 'api', 'ops', 'analytics')
   AND r.rolname ~ '^wallet_' AND r.rolname <> 'wallet_owner'
   AND has_function_privilege(r.oid, p.oid, 'EXECUTE') AND has_schema_privilege(r.oid, p.pronamespace, 'USAGE');

-- Owner owns everything; no application role can write any table.
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'wallet' AND tableowner <> 'wallet_owner'), 0,
          'every wallet table is owned by wallet_owner');
SELECT is((SELECT count(*)::int
             FROM pg_class c, pg_roles r, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(priv)
            WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ('wallet', 'wallet_meta', 'analytics'))
              AND c.relkind IN ('r', 'v', 'p') AND r.rolname ~ '^wallet_' AND r.rolname <> 'wallet_owner'
              AND has_table_privilege(r.oid, c.oid, p.priv)),
          0, 'no application role may INSERT, UPDATE, DELETE or TRUNCATE any wallet table or view');
SELECT is((SELECT count(*)::int FROM pg_class c, pg_roles r
            WHERE c.relnamespace = 'wallet'::regnamespace AND c.relkind = 'r'
              AND r.rolname ~ '^wallet_' AND r.rolname NOT IN ('wallet_owner', 'wallet_dba')
              AND has_table_privilege(r.oid, c.oid, 'SELECT')),
          0, 'no role but wallet_dba can even read the tables');
SELECT ok(has_table_privilege('wallet_analyst', 'analytics.balances', 'SELECT'), 'wallet_analyst reads analytics views');
SELECT ok(NOT has_schema_privilege('wallet_analyst', 'wallet', 'USAGE'), 'wallet_analyst has no access to schema wallet');

-- Every function an application role may call is SECURITY DEFINER with a fixed search_path;
-- the helpers of schema wallet are executable by no application role.
SELECT is((SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace::regnamespace::text IN ('game', 'payments', 'promotion', 'player', 'events', 'casino',
                                                          'admin', 'api', 'ops')
              AND NOT (p.prosecdef AND EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'))),
          0, 'every callable function is SECURITY DEFINER with SET search_path');
SELECT is((SELECT count(*)::int FROM executable WHERE function LIKE 'wallet.%'), 0,
          'the helpers of schema wallet are executable by no application role');

-- Each scope role executes exactly the functions of its schema, and each schema holds exactly
-- the commands of its scope.
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_game'$$,
              ARRAY['game.bet_authorize', 'game.bet_rollback', 'game.bet_settle', 'game.bet_settle_batch'],
              'wallet_game: the bet commands (and many settlements in one call)');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_payments'$$,
              ARRAY['payments.open_account', 'payments.deposit_create', 'payments.deposit_approve', 'payments.deposit_reject',
                    'payments.withdrawal_create', 'payments.withdrawal_complete', 'payments.withdrawal_reject'],
              'wallet_payments: open accounts, deposits and withdrawals');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_promotion'$$,
              ARRAY['promotion.promotion_credit', 'promotion.promotion_reverse', 'promotion.coupon_grant', 'promotion.coupon_reverse'],
              'wallet_promotion: credits, coupons and their reversals');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_player'$$,
              ARRAY['player.player_balances', 'player.ledger_history', 'player.transfer_create', 'player.game_session_open'],
              'wallet_player: the snapshot, history, transfers and casino game sessions');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_events'$$,
              ARRAY['events.events_read'], 'wallet_events: the ordered feed');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_casino'$$,
              ARRAY['casino.session_get', 'casino.session_refresh', 'casino.balance_get', 'casino.transactions_find',
                    'casino.round_get', 'casino.transaction_add'],
              'wallet_casino: the Valkyrie PAM API''s sessions, balance, transactions and rounds');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_admin'$$,
              ARRAY['admin.account_set_status', 'admin.admin_adjust', 'admin.audit_log_read',
                    'admin.topology_create', 'admin.topology_list', 'admin.topology_get', 'admin.topology_preview',
                    'admin.topology_activate', 'admin.topology_validate',
                    'admin.policy_create', 'admin.policy_list', 'admin.policy_activate', 'admin.betting_policy_validate',
                    'admin.group_policy_create', 'admin.group_policy_list', 'admin.group_policy_activate',
                    'admin.group_policy_validate', 'admin.rolling_waive', 'admin.rolling_cancel',
                    'admin.casino_providers', 'admin.casino_provider_set'],
              'wallet_admin: topology, policies, adjustments, account status, rolling decisions, the audit log, casino providers');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_api'$$,
              ARRAY['api.api_key_authenticate', 'api.schema_digest', 'api.outbox_stats', 'api.wallet_distributed'],
              'wallet_api, the API login, by itself: authenticate a key, readiness, the outbox figures of /metrics and whether the wallet is distributed, nothing else');
SELECT set_eq($$SELECT function FROM executable WHERE role = 'wallet_dba'$$,
              $$SELECT format('%s.%s', pronamespace::regnamespace, proname) FROM pg_proc
                 WHERE pronamespace::regnamespace::text IN ('game', 'payments', 'promotion', 'player', 'events', 'casino',
                                                            'admin', 'ops')$$,
              'wallet_dba: every scope''s functions and ops (API keys, reconciliation, relays, the pure rules)');
SELECT is_empty($$SELECT function FROM executable WHERE role = 'wallet_analyst'$$, 'wallet_analyst executes nothing');
SELECT is((SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace::regnamespace::text IN ('wallet', 'game', 'payments', 'promotion', 'player', 'events',
                                                          'casino', 'admin', 'api', 'ops')
              AND has_function_privilege('public', p.oid, 'EXECUTE')), 0, 'PUBLIC executes nothing');

-- The game routes' role cannot reach any topology, policy, adjustment, API-key, audit or
-- reconciliation function: the database itself refuses.
SELECT is_empty($$SELECT function FROM executable WHERE role = 'wallet_game'
                    AND function ~ '(topology|policy|adjust|api_key|audit|reconcile|rolling_waive|rolling_cancel|account_set_status)'$$,
                'wallet_game executes no topology, policy, adjustment, API-key, audit or reconciliation function');
SET LOCAL ROLE wallet_game;
SELECT throws_ok($$SELECT admin.topology_activate(p_version => 1, p_reason => 'x')$$, '42501', NULL,
                 'a game-scope connection calling an admin function is refused by the database');
SELECT throws_ok($$SELECT ops.api_key_create(p_name => 'x', p_scopes => ARRAY['admin'])$$, '42501', NULL,
                 'or creating an API key');
SELECT throws_ok($$SELECT * FROM wallet.bucket$$, '42501', NULL, 'or reading a table');
RESET ROLE;

-- The API login holds no scope's rights by itself (NOINHERIT) but may act as each scope role.
SELECT ok(NOT (SELECT rolinherit FROM pg_roles WHERE rolname = 'wallet_api'), 'wallet_api does not inherit');
SELECT ok(pg_has_role('wallet_api', r, 'MEMBER') AND NOT pg_has_role('wallet_api', r, 'USAGE'),
          format('wallet_api may SET ROLE %s but has none of its rights', r))
  FROM unnest(ARRAY['wallet_game', 'wallet_payments', 'wallet_promotion', 'wallet_player', 'wallet_events',
                    'wallet_casino', 'wallet_admin']) r;

SELECT finish();
ROLLBACK;
