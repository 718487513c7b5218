"""Every pgTAP file of tests/sql/pgtap/ as one test (see tests/support/pgtap.py)."""

import pytest

from tests.support.pgtap import SQL_TESTS, run_file

FILES = sorted(SQL_TESTS.glob("*.sql"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_pgtap_file(path, session_db_url):
    verdict = run_file(path, session_db_url)
    assert verdict.verdict() is None, verdict.verdict()
