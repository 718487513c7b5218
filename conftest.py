"""Test wiring shared by tests/ (pytest) and tests/sql/pgtap/ (pgTAP files run as pytest items)."""

pytest_plugins = ["tests.support.database", "tests.support.pgtap", "tests.support.http", "tests.support.static"]
