-- The outbox (feed with a cursor, relay claims), the live records that block a topology
-- activation, and the shard rule (account_id leads every money table's primary key).
BEGIN;
SELECT plan(21);

SELECT lives_ok($$SELECT payments.open_account(p_player_id => 'ep1', p_currency => 'EUR', p_actor => 'tap');
                   SELECT payments.deposit_create(p_deposit_id => 'ep1-d', p_player_id => 'ep1', p_amount => 1000, p_bucket_type => 'SPORTS_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT game.bet_authorize(p_bet_id => 'eb1', p_player_id => 'ep1', p_provider_type => 'SPORTS', p_provider_id => 'book', p_stake => 100, p_odds => NULL, p_selected_source => NULL, p_actor => 'game')$$, 'some money commands');

-- The feed: every event once, in delivery order, with a cursor.
SELECT ok((events.events_read(p_after => 0, p_limit => 1000)->>'next')::bigint > 0, 'the feed returns events with a cursor');
SELECT is((SELECT count(*)::int FROM wallet.outbox WHERE delivery_id IS NULL), 0, 'reading stamped every committed event');
SELECT is((SELECT jsonb_agg(e->>'type') FROM jsonb_array_elements(
              events.events_read(p_after => (SELECT max(delivery_id) FROM wallet.outbox WHERE event_type = 'account.opened'), p_limit => 10)->'events') e),
          '["rolling.created", "deposit.approved", "bet.authorized"]', 'after a cursor: only what came later, in the order written');
SELECT is(events.events_read(p_after => (SELECT max(delivery_id) FROM wallet.outbox), p_limit => 10),
          jsonb_build_object('events', '[]'::jsonb, 'next', (SELECT max(delivery_id) FROM wallet.outbox)),
          'nothing new: same cursor back');
SELECT is((SELECT e->>'player_id' FROM jsonb_array_elements(events.events_read(p_after => 0, p_limit => 1000)->'events') e WHERE e->>'type' = 'bet.authorized'),
          'ep1', 'events name the player');
SELECT is((SELECT e#>>'{payload,policy,version}' FROM jsonb_array_elements(events.events_read(p_after => 0, p_limit => 1000)->'events') e WHERE e->>'type' = 'bet.authorized'),
          '1', 'and reference the policy snapshot');
SELECT throws_ok($$SELECT events.events_read(p_after => 0, p_limit => 0)$$, 'RW001', NULL, 'a zero limit is refused');

-- Relays: claims do not overlap, acks publish.
SELECT is(jsonb_array_length(ops.events_claim(p_relay => 'relay-a', p_limit => 3)->'events'), 3, 'relay a claims 3');
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements(ops.events_claim(p_relay => 'relay-b', p_limit => 1000)->'events') e
                       WHERE (e->>'id')::bigint IN (SELECT delivery_id FROM wallet.outbox WHERE claimed_by = 'relay-a')),
          'relay b never gets relay a''s events');
SELECT is(ops.events_ack(p_relay => 'relay-a', p_ids => ARRAY(SELECT delivery_id FROM wallet.outbox WHERE claimed_by = 'relay-a')), 3, 'relay a acks its 3');
SELECT is(ops.events_ack(p_relay => 'relay-b', p_ids => ARRAY(SELECT delivery_id FROM wallet.outbox WHERE claimed_by = 'relay-a')), 0,
          'an ack for events another relay holds does nothing');

-- Live records block a topology that would strand them.
SELECT lives_ok($$SELECT promotion.coupon_grant(p_coupon_id => 'ek1', p_player_id => 'ep1', p_amount => 50, p_provider_types => ARRAY['SPORTS'], p_min_odds => NULL, p_max_stake => NULL, p_expires_at => NULL, p_stake_returned => false, p_winnings_bucket_type => 'SPORTS_BONUS', p_rolling_multiplier => 0, p_actor => 'promo');
                   SELECT admin.topology_create(p_document => wallet._default_topology_document() || '{"wallet_groups": [{"code": "SPORTSBOOK", "provider_types": ["SPORTS"]}, {"code": "CASINO", "provider_types": ["LIVE", "SLOTS"]}]}'::jsonb
                       || jsonb_build_object('bucket_types', (SELECT jsonb_agg(CASE WHEN b->>'group' = 'SPORTS' THEN jsonb_set(b, '{group}', '"SPORTSBOOK"') ELSE b END)
                                                               FROM jsonb_array_elements(wallet._default_topology_document()->'bucket_types') b)),
                       p_reason => 'rename SPORTS', p_actor => 'ops')$$,
                'a coupon, an open bet, an active obligation, then topology 2 renames the SPORTS group');
SELECT is((SELECT jsonb_agg(b->>'kind' ORDER BY b->>'kind') FROM jsonb_array_elements(admin.topology_preview(p_version => 2)->'blockers') b
            WHERE b->>'kind' IN ('open_bets', 'active_coupons', 'active_rolling', 'pending_withdrawals')),
          '["active_coupons", "active_rolling", "open_bets"]', 'open bets, active coupons and active rolling of the old group block it');
SELECT is((SELECT b FROM jsonb_array_elements(admin.topology_preview(p_version => 2)->'blockers') b WHERE b->>'kind' = 'open_bets'),
          '{"kind": "open_bets", "count": 1, "accounts": 1, "sample_players": ["ep1"], "sample_records": ["eb1"]}', 'named with samples');
SELECT lives_ok($$SELECT payments.deposit_create(p_deposit_id => 'ep1-d2', p_player_id => 'ep1', p_amount => 500, p_bucket_type => 'CASINO_NORMAL', p_auto_approve => true, p_actor => 'pay');
                   SELECT admin.rolling_waive(p_rolling_id => (SELECT rolling_id FROM wallet.deposit WHERE deposit_id = 'ep1-d2'), p_reason => 'x', p_actor => 'ops');
                   SELECT payments.withdrawal_create(p_withdrawal_id => 'ep1-w', p_player_id => 'ep1', p_amount => 500, p_actor => 'pay');
                   SELECT admin.topology_create(p_document => wallet._default_topology_document() || jsonb_build_object('bucket_types',
                       (SELECT jsonb_agg(b) FROM jsonb_array_elements(wallet._default_topology_document()->'bucket_types') b WHERE b->>'kind' <> 'WITHDRAWABLE'))
                       || jsonb_build_object('transfer_edges', (SELECT jsonb_agg(e) FROM jsonb_array_elements(wallet._default_topology_document()->'transfer_edges') e WHERE e->>'from' <> 'WITHDRAWABLE')),
                       p_reason => 'no withdrawable', p_actor => 'ops')$$,
                'a pending withdrawal from WITHDRAWABLE, then topology 3 drops WITHDRAWABLE');
SELECT ok(EXISTS (SELECT 1 FROM jsonb_array_elements(admin.topology_preview(p_version => 3)->'blockers') b WHERE b->>'kind' = 'pending_withdrawals'),
          'the pending withdrawal blocks it');

-- One account per command, by construction of the keys.
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_index i
             JOIN pg_class c ON c.oid = i.indrelid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
            WHERE i.indisprimary AND c.relnamespace = 'wallet'::regnamespace AND a.attname = 'account_id'),
          '{account,adjustment,audit_log,bet,bet_extra_payout,bucket,casino_round,casino_transaction,coupon,deposit,game_session,ledger_txn,outbox,promotion_credit,relay_parked,relay_stream,repeat_key,rolling_obligation,rolling_progress,transfer,withdrawal,withdrawal_source}'::text[],
          'every money table''s primary key starts with account_id (the relay''s per-account state and the audit log too)');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'wallet'::regnamespace AND c.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                               WHERE i.indrelid = c.oid AND i.indisprimary AND a.attname = 'account_id')),
          '{api_key,betting_policy,bucket_type,casino_provider,error_code,group_policy,provider_mapping,provider_type,relay_cursor,resource_owner,topology_version,transfer_edge,wallet_group}'::text[],
          'the others are configuration (Citus reference tables), the relay''s one cursor row, and the resource directory (keyed by account on Citus, docs/scaling.md)');
SELECT is((SELECT count(*)::int FROM pg_constraint f
            JOIN pg_class c ON c.oid = f.conrelid
           WHERE f.contype = 'f' AND c.relnamespace = 'wallet'::regnamespace
             AND c.relname IN ('adjustment', 'bet', 'bucket', 'coupon', 'deposit', 'ledger_txn', 'promotion_credit', 'repeat_key',
                               'rolling_obligation', 'rolling_progress', 'transfer', 'withdrawal', 'withdrawal_source')
             AND NOT (SELECT attname FROM pg_attribute WHERE attrelid = f.conrelid AND attnum = f.conkey[1]) = 'account_id'),
          0, 'every foreign key between money tables goes through account_id (colocated)');
SELECT is((SELECT count(*)::int FROM ops.reconcile()), 0, 'the books reconcile');

SELECT finish();
ROLLBACK;
