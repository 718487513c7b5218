"""scripts/citus-build's answers when it cannot make Citus available, which the Citus tier
turns into its skip reason (exit 3, the reason on stderr) — run against a fake server
installation (PG_BINDIR) so the real one is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BUILD = Path(__file__).resolve().parents[2] / "scripts" / "citus-build"


def _fake_server(tmp_path: Path, *, with_citus: bool = False) -> dict[str, str]:
    bindir, share, lib, include = (tmp_path / d for d in ("bin", "share", "lib", "include"))
    for folder in (bindir, share / "extension", lib, include):
        folder.mkdir(parents=True)
    (bindir / "postgres").write_text("")
    answers = {"--version": "PostgreSQL 15.20", "--sharedir": share, "--pkglibdir": lib, "--includedir-server": include}
    cases = "".join(f'  {flag}) echo "{value}" ;;\n' for flag, value in answers.items())
    (bindir / "pg_config").write_text(f'#!/bin/sh\ncase "$1" in\n{cases}esac\n')
    (bindir / "pg_config").chmod(0o755)
    if with_citus:
        (share / "extension" / "citus.control").write_text("default_version = '13.2-1'\n")
        (lib / "citus.so").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBY_WALLET_CITUS")}
    env.update(PG_BINDIR=str(bindir), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return env


def _build(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BUILD), "--non-interactive"], env=env, capture_output=True, text=True, timeout=60
    )


def test_installed_citus_is_used_as_it_is(tmp_path):
    result = _build(_fake_server(tmp_path, with_citus=True))
    assert result.returncode == 0, result.stderr
    assert "Citus 13.2-1 is installed for PostgreSQL 15" in result.stderr


def test_a_missing_source_is_said_plainly(tmp_path):
    env = _fake_server(tmp_path)
    env["RUBY_WALLET_CITUS_SOURCE"] = str(tmp_path / "nowhere" / "citus-13.2.2.tar.gz")
    result = _build(env)
    assert result.returncode == 3
    assert f"RUBY_WALLET_CITUS_SOURCE={tmp_path}/nowhere/citus-13.2.2.tar.gz is not a file" in result.stderr


def test_a_tarball_that_is_not_the_pinned_source_is_refused(tmp_path):
    env = _fake_server(tmp_path)
    other = tmp_path / "citus-13.2.2.tar.gz"
    other.write_bytes(b"not citus")
    env["RUBY_WALLET_CITUS_SOURCE"] = str(other)
    result = _build(env)
    assert result.returncode == 3
    assert "not the pinned Citus 13.2.2 source" in result.stderr
    assert not (tmp_path / "cache" / "ruby-wallet").exists(), "nothing built or cached"
