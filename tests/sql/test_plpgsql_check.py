"""plpgsql_check over every PL/pgSQL function of the wallet (the code schemas) and every trigger
function with its table: 0 errors, 0 warnings.  A pragma that silences a check must carry its
reason on the same line (`-- @plpgsql_check_options: … because …`)."""

from pathlib import Path

from ruby_wallet.migrate import CODE_SCHEMAS
from tests.support.static import RESULTS

ROOT = Path(__file__).resolve().parents[2]

FUNCTIONS = """
SELECT p.oid::regprocedure::text AS function, t.level, t.message, t.lineno, t.statement, t.hint
  FROM pg_proc p
 CROSS JOIN LATERAL plpgsql_check_function_tb(p.oid, fatal_errors => false, other_warnings => true,
                                              extra_warnings => true) t
 WHERE p.pronamespace::regnamespace::text = ANY (%(schemas)s)
   AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
   AND p.prorettype <> 'trigger'::regtype
UNION ALL
SELECT format('%%s on %%s', p.oid::regprocedure, tg.tgrelid::regclass), t.level, t.message, t.lineno, t.statement, t.hint
  FROM pg_trigger tg
  JOIN pg_proc p ON p.oid = tg.tgfoid
 CROSS JOIN LATERAL plpgsql_check_function_tb(p.oid, tg.tgrelid, fatal_errors => false, other_warnings => true,
                                              extra_warnings => true, newtable => tg.tgnewtable, oldtable => tg.tgoldtable) t
 WHERE NOT tg.tgisinternal AND p.pronamespace::regnamespace::text = ANY (%(schemas)s)
"""

COUNTED = """
SELECT (SELECT count(*) FROM pg_proc p
         WHERE p.pronamespace::regnamespace::text = ANY (%(schemas)s)
           AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')),
       (SELECT count(*) FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
         WHERE NOT tg.tgisinternal AND p.pronamespace::regnamespace::text = ANY (%(schemas)s))
"""


def test_every_plpgsql_function_checks_clean(db):
    db.execute("CREATE EXTENSION IF NOT EXISTS plpgsql_check")
    params = {"schemas": list(CODE_SCHEMAS)}
    findings = db.execute(FUNCTIONS, params).fetchall()
    functions, triggers = db.execute(COUNTED, params).fetchone()
    errors = [f for f in findings if f[1] == "error"]
    warnings = [f for f in findings if f[1] != "error"]
    RESULTS["plpgsql_check"] = (
        f"{functions} PL/pgSQL functions and {triggers} triggers checked, {len(errors)} errors, {len(warnings)} warnings"
    )
    assert functions > 50 and triggers > 0
    assert findings == [], "\n".join(f"{f[0]} line {f[3]} ({f[4]}): {f[1]}: {f[2]} {f[5] or ''}" for f in findings)


def test_every_pragma_says_why():
    unexplained = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "procedures").rglob("*.sql")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ("plpgsql_check_pragma" in line or "@plpgsql_check_options" in line) and " because " not in line
    ]
    assert unexplained == []
