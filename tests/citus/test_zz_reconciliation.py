"""After every other test of the tier (pytest runs this file last): the command line against
the coordinator — reconciliation clean over everything the tier wrote, distribute a no-op."""

from __future__ import annotations

import os
import subprocess
import sys


def _cli(citus, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBY_WALLET_")}
    env["DATABASE_URL"] = citus.url
    return subprocess.run(
        [sys.executable, "-m", "ruby_wallet.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_ruby_wallet_check_is_clean(citus):
    with citus.connect() as conn:
        players = conn.execute("SELECT count(*) FROM wallet.account").fetchone()[0]
    assert players > 20, "the tier wrote less than it should have"
    result = _cli(citus, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("reconciliation clean")


def test_ruby_wallet_check_one_player(citus):
    result = _cli(citus, "check", "--player", "cmd-bet_authorize")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "player cmd-bet_authorize" in result.stdout


def test_ruby_wallet_distribute_again_is_a_no_op(citus):
    result = _cli(citus, "distribute")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "nothing to do" in result.stderr
