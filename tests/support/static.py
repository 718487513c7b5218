"""Results of the static checks (plpgsql_check over every PL/pgSQL function, ruff, mypy), printed
at the end of the run like the pgTAP totals, so the test command shows them whatever passed."""

from __future__ import annotations

RESULTS: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter):
    for name in sorted(RESULTS):
        terminalreporter.write_line(f"{name}: {RESULTS[name]}")
