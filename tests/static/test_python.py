"""The Python of api/ (and of the tests and benchmarks) is formatted and lint-clean by ruff and
type-checks with mypy, as configured in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

from tests.support.static import RESULTS

ROOT = Path(__file__).resolve().parents[2]
TREES = ["api", "tests", "bench", "conftest.py"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_lint():
    result = _run("ruff", "check", "--no-cache", *TREES)
    RESULTS["ruff check"] = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = _run("ruff", "format", "--check", "--no-cache", *TREES)
    RESULTS["ruff format"] = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy():
    result = _run("mypy", "--no-incremental")
    RESULTS["mypy"] = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
    assert result.returncode == 0, result.stdout + result.stderr
