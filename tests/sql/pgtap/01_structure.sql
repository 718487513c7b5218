-- Structure and privileges of the ledger core: who may do what, and what nobody may do.
BEGIN;
SELECT plan(26);

SELECT has_schema('wallet');
SELECT has_schema('analytics');
SELECT has_table('wallet', t, format('table wallet.%s exists', t))
  FROM unnest(ARRAY['account', 'bucket', 'ledger_txn', 'ledger_entry', 'idempotency', 'outbox',
                    'audit_log', 'api_key', 'error_code']) t;

-- Buckets are rows keyed by a bucket type code: no column per bucket type, ever.
SELECT columns_are('wallet', 'bucket', ARRAY['account_id', 'bucket_type', 'balance'],
                   'bucket has no column per bucket type');
SELECT col_is_pk('wallet', 'bucket', ARRAY['account_id', 'bucket_type'], 'bucket keyed by account and type');

-- Owner owns everything; no application role can write any table.
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'wallet' AND tableowner <> 'wallet_owner'), 0,
          'every wallet table is owned by wallet_owner');
SELECT is((SELECT count(*)::int
             FROM pg_class c, unnest(ARRAY['wallet_api', 'wallet_admin', 'wallet_analyst']) r(role),
                  unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(priv)
            WHERE c.relnamespace IN ('wallet'::regnamespace, 'wallet_meta'::regnamespace, 'analytics'::regnamespace)
              AND c.relkind IN ('r', 'v', 'p') AND has_table_privilege(r.role, c.oid, p.priv)),
          0, 'no application role may INSERT, UPDATE, DELETE or TRUNCATE any wallet table or view');
SELECT is((SELECT count(*)::int FROM pg_class c
            WHERE c.relnamespace = 'wallet'::regnamespace AND c.relkind = 'r'
              AND has_table_privilege('wallet_api', c.oid, 'SELECT')),
          0, 'wallet_api cannot even read the tables');
SELECT is((SELECT count(*)::int FROM pg_class c
            WHERE c.relnamespace = 'wallet'::regnamespace AND c.relkind = 'r'
              AND has_table_privilege('wallet_analyst', c.oid, 'SELECT')),
          0, 'wallet_analyst cannot read the tables');
SELECT ok(has_table_privilege('wallet_analyst', 'analytics.balances', 'SELECT'), 'wallet_analyst reads analytics views');
SELECT ok(NOT has_schema_privilege('wallet_analyst', 'wallet', 'USAGE'), 'wallet_analyst has no access to schema wallet');

-- Functions: every public one is SECURITY DEFINER with a fixed search_path; helpers are private.
SELECT is((SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace = 'wallet'::regnamespace AND p.proname !~ '^_' AND p.prorettype <> 'trigger'::regtype
              AND NOT (p.prosecdef AND EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'))),
          0, 'every public wallet function is SECURITY DEFINER with SET search_path');
SELECT is((SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace = 'wallet'::regnamespace AND p.proname ~ '^_'
              AND (has_function_privilege('wallet_api', p.oid, 'EXECUTE') OR has_function_privilege('wallet_admin', p.oid, 'EXECUTE'))),
          0, 'private helpers (_name) are executable by no application role');
SELECT ok(has_function_privilege('wallet_api', 'wallet.admin_adjust(text,text,text,bigint,text,text)', 'EXECUTE'),
          'wallet_api may execute command functions');
SELECT ok(NOT has_function_privilege('wallet_api', 'wallet.api_key_create(text,text[])', 'EXECUTE'),
          'wallet_api may not create API keys');
SELECT ok(has_function_privilege('wallet_admin', 'wallet.api_key_create(text,text[])', 'EXECUTE'),
          'wallet_admin may create API keys');
SELECT ok(NOT has_function_privilege('wallet_analyst', 'wallet.open_account(text,text,text)', 'EXECUTE'),
          'wallet_analyst may not execute commands');
SELECT ok(NOT has_function_privilege('public', 'wallet.open_account(text,text,text)', 'EXECUTE'),
          'PUBLIC may not execute commands');

SELECT finish();
ROLLBACK;
