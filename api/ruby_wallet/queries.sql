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
