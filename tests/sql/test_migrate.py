"""`ruby-wallet migrate`: idempotent, owner-owned, and it removes functions no file defines."""

import psycopg

from ruby_wallet.migrate import migrate

FINGERPRINT = """
SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM (
    SELECT format('%s %s %s', p.oid::regprocedure, md5(p.prosrc), p.proacl) AS line
      FROM pg_proc p WHERE p.pronamespace IN ('wallet'::regnamespace, 'analytics'::regnamespace)
    UNION ALL
    SELECT format('%s.%s %s %s', n.nspname, c.relname, c.relkind, c.relacl)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('wallet', 'analytics', 'wallet_meta')
    UNION ALL
    SELECT format('%s %s', pg_get_viewdef(c.oid), c.relname) FROM pg_class c
     WHERE c.relnamespace = 'analytics'::regnamespace AND c.relkind = 'v'
) catalog
"""


def test_second_migrate_is_a_no_op(db_url, db):
    before = db.execute(FINGERPRINT).fetchone()[0]
    report = migrate(db_url)
    assert report.migrations_applied == []
    assert report.code_applied is False
    assert db.execute(FINGERPRINT).fetchone()[0] == before


def test_forced_migrate_rebuilds_the_same_schema(db_url, db):
    before = db.execute(FINGERPRINT).fetchone()[0]
    report = migrate(db_url, force=True)
    assert report.code_applied is True
    assert report.functions_dropped == []
    assert db.execute(FINGERPRINT).fetchone()[0] == before


def test_function_no_file_defines_is_dropped(db_url, db):
    db.execute("SET ROLE wallet_owner")
    db.execute("CREATE FUNCTION wallet.leftover(p integer) RETURNS integer LANGUAGE sql AS 'SELECT p'")
    db.execute("RESET ROLE")
    report = migrate(db_url, force=True)
    assert report.functions_dropped == ["wallet.leftover(integer)"]
    assert db.execute("SELECT to_regprocedure('wallet.leftover(integer)')").fetchone()[0] is None


def test_everything_belongs_to_the_owner_role(db):
    rows = db.execute("""
        SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c
         WHERE c.relnamespace IN ('wallet'::regnamespace, 'analytics'::regnamespace, 'wallet_meta'::regnamespace)
           AND pg_get_userbyid(c.relowner) <> 'wallet_owner'
        UNION ALL
        SELECT p.proname, pg_get_userbyid(p.proowner) FROM pg_proc p
         WHERE p.pronamespace = 'wallet'::regnamespace AND pg_get_userbyid(p.proowner) <> 'wallet_owner'
    """).fetchall()
    assert rows == []


def test_default_topology_is_active_after_migrate(db):
    assert db.execute("SELECT version, status FROM wallet.topology_version").fetchall() == [(1, "ACTIVE")]


def test_concurrent_migrates_serialize(db_url):
    """Two migrates at once: the advisory lock makes the second wait, then find nothing to do."""
    import threading

    reports = []
    threads = [threading.Thread(target=lambda: reports.append(migrate(db_url, force=True))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reports) == 2
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM wallet.topology_version").fetchone()[0] == 1
