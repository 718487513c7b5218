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
