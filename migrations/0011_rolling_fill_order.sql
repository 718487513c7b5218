-- Active obligations indexed in the order rolling progress fills them (issue 12; SPEC §5a):
-- per account and group DEPOSIT before BONUS (kind DESC: the only two kinds, 'DEPOSIT' > 'BONUS'),
-- each oldest first (created_at, then rolling_id: docs/scaling.md C17).
-- A settlement reads the first few of its group's DEPOSIT obligations, then BONUS ones, and stops
-- once its progress is used up, without reading and sorting every active obligation of the
-- player (a player with tens of small deposits has tens: 35 on average after bench/run's SQL
-- runs, where reading them all cost a batch item 229 µs of its 594).
-- depends: 0010_citus

DROP INDEX wallet.rolling_active;
CREATE INDEX rolling_active ON wallet.rolling_obligation (account_id, wallet_group, kind DESC, created_at, rolling_id)
    WHERE status = 'ACTIVE';
