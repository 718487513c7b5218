-- Every statement the API sends, by name (ruby_wallet.db.QUERIES).  Each calls one wallet
-- function and returns its JSON as text, which the API passes through without re-encoding.

-- name: schema_digest
SELECT wallet.schema_digest()

-- name: api_key_authenticate
SELECT name, scopes FROM wallet.api_key_authenticate(%(key)s)

-- name: open_account
SELECT wallet.open_account(p_player_id => %(player_id)s, p_currency => %(currency)s, p_actor => %(actor)s)::text

-- name: account_set_status
SELECT wallet.account_set_status(p_player_id => %(player_id)s, p_status => %(status)s, p_reason => %(reason)s,
                                 p_actor => %(actor)s)::text

-- name: admin_adjust
SELECT wallet.admin_adjust(p_adjustment_id => %(adjustment_id)s, p_player_id => %(player_id)s,
                           p_bucket_type => %(bucket_type)s, p_amount => %(amount)s, p_reason => %(reason)s,
                           p_actor => %(actor)s)::text

-- name: player_balances
SELECT wallet.player_balances(p_player_id => %(player_id)s)::text

-- name: ledger_history
SELECT wallet.ledger_history(p_player_id => %(player_id)s, p_limit => %(limit)s, p_before => %(before)s)::text

-- name: topology_create
SELECT wallet.topology_create(p_document => %(document)s::jsonb, p_reason => %(reason)s, p_actor => %(actor)s)::text

-- name: topology_list
SELECT wallet.topology_list()::text

-- name: topology_get
SELECT wallet.topology_get(p_version => %(version)s)::text

-- name: topology_preview
SELECT wallet.topology_preview(p_version => %(version)s, p_policy_versions => %(policy_versions)s::jsonb)::text

-- name: topology_activate
SELECT wallet.topology_activate(p_version => %(version)s, p_reason => %(reason)s,
                                p_policy_versions => %(policy_versions)s::jsonb, p_actor => %(actor)s)::text

-- name: policy_create
SELECT wallet.policy_create(p_provider_type => %(provider_type)s, p_document => %(document)s::jsonb, p_reason => %(reason)s,
                            p_topology_version => %(topology_version)s, p_actor => %(actor)s)::text

-- name: policy_list
SELECT wallet.policy_list(p_provider_type => %(provider_type)s)::text

-- name: policy_activate
SELECT wallet.policy_activate(p_provider_type => %(provider_type)s, p_version => %(version)s, p_reason => %(reason)s,
                              p_actor => %(actor)s)::text

-- name: group_policy_create
SELECT wallet.group_policy_create(p_wallet_group => %(wallet_group)s, p_document => %(document)s::jsonb,
                                  p_reason => %(reason)s, p_topology_version => %(topology_version)s, p_actor => %(actor)s)::text

-- name: group_policy_list
SELECT wallet.group_policy_list(p_wallet_group => %(wallet_group)s)::text

-- name: group_policy_activate
SELECT wallet.group_policy_activate(p_wallet_group => %(wallet_group)s, p_version => %(version)s, p_reason => %(reason)s,
                                    p_actor => %(actor)s)::text

-- name: audit_log_read
SELECT wallet.audit_log_read(p_limit => %(limit)s, p_before => %(before)s)::text

-- name: bet_authorize
SELECT wallet.bet_authorize(p_bet_id => %(bet_id)s, p_player_id => %(player_id)s, p_provider_type => %(provider_type)s,
                            p_provider_id => %(provider_id)s, p_stake => %(stake)s, p_odds => %(odds)s::numeric,
                            p_selected_source => %(selected_source)s, p_actor => %(actor)s)::text

-- name: bet_settle
SELECT wallet.bet_settle(p_bet_id => %(bet_id)s, p_player_id => %(player_id)s, p_settlement_id => %(settlement_id)s,
                         p_result => %(result)s, p_payout => %(payout)s, p_actor => %(actor)s)::text

-- name: bet_rollback
SELECT wallet.bet_rollback(p_bet_id => %(bet_id)s, p_player_id => %(player_id)s, p_rollback_id => %(rollback_id)s,
                           p_reason => %(reason)s, p_actor => %(actor)s)::text

-- name: deposit_create
SELECT wallet.deposit_create(p_deposit_id => %(deposit_id)s, p_player_id => %(player_id)s, p_amount => %(amount)s,
                             p_bucket_type => %(bucket_type)s, p_auto_approve => %(auto_approve)s, p_actor => %(actor)s)::text

-- name: deposit_approve
SELECT wallet.deposit_approve(p_deposit_id => %(deposit_id)s, p_actor => %(actor)s)::text

-- name: deposit_reject
SELECT wallet.deposit_reject(p_deposit_id => %(deposit_id)s, p_reason => %(reason)s, p_actor => %(actor)s)::text

-- name: withdrawal_create
SELECT wallet.withdrawal_create(p_withdrawal_id => %(withdrawal_id)s, p_player_id => %(player_id)s, p_amount => %(amount)s,
                                p_actor => %(actor)s)::text

-- name: withdrawal_complete
SELECT wallet.withdrawal_complete(p_withdrawal_id => %(withdrawal_id)s, p_actor => %(actor)s)::text

-- name: withdrawal_reject
SELECT wallet.withdrawal_reject(p_withdrawal_id => %(withdrawal_id)s, p_reason => %(reason)s, p_actor => %(actor)s)::text

-- name: promotion_credit
SELECT wallet.promotion_credit(p_credit_id => %(credit_id)s, p_player_id => %(player_id)s, p_kind => %(kind)s,
                               p_amount => %(amount)s, p_bucket_type => %(bucket_type)s,
                               p_rolling_multiplier => %(rolling_multiplier)s, p_actor => %(actor)s)::text

-- name: promotion_reverse
SELECT wallet.promotion_reverse(p_credit_id => %(credit_id)s, p_reversal_id => %(reversal_id)s, p_reason => %(reason)s,
                                p_actor => %(actor)s)::text

-- name: coupon_grant
SELECT wallet.coupon_grant(p_coupon_id => %(coupon_id)s, p_player_id => %(player_id)s, p_amount => %(amount)s,
                           p_provider_types => %(provider_types)s::text[], p_min_odds => %(min_odds)s::numeric,
                           p_max_stake => %(max_stake)s, p_expires_at => %(expires_at)s::timestamptz,
                           p_stake_returned => %(stake_returned)s, p_winnings_bucket_type => %(winnings_bucket_type)s,
                           p_rolling_multiplier => %(rolling_multiplier)s, p_actor => %(actor)s)::text

-- name: coupon_reverse
SELECT wallet.coupon_reverse(p_coupon_id => %(coupon_id)s, p_reversal_id => %(reversal_id)s, p_reason => %(reason)s,
                             p_actor => %(actor)s)::text

-- name: transfer_create
SELECT wallet.transfer_create(p_transfer_id => %(transfer_id)s, p_player_id => %(player_id)s, p_from => %(from_)s,
                              p_to => %(to)s, p_amount => %(amount)s, p_actor => %(actor)s)::text

-- name: rolling_waive
SELECT wallet.rolling_waive(p_rolling_id => %(rolling_id)s, p_reason => %(reason)s, p_actor => %(actor)s)::text

-- name: rolling_cancel
SELECT wallet.rolling_cancel(p_rolling_id => %(rolling_id)s, p_reason => %(reason)s, p_actor => %(actor)s)::text

-- name: events_read
SELECT wallet.events_read(p_after => %(after)s, p_limit => %(limit)s)::text
