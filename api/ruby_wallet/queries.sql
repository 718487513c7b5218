-- Every statement the API sends, by name (ruby_wallet.db.QUERIES).  Each is a bare call of one
-- wallet function (the form Citus forwards whole to the player's worker); its jsonb arrives as
-- text (ruby_wallet.db loads json as text), which the API passes through without re-encoding.

-- name: schema_digest
SELECT api.schema_digest()

-- name: wallet_distributed
SELECT api.wallet_distributed()

-- name: api_key_authenticate
SELECT name, scopes FROM api.api_key_authenticate(%(key)s)

-- name: open_account
SELECT payments.open_account(p_player_id => %(player_id)s, p_currency => %(currency)s, p_actor => %(actor)s)

-- name: account_set_status
SELECT admin.account_set_status(p_player_id => %(player_id)s, p_status => %(status)s, p_reason => %(reason)s,
                                 p_actor => %(actor)s)

-- name: admin_adjust
SELECT admin.admin_adjust(p_adjustment_id => %(adjustment_id)s, p_player_id => %(player_id)s,
                           p_bucket_type => %(bucket_type)s, p_amount => %(amount)s, p_reason => %(reason)s,
                           p_actor => %(actor)s)

-- name: player_balances
SELECT player.player_balances(p_player_id => %(player_id)s)

-- name: ledger_history
SELECT player.ledger_history(p_player_id => %(player_id)s, p_limit => %(limit)s, p_before => %(before)s)

-- name: topology_create
SELECT admin.topology_create(p_document => %(document)s::jsonb, p_reason => %(reason)s, p_actor => %(actor)s)

-- name: topology_list
SELECT admin.topology_list()

-- name: topology_get
SELECT admin.topology_get(p_version => %(version)s)

-- name: topology_preview
SELECT admin.topology_preview(p_version => %(version)s, p_policy_versions => %(policy_versions)s::jsonb)

-- name: topology_activate
SELECT admin.topology_activate(p_version => %(version)s, p_reason => %(reason)s,
                                p_policy_versions => %(policy_versions)s::jsonb, p_actor => %(actor)s)

-- name: policy_create
SELECT admin.policy_create(p_provider_type => %(provider_type)s, p_document => %(document)s::jsonb, p_reason => %(reason)s,
                            p_topology_version => %(topology_version)s, p_actor => %(actor)s)

-- name: policy_list
SELECT admin.policy_list(p_provider_type => %(provider_type)s)

-- name: policy_activate
SELECT admin.policy_activate(p_provider_type => %(provider_type)s, p_version => %(version)s, p_reason => %(reason)s,
                              p_actor => %(actor)s)

-- name: group_policy_create
SELECT admin.group_policy_create(p_wallet_group => %(wallet_group)s, p_document => %(document)s::jsonb,
                                  p_reason => %(reason)s, p_topology_version => %(topology_version)s, p_actor => %(actor)s)

-- name: group_policy_list
SELECT admin.group_policy_list(p_wallet_group => %(wallet_group)s)

-- name: group_policy_activate
SELECT admin.group_policy_activate(p_wallet_group => %(wallet_group)s, p_version => %(version)s, p_reason => %(reason)s,
                                    p_actor => %(actor)s)

-- name: audit_log_read
SELECT admin.audit_log_read(p_limit => %(limit)s, p_before => %(before)s)

-- name: bet_authorize
SELECT game.bet_authorize(p_bet_id => %(bet_id)s, p_player_id => %(player_id)s, p_provider_type => %(provider_type)s,
                            p_provider_id => %(provider_id)s, p_stake => %(stake)s, p_odds => %(odds)s::numeric,
                            p_selected_source => %(selected_source)s, p_actor => %(actor)s)

-- name: bet_settle
SELECT game.bet_settle(p_bet_id => %(bet_id)s, p_player_id => %(player_id)s, p_settlement_id => %(settlement_id)s,
                         p_result => %(result)s, p_payout => %(payout)s, p_actor => %(actor)s)

-- name: bet_rollback
SELECT game.bet_rollback(p_bet_id => %(bet_id)s, p_player_id => %(player_id)s, p_rollback_id => %(rollback_id)s,
                           p_reason => %(reason)s, p_actor => %(actor)s)

-- name: deposit_create
SELECT payments.deposit_create(p_deposit_id => %(deposit_id)s, p_player_id => %(player_id)s, p_amount => %(amount)s,
                             p_bucket_type => %(bucket_type)s, p_auto_approve => %(auto_approve)s, p_actor => %(actor)s)

-- name: deposit_approve
SELECT payments.deposit_approve(p_deposit_id => %(deposit_id)s, p_actor => %(actor)s)

-- name: deposit_reject
SELECT payments.deposit_reject(p_deposit_id => %(deposit_id)s, p_reason => %(reason)s, p_actor => %(actor)s)

-- name: withdrawal_create
SELECT payments.withdrawal_create(p_withdrawal_id => %(withdrawal_id)s, p_player_id => %(player_id)s, p_amount => %(amount)s,
                                p_actor => %(actor)s)

-- name: withdrawal_complete
SELECT payments.withdrawal_complete(p_withdrawal_id => %(withdrawal_id)s, p_actor => %(actor)s)

-- name: withdrawal_reject
SELECT payments.withdrawal_reject(p_withdrawal_id => %(withdrawal_id)s, p_reason => %(reason)s, p_actor => %(actor)s)

-- name: promotion_credit
SELECT promotion.promotion_credit(p_credit_id => %(credit_id)s, p_player_id => %(player_id)s, p_kind => %(kind)s,
                               p_amount => %(amount)s, p_bucket_type => %(bucket_type)s,
                               p_rolling_multiplier => %(rolling_multiplier)s, p_actor => %(actor)s)

-- name: promotion_reverse
SELECT promotion.promotion_reverse(p_credit_id => %(credit_id)s, p_reversal_id => %(reversal_id)s, p_reason => %(reason)s,
                                p_actor => %(actor)s)

-- name: coupon_grant
SELECT promotion.coupon_grant(p_coupon_id => %(coupon_id)s, p_player_id => %(player_id)s, p_amount => %(amount)s,
                           p_provider_types => %(provider_types)s::text[], p_min_odds => %(min_odds)s::numeric,
                           p_max_stake => %(max_stake)s, p_expires_at => %(expires_at)s::timestamptz,
                           p_stake_returned => %(stake_returned)s, p_winnings_bucket_type => %(winnings_bucket_type)s,
                           p_rolling_multiplier => %(rolling_multiplier)s, p_actor => %(actor)s)

-- name: coupon_reverse
SELECT promotion.coupon_reverse(p_coupon_id => %(coupon_id)s, p_reversal_id => %(reversal_id)s, p_reason => %(reason)s,
                             p_actor => %(actor)s)

-- name: transfer_create
SELECT player.transfer_create(p_transfer_id => %(transfer_id)s, p_player_id => %(player_id)s, p_from => %(from_)s,
                              p_to => %(to)s, p_amount => %(amount)s, p_actor => %(actor)s)

-- name: rolling_waive
SELECT admin.rolling_waive(p_rolling_id => %(rolling_id)s, p_reason => %(reason)s, p_actor => %(actor)s)

-- name: rolling_cancel
SELECT admin.rolling_cancel(p_rolling_id => %(rolling_id)s, p_reason => %(reason)s, p_actor => %(actor)s)

-- name: events_read
SELECT events.events_read(p_after => %(after)s, p_limit => %(limit)s)

-- name: outbox_stats
SELECT api.outbox_stats()

-- The casino adapter (ruby_wallet.pam, docs/casino.md): each answers jsonb in minor units.

-- name: casino_session_get
SELECT casino.session_get(p_token => %(token)s, p_provider => %(provider)s)

-- name: casino_session_refresh
SELECT casino.session_refresh(p_token => %(token)s, p_provider => %(provider)s, p_actor => %(actor)s)

-- name: casino_balance_get
SELECT casino.balance_get(p_token => %(token)s, p_provider => %(provider)s, p_player_id => %(player_id)s)

-- name: casino_transactions_find
SELECT casino.transactions_find(p_token => %(token)s, p_provider => %(provider)s, p_player_id => %(player_id)s,
                                p_provider_transaction_id => %(provider_transaction_id)s,
                                p_provider_bet_ref => %(provider_bet_ref)s)

-- name: casino_round_get
SELECT casino.round_get(p_token => %(token)s, p_provider => %(provider)s, p_player_id => %(player_id)s,
                        p_round_id => %(round_id)s)

-- name: casino_transaction_add
SELECT casino.transaction_add(p_token => %(token)s, p_provider => %(provider)s, p_player_id => %(player_id)s,
                              p_transaction_type => %(transaction_type)s,
                              p_provider_transaction_id => %(provider_transaction_id)s, p_currency => %(currency)s,
                              p_cash => %(cash)s, p_bonus => %(bonus)s, p_promo => %(promo)s,
                              p_transaction_at => %(transaction_at)s, p_provider_bet_ref => %(provider_bet_ref)s,
                              p_provider_game_id => %(provider_game_id)s, p_provider_round_id => %(provider_round_id)s,
                              p_is_game_over => %(is_game_over)s, p_details => %(details)s::jsonb,
                              p_correlation_id => %(correlation_id)s, p_actor => %(actor)s)

-- name: game_session_open
SELECT player.game_session_open(p_player_id => %(player_id)s, p_provider => %(provider)s, p_game_id => %(game_id)s,
                                p_country => %(country)s, p_language => %(language)s,
                                p_ttl_seconds => %(ttl_seconds)s, p_actor => %(actor)s)

-- name: casino_providers
SELECT admin.casino_providers()

-- name: casino_provider_set
SELECT admin.casino_provider_set(p_provider => %(provider)s, p_provider_type => %(provider_type)s,
                                 p_enabled => %(enabled)s, p_reason => %(reason)s, p_actor => %(actor)s)

-- name: bet_settle_batch
SELECT index, status, body FROM game.bet_settle_batch(p_settlements => %(settlements)s::jsonb, p_actor => %(actor)s)
