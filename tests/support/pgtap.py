"""Running pgTAP files (tests/sql/pgtap/*.sql) inside the pytest run; tests/sql/test_pgtap.py makes one
test per file.

Each file is `BEGIN; SELECT plan(n); … SELECT * FROM finish(); ROLLBACK;` and runs through psql
against a migrated database.  It fails on a psql error, on any `not ok` line, on a missing
plan, or when the number of assertions run differs from the plan.  Every assertion is counted
and the run's total is printed at the end.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ruby_wallet.localdb import find_bindir

SQL_TESTS = Path(__file__).resolve().parents[1] / "sql" / "pgtap"

_ASSERTION = re.compile(r"^(not ok|ok) (\d+)")
_PLAN = re.compile(r"^1\.\.(\d+)$")
_totals = {"files": 0, "assertions": 0, "failed": 0}


@dataclass
class PgTapRun:
    planned: int | None = None
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def ran(self) -> int:
        return self.passed + len(self.failures)

    def verdict(self) -> str | None:
        """None when the file passed; otherwise why not, with its output."""
        problems = list(self.problems)
        if self.planned is None:
            problems.append("no plan (SELECT plan(n)) was output")
        elif self.planned != self.ran:
            problems.append(f"planned {self.planned} assertions, ran {self.ran}")
        if self.failures:
            problems.append(f"{len(self.failures)} failed assertion(s): " + "; ".join(self.failures))
        return "\n".join(problems) + "\n\n" + self.output if problems else None


def _framed(text: str) -> bool:
    """The file opens a transaction first and rolls it back last, so it leaves nothing behind."""
    lines = [ln.strip().upper() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    return bool(lines) and lines[0] == "BEGIN;" and lines[-1] == "ROLLBACK;"


def run_file(path: Path, url: str) -> PgTapRun:
    run = PgTapRun()
    if not _framed(path.read_text()):
        run.problems.append("a pgTAP file must start with BEGIN; and end with ROLLBACK;")
        return run
    psql = str(find_bindir() / "psql")
    proc = subprocess.run(
        [psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", str(path), url],
        capture_output=True,
        text=True,
        timeout=600,
    )
    run.output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        run.problems.append(f"psql exited {proc.returncode}: {proc.stderr.strip()}")
    for line in proc.stdout.splitlines():
        line = line.strip()
        if m := _PLAN.match(line):
            run.planned = int(m.group(1))
        elif m := _ASSERTION.match(line):
            if m.group(1) == "ok":
                run.passed += 1
            else:
                run.failures.append(line)
    _totals["files"] += 1
    _totals["assertions"] += run.ran
    _totals["failed"] += len(run.failures)
    return run


def pytest_terminal_summary(terminalreporter):
    if _totals["files"]:
        terminalreporter.write_line(
            f"pgTAP: {_totals['files']} files, {_totals['assertions']} assertions run, {_totals['failed']} failed"
        )
