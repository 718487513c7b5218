-- The wallet's jsonb columns compress with lz4 (issue 11).  PostgreSQL compresses a value that
-- takes a row past its TOAST threshold (about 2 kB) when the row is written, with pglz unless a
-- column says otherwise.  A transfer writes the rolling it moved four times (the transfer
-- record, the obligation it opens, its two events), one entry for each obligation of the source
-- group: with 40 of them, pglz was 11.7% of the transfer's instructions, and lz4 takes a
-- transfer 10.6% fewer (bench/instructions --deposits 40, docs/benchmarks.md).  Reading a value
-- back is the same for either; values written before keep their method (each value records its
-- own).  A server built without lz4 keeps pglz: the migration says so and changes nothing.
-- depends: 0013_record_domains

DO $$
DECLARE
    v_column record;
BEGIN
    FOR v_column IN
        SELECT c.relname, a.attname
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
          JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'wallet'
         WHERE a.atttypid = 'jsonb'::regtype AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY c.relname, a.attname
    LOOP
        EXECUTE format('ALTER TABLE wallet.%I ALTER COLUMN %I SET COMPRESSION lz4', v_column.relname, v_column.attname);
    END LOOP;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this PostgreSQL is built without lz4: the wallet''s jsonb columns keep pglz';
END
$$;
